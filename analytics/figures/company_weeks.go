package figures

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// Figures of the pilot overview read from the company rollup
// (rollup_company_daily: day × company × event type), and the span of
// weeks that hold events. Definitions: docs/figures.md#pilot-overview.

// CompaniesWithEvent lists, per ISO week from from to to (inclusive), the
// companies (CVR) with at least one event of the type in that week. Weeks
// without such a company have no entry. Company events name no authority,
// so only a scope covering every authority gets them (else an empty map).
func CompaniesWithEvent(ctx context.Context, ch driver.Conn, scope auth.Scope, eventType string, from, to week.Week) (map[week.Week][]string, error) {
	out := map[week.Week][]string{}
	if !scope.All() {
		return out, nil
	}
	rows, err := ch.Query(ctx, `SELECT toMonday(day) AS monday, company_cvr
		FROM rollup_company_daily
		WHERE type = ? AND day >= toDate(?) AND day < toDate(?)
		GROUP BY monday, company_cvr
		HAVING sum(events) > 0
		ORDER BY monday, company_cvr`, eventType, dateOf(from.Start()), dateOf(to.End()))
	if err != nil {
		return nil, queryError("companies with "+eventType, err)
	}
	defer rows.Close()
	for rows.Next() {
		var monday time.Time
		var company string
		if err := rows.Scan(&monday, &company); err != nil {
			return nil, queryError("companies with "+eventType, err)
		}
		w := weekOfDate(monday)
		out[w] = append(out[w], company)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("companies with "+eventType, err)
	}
	return out, nil
}

// EventSpan is the first and the newest week holding events the scope may
// see: any event of any company for a scope covering every authority
// (event_weeks: a row per week and type, however many events), else the
// scope's message.sent events (rollup_messages_daily, read by its key). ok
// is false when there is none.
func EventSpan(ctx context.Context, ch driver.Conn, scope auth.Scope) (first, last week.Week, ok bool, err error) {
	q, args := `SELECT min(monday), max(monday), count() FROM event_weeks`, []any(nil)
	if !scope.All() {
		var filter string
		filter, args = scope.AuthorityFilter("authority_cvr")
		q = `SELECT min(day), max(day), count() FROM rollup_messages_daily WHERE ` + filter
	}
	var lo, hi time.Time
	var n uint64
	if err := ch.QueryRow(ctx, q, args...).Scan(&lo, &hi, &n); err != nil {
		return first, last, false, queryError("span of events", err)
	}
	if n == 0 {
		return first, last, false, nil
	}
	return weekOfDate(lo), weekOfDate(hi), true, nil
}

// dateOf is the Copenhagen calendar date of an instant, as ClickHouse's
// toDate reads it.
func dateOf(t time.Time) string { return t.In(week.Copenhagen).Format(time.DateOnly) }

// weekOfDate is the ISO week of a ClickHouse Date (midnight UTC of the day).
func weekOfDate(d time.Time) week.Week {
	return week.Of(time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, week.Copenhagen))
}
