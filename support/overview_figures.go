package support

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// SetupCategories are the call categories that count as a setup problem
// (trouble creating or configuring the mailbox) in the pilot overview's
// setup-problem rate: docs/figures.md#setup-problem-rate.
var SetupCategories = []string{"mailbox_creation", "employee_signature", "rights_and_roles", "folders_and_rules", "notifications"}

// SetupProblem reports whether a call's category is a setup problem.
func SetupProblem(category string) bool { return slices.Contains(SetupCategories, category) }

// CompanyIDs are the distinct companies of the calls, in order of first call.
func CompanyIDs(calls []CallFact) []int64 {
	var out []int64
	for _, c := range calls {
		if !slices.Contains(out, c.CompanyID) {
			out = append(out, c.CompanyID)
		}
	}
	return out
}

// CallSpan is the week of the first and of the newest live call; ok is
// false when the log holds none.
func (s *Store) CallSpan(ctx context.Context) (first, last week.Week, ok bool, err error) {
	at := func(order string) (time.Time, error) {
		var t time.Time
		err := s.db.QueryRowContext(ctx, `SELECT received_at FROM support_calls WHERE deleted_at IS NULL ORDER BY received_at `+order+` LIMIT 1`).Scan(&t)
		return t, err
	}
	lo, err := at("ASC")
	if errors.Is(err, sql.ErrNoRows) {
		return first, last, false, nil
	} else if err != nil {
		return first, last, false, err
	}
	hi, err := at("DESC")
	if err != nil {
		return first, last, false, err
	}
	return week.Of(lo), week.Of(hi), true, nil
}
