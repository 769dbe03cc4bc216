package figures

import (
	"context"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// Figures of the setup problems dashboard, read from the rollup
// rollup_setup_events (company × type × reason × second, setup events only).
// Definitions: docs/figures.md#setup-problems. Setup events name no
// authority, so only a scope covering every authority gets them (else
// nothing).

// SetupFailure is one company's mailbox.setup_failed events of one reason
// in one ISO week.
type SetupFailure struct {
	Week       week.Week
	CompanyCVR string
	Reason     string // as sent; "" when the event had none
	Events     uint64
}

// SetupFailures lists the mailbox.setup_failed events per ISO week (the
// Copenhagen calendar day's week) from from to to (inclusive), company and
// reason, ordered by week, company and reason.
func SetupFailures(ctx context.Context, ch driver.Conn, scope auth.Scope, from, to week.Week) ([]SetupFailure, error) {
	if !scope.All() {
		return nil, nil
	}
	rows, err := ch.Query(ctx, `SELECT toMonday(day) AS monday, company_cvr, reason, sum(events) AS n
		FROM rollup_setup_events
		WHERE type = ? AND day >= toDate(?) AND day < toDate(?)
		GROUP BY monday, company_cvr, reason
		HAVING n > 0
		ORDER BY monday, company_cvr, reason`, event.TypeSetupFailed, dateOf(from.Start()), dateOf(to.End()))
	if err != nil {
		return nil, queryError("setup failures", err)
	}
	defer rows.Close()
	var out []SetupFailure
	for rows.Next() {
		var f SetupFailure
		var monday time.Time
		if err := rows.Scan(&monday, &f.CompanyCVR, &f.Reason, &f.Events); err != nil {
			return nil, queryError("setup failures", err)
		}
		f.Week = weekOfDate(monday)
		out = append(out, f)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("setup failures", err)
	}
	return out, nil
}

// CompanySetup is when a company began creating its mailbox and when it
// finished: the first mailbox.setup_started, and the first
// mailbox.setup_completed at or after it (zero: not completed).
type CompanySetup struct {
	CompanyCVR string
	Started    time.Time
	Completed  time.Time
}

// SetupTimes lists, per company with a mailbox.setup_started before the
// instant before, its setup's start and completion as known at that
// instant, ordered by company. A completion without a start before it is
// no setup time and is left out.
func SetupTimes(ctx context.Context, ch driver.Conn, scope auth.Scope, before time.Time) ([]CompanySetup, error) {
	if !scope.All() {
		return nil, nil
	}
	rows, err := ch.Query(ctx, `SELECT company_cvr,
			minIf(occurred_at, type = ?) AS started,
			groupArrayIf(occurred_at, type = ?) AS completions
		FROM rollup_setup_events
		WHERE type IN (?, ?) AND occurred_at < toDateTime(?, 'UTC')
		GROUP BY company_cvr
		HAVING countIf(type = ?) > 0
		ORDER BY company_cvr`, event.TypeSetupStarted, event.TypeSetupCompleted, event.TypeSetupStarted, event.TypeSetupCompleted,
		before.UTC().Format(time.DateTime), event.TypeSetupStarted)
	if err != nil {
		return nil, queryError("setup times", err)
	}
	defer rows.Close()
	var out []CompanySetup
	for rows.Next() {
		var s CompanySetup
		var completions []time.Time
		if err := rows.Scan(&s.CompanyCVR, &s.Started, &completions); err != nil {
			return nil, queryError("setup times", err)
		}
		slices.SortFunc(completions, func(a, b time.Time) int { return a.Compare(b) })
		for _, c := range completions {
			if !c.Before(s.Started) {
				s.Completed = c.UTC()
				break
			}
		}
		s.Started = s.Started.UTC()
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, queryError("setup times", err)
	}
	return out, nil
}
