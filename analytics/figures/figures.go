package figures

import (
	"context"
	"fmt"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// WeekVolume is what one authority sent in one ISO week (Europe/Copenhagen),
// read from volume_weekly and the rollup rollup_messages_daily.
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
// week (Copenhagen calendar) for the weeks of r, restricted to the scope,
// summed from the daily rollup on every call: the definition the weekly
// figures (Volume.PerAuthorityWeek, what the pages read) must equal.
// See docs/figures.md#volume-per-authority.
func VolumePerAuthorityWeek(ctx context.Context, ch driver.Conn, scope auth.Scope, r week.Range) ([]WeekVolume, error) {
	filter, args := scope.AuthorityFilter("authority_cvr")
	days, dargs := daysCondition([]weekSpan{{r.From, r.To}})
	out, err := scanWeekVolumes(ch.Query(ctx, fmt.Sprintf(weeklyFromRollup, filter+" AND "+days), append(args, dargs...)...))
	sortWeekVolumes(out)
	return out, err
}

// queryError is a failed ClickHouse query: an outage (ingest.ErrUnavailable,
// 503) when ClickHouse did not answer, else a fault of ours (500).
func queryError(what string, err error) error {
	if problem.Unavailable(err) {
		return fmt.Errorf("%w: %s: %w", ingest.ErrUnavailable, what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
