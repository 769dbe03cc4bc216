package figures

import (
	"context"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The company figures of the pilot overview at national scale
// (docs/figures.md#pilot-overview): which companies had a setup failure or
// a third-party grant in which weeks. CompaniesWithEvent answers that from
// the daily rollup, a row per company, day and type, whose size follows
// the events; CompanyWeeks reads company_weeks instead, a set of weeks per
// company and type as bits (at most one row per company, type and 64
// weeks, whatever the events), kept by a materialized view on every insert
// into events (internal/warehouse/migrations/0007_company_weeks.sql): a
// set only grows, so it is exact at once, re-sent and late events
// included, and needs no refresher.

// CompanyWeekTypes are the event types company_weeks keeps.
var CompanyWeekTypes = []string{event.TypeSetupFailed, event.TypeThirdParty}

// epochMonday is the Monday week numbers count from (company_weeks).
var epochMonday = time.Date(1970, 1, 5, 0, 0, 0, 0, time.UTC)

// weekNumber is the number of w in company_weeks: the weeks from Monday
// 1970-01-05 to its Monday.
func weekNumber(w week.Week) int {
	y, m, d := w.Monday().Date()
	return int(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(epochMonday).Hours()) / (24 * 7)
}

// CompanyWeeks calls each, for every company and week from from to to
// (inclusive) in which the company had at least one event of types[t] (t
// is the type's index), with the week as its offset from from (0 for from
// itself). Every type must be one of CompanyWeekTypes. The figures equal
// CompaniesWithEvent's. Company events name no authority, so only a scope
// covering every authority reads them (else each is never called).
func CompanyWeeks(ctx context.Context, ch driver.Conn, scope auth.Scope, types []string, from, to week.Week, each func(company string, t, offset int)) error {
	if !scope.All() || len(types) == 0 || to.Before(from) {
		return nil
	}
	var cols []string
	args := []any{}
	for _, t := range types {
		if !slices.Contains(CompanyWeekTypes, t) {
			return fmt.Errorf("company weeks: company_weeks does not keep %s", t)
		}
		cols = append(cols, "groupBitOrMergeIf(weeks, type = ?)")
		args = append(args, t)
	}
	lo, hi := weekNumber(from), weekNumber(to)
	for _, t := range types {
		args = append(args, t)
	}
	args = append(args, lo/64, hi/64)
	rows, err := ch.Query(ctx, `SELECT company_cvr, block, `+strings.Join(cols, ", ")+`
		FROM company_weeks
		WHERE type IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ")+`) AND block >= ? AND block <= ?
		GROUP BY company_cvr, block`, args...)
	if err != nil {
		return queryError("company weeks", err)
	}
	defer rows.Close()
	var company string
	var block uint16
	masks := make([]uint64, len(types))
	dest := []any{&company, &block}
	for i := range masks {
		dest = append(dest, &masks[i])
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return queryError("company weeks", err)
		}
		base := int(block) * 64
		for t, m := range masks {
			for m != 0 {
				n := base + bits.TrailingZeros64(m)
				m &= m - 1
				if n >= lo && n <= hi {
					each(company, t, n-lo)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return queryError("company weeks", err)
	}
	return nil
}
