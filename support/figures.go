package support

// The weekly support-call figures, computed in one place for the figures
// page, its JSON twin, the dashboards and the Excel reports: load the facts
// once with Store.Facts, then each figure is one function over the calls of
// a week (Facts.Week) or of the whole range (Facts.Calls).
//
// Definitions (also docs/figures.md#support-calls):
//   - a call's week is the ISO week of received_at in Europe/Copenhagen;
//   - deleted calls count nowhere;
//   - calling companies: distinct companies with at least one call in the
//     week, over the pilot companies (every registry company, or those of
//     the cohort/kind asked for): "7 of 30";
//   - distinct callers: distinct (company, caller name) pairs, the name
//     compared without regard to case or repeated spaces;
//   - not solved: a call whose resolution is not "resolved" (partly,
//     not_resolved or escalated); the share is per desk;
//   - median duration: over the calls with a duration (the mean of the two
//     middle ones for an even count); null when none has one;
//   - follow-ups past due: follow-up needed, not done, and the due date is
//     before the as-of day in Copenhagen.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// ErrScope is a figures request from a scope that may not see them: support
// figures span every authority, so only a scope covering all authorities
// (admins, managers, the system) gets them.
var ErrScope = fmt.Errorf("support figures need a scope covering every authority: %w", problem.ErrForbidden)

// MaxWeeks is the longest range of weeks one request may cover.
const MaxWeeks = 260

// checkRange says what is wrong with the weeks from to to, in the
// reader's language: to before from, or more than MaxWeeks weeks.
func checkRange(from, to week.Week) error {
	switch {
	case to.Before(from):
		return problem.Reason("support.v.to_before_from", from)
	case week.Range{From: from, To: to}.Len() > MaxWeeks:
		return problem.Reason("support.v.range_long", week.Range{From: from, To: to}.Len(), MaxWeeks)
	}
	return nil
}

// FigureFilter says which calls the figures cover.
type FigureFilter struct {
	From, To week.Week // inclusive
	Cohort   string    // only companies of this pilot cohort ("" = all)
	Kind     string    // only companies of this kind, e.g. "company" ("" = all)
	// AsOf is the moment "past due" is judged at (zero: now).
	AsOf time.Time
}

// CallFact is what the figures need of one live call.
type CallFact struct {
	Week       week.Week
	CompanyID  int64
	Caller     string // normalized caller name
	Desk       string
	Category   string
	Resolution string
	Duration   *int64
	// PastDue: follow-up needed, not done, due before the as-of day.
	PastDue bool
}

// Facts are the calls of a range and the denominators, loaded once.
type Facts struct {
	Filter         FigureFilter
	PilotCompanies int
	// PastDueAll counts every live call with a follow-up past due, of any week.
	PastDueAll int
	calls      []CallFact
}

// Facts loads the live calls of the filter's weeks. The scope must cover
// every authority (else ErrScope): the one mandatory path of scoping.
func (s *Store) Facts(ctx context.Context, scope auth.Scope, f FigureFilter) (Facts, error) {
	if !scope.All() {
		return Facts{}, ErrScope
	}
	if err := checkRange(f.From, f.To); err != nil {
		var es FieldErrors
		es.AddErr("to", err)
		return Facts{}, es
	}
	if f.AsOf.IsZero() {
		f.AsOf = s.now()
	}
	today := f.AsOf.In(week.Copenhagen).Format(time.DateOnly)
	out := Facts{Filter: f}

	compCond, compArgs := "1 = 1", []any{}
	if f.Cohort != "" {
		compCond, compArgs = compCond+" AND co.cohort = ?", append(compArgs, f.Cohort)
	}
	if f.Kind != "" {
		compCond, compArgs = compCond+" AND co.kind = ?", append(compArgs, f.Kind)
	}
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM companies co WHERE `+compCond, compArgs...).Scan(&out.PilotCompanies); err != nil {
		return out, err
	}
	pastDue := `(c.follow_up_needed = 1 AND c.follow_up_done = 0 AND c.follow_up_by <> '' AND c.follow_up_by < ?)`
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM support_calls c JOIN companies co ON co.id = c.company_id
		WHERE c.deleted_at IS NULL AND `+pastDue+` AND `+compCond, append([]any{today}, compArgs...)...).Scan(&out.PastDueAll); err != nil {
		return out, err
	}
	args := append([]any{today, f.From.Start().UTC(), f.To.End().UTC()}, compArgs...)
	rows, err := s.db.QueryContext(ctx, `SELECT c.received_at, c.company_id, c.caller_name, c.desk, c.category, c.resolution, c.duration_minutes, `+pastDue+`
		FROM support_calls c JOIN companies co ON co.id = c.company_id
		WHERE c.deleted_at IS NULL AND c.received_at >= ? AND c.received_at < ? AND `+compCond+` ORDER BY c.received_at, c.id`, args...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		var fa CallFact
		var at time.Time
		var dur *int64
		if err := rows.Scan(&at, &fa.CompanyID, &fa.Caller, &fa.Desk, &fa.Category, &fa.Resolution, &dur, &fa.PastDue); err != nil {
			return out, err
		}
		fa.Week, fa.Caller, fa.Duration = week.Of(at), callerKey(fa.Caller), dur
		out.calls = append(out.calls, fa)
	}
	return out, rows.Err()
}

