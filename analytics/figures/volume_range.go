package figures

import (
	"context"
	"fmt"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// VolumeWeeks is how many weeks a volume view shows when no range is given.
const VolumeWeeks = 12

// VolumeRange reads a from/to pair (ISO weeks like 2012-W46 or dates; either
// may be empty) for the volume figures. Without to, the range ends at the
// newest week with messages in the scope (this week if there are none);
// without from, it starts VolumeWeeks-1 weeks before to. The same defaults
// serve the page and its JSON twin.
func VolumeRange(ctx context.Context, ch driver.Conn, scope auth.Scope, fromS, toS string) (from, to time.Time, err error) {
	if toS != "" {
		if to, err = ParseWeekOrDate(toS); err != nil {
			return from, to, fmt.Errorf("to: %w", err)
		}
	} else {
		filter, args := scope.AuthorityFilter("authority_cvr")
		var newest time.Time
		if err := ch.QueryRow(ctx, `SELECT max(day) FROM rollup_messages_daily WHERE `+filter, args...).Scan(&newest); err != nil {
			return from, to, fmt.Errorf("%w: newest volume day: %w", ingest.ErrUnavailable, err)
		}
		to = newest
		if newest.Year() < 2000 { // no data: max() of nothing is 1970-01-01
			to = time.Now().In(Copenhagen)
		}
	}
	if fromS != "" {
		if from, err = ParseWeekOrDate(fromS); err != nil {
			return from, to, fmt.Errorf("from: %w", err)
		}
	} else {
		from = mondayOf(to).AddDate(0, 0, -7*(VolumeWeeks-1))
	}
	if to.Before(from) {
		return from, to, fmt.Errorf("to is before from")
	}
	if to.Sub(from) > 3*366*24*time.Hour {
		return from, to, fmt.Errorf("the range is longer than three years")
	}
	return from, to, nil
}
