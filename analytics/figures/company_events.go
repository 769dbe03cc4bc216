package figures

import (
	"context"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// Figures of one company's or every company's events read from the company
// rollup (rollup_company_daily: day × company × event type), for the
// adoption funnel, the legal-notice list and the company hub.
// Definitions: docs/figures.md#adoption-funnel,
// docs/figures.md#not-logged-in-since, docs/figures.md#company-timeline.
//
// Company events name no authority: like CompaniesWithEvent these read
// only for a scope covering every authority (else nothing). Days are
// Copenhagen calendar dates written 2012-11-12, as the rollup keeps them.

// EventDays is the first and the last day a company had an event of a type.
type EventDays struct {
	First string `json:"first"` // 2012-11-12
	Last  string `json:"last"`
}

// CompanyEventDays returns, per company CVR and event type of types, the
// first and the last day with such an event before the day before
// (exclusive; "" is no bound). Companies without any such event have no
// entry. min and max over the rollup's rows are exact whether or not its
// background merges have run.
func CompanyEventDays(ctx context.Context, ch driver.Conn, scope auth.Scope, types []string, before string) (map[string]map[string]EventDays, error) {
	out := map[string]map[string]EventDays{}
	if !scope.All() || len(types) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(types)+1)
	for _, t := range types {
		args = append(args, t)
	}
	q := `SELECT company_cvr, type, min(day), max(day) FROM rollup_company_daily
		WHERE company_cvr != '' AND type IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ") + `)`
	if before != "" {
		q += ` AND day < toDate(?)`
		args = append(args, before)
	}
	rows, err := ch.Query(ctx, q+` GROUP BY company_cvr, type`, args...)
	if err != nil {
		return nil, queryError("first and last event days", err)
	}
	defer rows.Close()
	for rows.Next() {
		var company, typ string
		var first, last time.Time
		if err := rows.Scan(&company, &typ, &first, &last); err != nil {
			return nil, queryError("first and last event days", err)
		}
		if out[company] == nil {
			out[company] = map[string]EventDays{}
		}
		out[company][typ] = EventDays{First: first.Format(time.DateOnly), Last: last.Format(time.DateOnly)}
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("first and last event days", err)
	}
	return out, nil
}

// DayEvents is how many events of a type a company had on a day.
type DayEvents struct {
	Day    string `json:"day"` // 2012-11-12
	Type   string `json:"type"`
	Events uint64 `json:"events"`
}

// CompanyDays lists one company's events per day and type, newest day
// first (types in name order within a day).
func CompanyDays(ctx context.Context, ch driver.Conn, scope auth.Scope, company string) ([]DayEvents, error) {
	out := []DayEvents{}
	if !scope.All() {
		return out, nil
	}
	rows, err := ch.Query(ctx, `SELECT day, type, sum(events) AS n FROM rollup_company_daily
		WHERE company_cvr = ?
		GROUP BY day, type
		HAVING n > 0
		ORDER BY day DESC, type`, company)
	if err != nil {
		return nil, queryError("a company's events per day", err)
	}
	defer rows.Close()
	for rows.Next() {
		var d DayEvents
		var day time.Time
		if err := rows.Scan(&day, &d.Type, &d.Events); err != nil {
			return nil, queryError("a company's events per day", err)
		}
		d.Day = day.Format(time.DateOnly)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("a company's events per day", err)
	}
	return out, nil
}