func callerKey(name string) string { return strings.ToLower(strings.Join(strings.Fields(name), " ")) }

// Week returns the facts of the calls of one week.
func (f Facts) Week(w week.Week) []CallFact {
	var out []CallFact
	for _, c := range f.calls {
		if c.Week == w {
			out = append(out, c)
		}
	}
	return out
}

// Weeks lists every week of the range, oldest first.
func (f Facts) Weeks() []week.Week {
	return week.Range{From: f.Filter.From, To: f.Filter.To}.Weeks()
}

// --- one function per figure ---

// CallCount is the number of calls.
func CallCount(calls []CallFact) int { return len(calls) }

// CallingCompanies is the number of distinct companies that called.
func CallingCompanies(calls []CallFact) int {
	seen := map[int64]bool{}
	for _, c := range calls {
		seen[c.CompanyID] = true
	}
	return len(seen)
}

// DistinctCallers is the number of distinct callers (company and name).
func DistinctCallers(calls []CallFact) int {
	type key struct {
		company int64
		name    string
	}
	seen := map[key]bool{}
	for _, c := range calls {
		seen[key{c.CompanyID, c.Caller}] = true
	}
	return len(seen)
}

// ByCategory counts calls per category; every category is present.
func ByCategory(calls []CallFact) map[string]int {
	return countBy(calls, Categories, func(c CallFact) string { return c.Category })
}

// ByDesk counts calls per desk; every desk is present.
func ByDesk(calls []CallFact) map[string]int {
	return countBy(calls, Desks, func(c CallFact) string { return c.Desk })
}

// ByResolution counts calls per resolution; every resolution is present.
func ByResolution(calls []CallFact) map[string]int {
	return countBy(calls, Resolutions, func(c CallFact) string { return c.Resolution })
}

func countBy(calls []CallFact, keys []string, of func(CallFact) string) map[string]int {
	m := make(map[string]int, len(keys))
	for _, k := range keys {
		m[k] = 0
	}
	for _, c := range calls {
		m[of(c)]++
	}
	return m
}

// ByDeskAndResolution counts calls per desk and resolution; every pair is
// present. It lets a chart show what "not solved" is made of per desk.
func ByDeskAndResolution(calls []CallFact) map[string]map[string]int {
	out := make(map[string]map[string]int, len(Desks))
	for _, d := range Desks {
		var mine []CallFact
		for _, c := range calls {
			if c.Desk == d {
				mine = append(mine, c)
			}
		}
		out[d] = ByResolution(mine)
	}
	return out
}

// Share is a part of a whole, with both counts so it stays exact.
type Share struct {
	Part  int     `json:"part"`
	Whole int     `json:"whole"`
	Share float64 `json:"share"` // Part/Whole; 0 when Whole is 0
}

// NewShare makes a Share.
func NewShare(part, whole int) Share {
	s := Share{Part: part, Whole: whole}
	if whole > 0 {
		s.Share = float64(part) / float64(whole)
	}
	return s
}

// NotSolved reports whether a resolution means the problem was not solved.
func NotSolved(resolution string) bool { return resolution != Resolved }

// NotSolvedByDesk is, per desk, the calls that did not solve the problem
// over the desk's calls; every desk is present.
func NotSolvedByDesk(calls []CallFact) map[string]Share {
	part, whole := map[string]int{}, map[string]int{}
	for _, c := range calls {
		whole[c.Desk]++
		if NotSolved(c.Resolution) {
			part[c.Desk]++
		}
	}
	out := make(map[string]Share, len(Desks))
	for _, d := range Desks {
		out[d] = NewShare(part[d], whole[d])
	}
	return out
}

