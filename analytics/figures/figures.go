package figures

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// WeekVolume is what one authority sent in one ISO week (Europe/Copenhagen),
// read from the rollup rollup_messages_daily.
type WeekVolume struct {
	AuthorityCVR string `json:"authority_cvr"`
	Week         string `json:"week"`   // ISO week, like 2012-W46
	Monday       string `json:"monday"` // its first day, 2012-11-12
	Messages     uint64 `json:"messages"`
	Digital      uint64 `json:"digital"`
	RemotePrint  uint64 `json:"remote_print"`
	WithMetadata uint64 `json:"with_metadata"`
	WithDeepLink uint64 `json:"with_deep_link"`
	Companies    uint64 `json:"companies"` // distinct companies reached
}

// VolumePerAuthorityWeek returns message.sent volume per authority and ISO
// week (Copenhagen calendar) for the weeks of r, restricted to the scope.
// See docs/figures.md#volume-per-authority.
func VolumePerAuthorityWeek(ctx context.Context, ch driver.Conn, scope auth.Scope, r week.Range) ([]WeekVolume, error) {
	filter, args := scope.AuthorityFilter("authority_cvr")
	args = append(args, r.From.Monday().Format(time.DateOnly), r.To.End().Format(time.DateOnly))
	rows, err := ch.Query(ctx, `SELECT authority_cvr, toMonday(day) AS week,
			sum(messages), sumIf(messages, channel = 'digital'), sumIf(messages, channel = 'remote_print'),
			sum(with_metadata), sum(with_deep_link), uniqExact(company_cvr)
		FROM rollup_messages_daily
		WHERE `+filter+` AND day >= toDate(?) AND day < toDate(?)
		GROUP BY authority_cvr, week
		ORDER BY authority_cvr, week`, args...)
	if err != nil {
		return nil, queryError("volume per authority", err)
	}
	defer rows.Close()
	var out []WeekVolume
	for rows.Next() {
		var v WeekVolume
		var monday time.Time
		if err := rows.Scan(&v.AuthorityCVR, &monday, &v.Messages, &v.Digital, &v.RemotePrint, &v.WithMetadata, &v.WithDeepLink, &v.Companies); err != nil {
			return nil, queryError("volume per authority", err)
		}
		v.Monday = monday.Format(time.DateOnly)
		v.Week = weekOfDate(monday).String()
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("volume per authority", err)
	}
	return out, nil
}

// queryError is a failed ClickHouse query: an outage (ingest.ErrUnavailable,
// 503) when ClickHouse did not answer, else a fault of ours (500).
func queryError(what string, err error) error {
	if problem.Unavailable(err) {
		return fmt.Errorf("%w: %s: %w", ingest.ErrUnavailable, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
