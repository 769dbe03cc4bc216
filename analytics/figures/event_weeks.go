package figures

import (
	"context"
	"fmt"
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

// CompanyKey is a company as CompanyWeeks names it, without a string per
// row: Number is its CVR read as a number plus one when the CVR is eight
// digits (every valid CVR), else 0 and CVR holds it. CompanyKeyOf gives
// the key of a CVR, to look the companies up by.
type CompanyKey struct {
	Number uint32
	CVR    string
}

// CompanyKeyOf is the key CompanyWeeks names the company cvr by.
func CompanyKeyOf(cvr string) CompanyKey {
	if len(cvr) != 8 {
		return CompanyKey{CVR: cvr}
	}
	n := uint32(0)
	for i := range len(cvr) {
		if cvr[i] < '0' || cvr[i] > '9' {
			return CompanyKey{CVR: cvr}
		}
		n = n*10 + uint32(cvr[i]-'0')
	}
	return CompanyKey{Number: n + 1}
}

// companyKeySQL is the key of company_cvr in SQL: the number (as
// CompanyKeyOf) and the CVR when it is not a number (else empty).
const companyKeySQL = `toUInt32(if(match(company_cvr, '^[0-9]{8}$'), toUInt32OrZero(company_cvr) + 1, 0)) AS number,
	if(number = 0, company_cvr, '') AS cvr`

// CompanyWeeks calls each with the weeks from from to to (inclusive) in
// which a company had at least one event of types[t] (t is the type's
// index), as bits: bit i of weeks set is the week from.Add(offset + i)
// (offset may be negative; no bit outside from … to is set). A company and
// type may come in several calls (more than 64 weeks, or parts of
// company_weeks not merged yet): the weeks are the union of the calls'.
// Every type must be one of CompanyWeekTypes. The figures equal
// CompaniesWithEvent's. Company events name no authority, so only a scope
// covering every authority reads them (else each is never called).
//
// ClickHouse only reads the rows (each state finalized as it is stored)
// and the union is made here: a GROUP BY of 100,000 companies' states
// costs ClickHouse several times more than sending the rows.
func CompanyWeeks(ctx context.Context, ch driver.Conn, scope auth.Scope, types []string, from, to week.Week, each func(company CompanyKey, t, offset int, weeks uint64)) error {
	if !scope.All() || len(types) == 0 || to.Before(from) {
		return nil
	}
	for _, t := range types {
		if !slices.Contains(CompanyWeekTypes, t) {
			return fmt.Errorf("company weeks: company_weeks does not keep %s", t)
		}
	}
	list := strings.TrimSuffix(strings.Repeat("?, ", len(types)), ", ")
	args := []any{}
	for range 2 {
		for _, t := range types {
			args = append(args, t)
		}
	}
	lo, hi := weekNumber(from), weekNumber(to)
	args = append(args, lo/64, hi/64)
	rows, err := ch.Query(ctx, `SELECT toUInt8(indexOf([`+list+`], type)) AS t, `+companyKeySQL+`, block, finalizeAggregation(weeks)
		FROM company_weeks
		WHERE type IN (`+list+`) AND block >= ? AND block <= ?`, args...)
	if err != nil {
		return queryError("company weeks", err)
	}
	defer rows.Close()
	var (
		t     uint8
		key   CompanyKey
		block uint16
		mask  uint64
	)
	for rows.Next() {
		if err := rows.Scan(&t, &key.Number, &key.CVR, &block, &mask); err != nil {
			return queryError("company weeks", err)
		}
		// The block's weeks from lo to hi only.
		base := int(block) * 64
		if lo > base {
			mask &^= 1<<(lo-base) - 1
		}
		if hi-base < 63 {
			mask &= 1<<(hi-base+1) - 1
		}
		if mask != 0 && t > 0 {
			each(key, int(t)-1, base-lo, mask)
		}
	}
	if err := rows.Err(); err != nil {
		return queryError("company weeks", err)
	}
	return nil
}

// String is the company's CVR.
func (k CompanyKey) String() string {
	if k.Number == 0 {
		return k.CVR
	}
	return fmt.Sprintf("%08d", k.Number-1)
}

// CompanyWeeksVersion names what company_weeks holds now (partsVersion).
// What CompanyWeeks read after taking the version is at least as new as
// the version, so a reader may keep it while the version stays the same.
func CompanyWeeksVersion(ctx context.Context, ch driver.Conn) (string, error) {
	return partsVersion(ctx, ch, "company_weeks")
}

// partsVersion names what a table holds now: its active parts (name and
// when written), which change with every insert (a new part), every merge
// and every mutation, and when the table is made again. (system.parts lists
// this server's parts only: on a cluster it must read every shard's, e.g.
// through clusterAllReplicas, here in this one function.)
func partsVersion(ctx context.Context, ch driver.Conn, table string) (string, error) {
	var parts string
	if err := ch.QueryRow(ctx, `SELECT arrayStringConcat(arraySort(groupArray(concat(name, '@', toString(modification_time)))), ',')
		FROM system.parts WHERE database = currentDatabase() AND table = ? AND active`, table).Scan(&parts); err != nil {
		return "", queryError(table+" version", err)
	}
	return parts, nil
}