// MedianDuration is the median of the calls' durations in minutes, nil
// when no call has a duration.
func MedianDuration(calls []CallFact) *float64 {
	var ds []int64
	for _, c := range calls {
		if c.Duration != nil {
			ds = append(ds, *c.Duration)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	n := len(ds)
	m := float64(ds[n/2])
	if n%2 == 0 {
		m = float64(ds[n/2-1]+ds[n/2]) / 2
	}
	return &m
}

// FollowUpsPastDue counts the calls whose follow-up is past due.
func FollowUpsPastDue(calls []CallFact) int {
	n := 0
	for _, c := range calls {
		if c.PastDue {
			n++
		}
	}
	return n
}

// --- the figures of a week, together ---

// WeekFigures are the figures of one week (or, for a report's Total, of
// the whole range).
type WeekFigures struct {
	Week                  string                    `json:"week"`  // "2026-W48", or "2026-W45..2026-W52" for the total
	Start                 string                    `json:"start"` // first day (Monday), Copenhagen
	End                   string                    `json:"end"`   // last day (Sunday), Copenhagen
	Calls                 int                       `json:"calls"`
	CallingCompanies      Share                     `json:"calling_companies"` // companies that called, of the pilot companies
	DistinctCallers       int                       `json:"distinct_callers"`
	ByCategory            map[string]int            `json:"by_category"`
	ByDesk                map[string]int            `json:"by_desk"`
	ByResolution          map[string]int            `json:"by_resolution"`
	ByDeskAndResolution   map[string]map[string]int `json:"by_desk_and_resolution"`
	NotSolvedByDesk       map[string]Share          `json:"not_solved_by_desk"`
	MedianDurationMinutes *float64                  `json:"median_duration_minutes"`
	FollowUpsPastDue      int                       `json:"follow_ups_past_due"` // of this week's calls
}

// Report is the figures of a range of weeks.
type Report struct {
	From           string    `json:"from"`
	To             string    `json:"to"`
	Cohort         string    `json:"cohort,omitempty"`
	Kind           string    `json:"kind,omitempty"`
	AsOf           time.Time `json:"as_of"`
	PilotCompanies int       `json:"pilot_companies"`
	// FollowUpsPastDue counts every open follow-up past due, of any week.
	FollowUpsPastDue int           `json:"follow_ups_past_due"`
	Weeks            []WeekFigures `json:"weeks"`
	Total            WeekFigures   `json:"total"`
}

// Figures computes the figures of calls (one week's, or the range's).
func (f Facts) Figures(label string, start, end time.Time, calls []CallFact) WeekFigures {
	return WeekFigures{
		Week: label, Start: start.Format(time.DateOnly), End: end.AddDate(0, 0, -1).Format(time.DateOnly),
		Calls:                 CallCount(calls),
		CallingCompanies:      NewShare(CallingCompanies(calls), f.PilotCompanies),
		DistinctCallers:       DistinctCallers(calls),
		ByCategory:            ByCategory(calls),
		ByDesk:                ByDesk(calls),
		ByResolution:          ByResolution(calls),
		ByDeskAndResolution:   ByDeskAndResolution(calls),
		NotSolvedByDesk:       NotSolvedByDesk(calls),
		MedianDurationMinutes: MedianDuration(calls),
		FollowUpsPastDue:      FollowUpsPastDue(calls),
	}
}

// Report computes every week's figures and the range's total.
func (f Facts) Report() Report {
	r := Report{From: f.Filter.From.String(), To: f.Filter.To.String(), Cohort: f.Filter.Cohort, Kind: f.Filter.Kind,
		AsOf: f.Filter.AsOf.UTC(), PilotCompanies: f.PilotCompanies, FollowUpsPastDue: f.PastDueAll, Weeks: []WeekFigures{}}
	for _, w := range f.Weeks() {
		r.Weeks = append(r.Weeks, f.Figures(w.String(), w.Start(), w.End(), f.Week(w)))
	}
	label := r.From
	if r.To != r.From {
		label += ".." + r.To
	}
	r.Total = f.Figures(label, f.Filter.From.Start(), f.Filter.To.End(), f.calls)
	return r
}

// WeeklyReport loads the facts and computes the report: what the figures
// page, its JSON route and the reports call.
func (s *Store) WeeklyReport(ctx context.Context, scope auth.Scope, f FigureFilter) (Report, error) {
	facts, err := s.Facts(ctx, scope, f)
	if err != nil {
		return Report{}, err
	}
	return facts.Report(), nil
}
