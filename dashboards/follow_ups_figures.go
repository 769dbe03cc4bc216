package dashboards

// The follow-up list (/dashboards/follow-ups, a section of the setup
// problems page, and GET /api/v1/metrics/follow-ups): the companies that
// need an interview in the period's last week, and why. One function,
// followUps, computes it. Definition: docs/figures.md#follow-up-list.

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The reasons a company is on the follow-up list, in the order shown.
const (
	ReasonNewProblem     = "new_problem"     // a setup problem this week, none the week before
	ReasonUnresolvedCall = "unresolved_call" // a support call still unresolved
	ReasonNoAnswer       = "no_answer"       // invited and no answer two waves running
)

// FollowUpReasons lists the reasons in order.
var FollowUpReasons = []string{ReasonNewProblem, ReasonUnresolvedCall, ReasonNoAnswer}

// FollowUps is the follow-up list of a week: the period's last week.
type FollowUps struct {
	Week     string  `json:"week"`
	Previous string  `json:"previous_week"` // the week "new" compares with
	Period   Period  `json:"period"`
	Filters  Filters `json:"filters"`
	// Companies is the participants the filters count, from which the list is drawn.
	Companies int `json:"companies"`
	// Waves are the two newest questionnaire waves up to Week, newest
	// first, that "no answer" reads; fewer when there are fewer.
	Waves []string   `json:"waves"`
	Rows  []FollowUp `json:"rows"`
	// Count per reason (a company may have several).
	Count map[string]int `json:"count"`
}

// FollowUp is one company to interview, with every reason that applies.
type FollowUp struct {
	CVR     string   `json:"cvr"`
	Name    string   `json:"name"`
	Path    string   `json:"path"` // its company page
	Reasons []string `json:"reasons"`
	// NewProblem: the sources that reported the week's new problem.
	NewProblem *SetupSourceFlags `json:"new_problem,omitempty"`
	// Calls are its unresolved calls, newest first.
	Calls []CallLink `json:"calls"`
	// LastInterview is the date of its newest interview ("" none).
	LastInterview string `json:"last_interview"`
	// InterviewPath is where to record the interview (the company's survey
	// page, at its interview form); "" for a caller who may not record one.
	InterviewPath string `json:"interview_path"`
}

// SetupSourceFlags says which sources reported a problem.
type SetupSourceFlags struct {
	Answer bool `json:"answer"`
	Call   bool `json:"call"`
	Event  bool `json:"event"`
}

// interviewPath is where the principal records an interview with the
// company: the survey's company page, whose form admins alone may send.
func interviewPath(p *auth.Principal, cvr string) string {
	if p == nil || p.Role != auth.RoleAdmin {
		return ""
	}
	return "/survey/companies/" + cvr + "#interview-form"
}

// followUps computes the follow-up list for the principal: the one
// function behind the page, the setup page's section and the JSON twin.
func (h *handler) followUps(ctx context.Context, p *auth.Principal, q PeriodQuery, f Filters, now time.Time) (FollowUps, error) {
	scope, period, err := h.companyPeriod(ctx, p, q, now)
	if err != nil {
		return FollowUps{}, err
	}
	return h.followUpsOf(ctx, p, scope, period, f, now)
}

func (h *handler) followUpsOf(ctx context.Context, p *auth.Principal, scope auth.Scope, period Period, f Filters, now time.Time) (FollowUps, error) {
	this, before := period.To, period.To.Prev()
	fu := FollowUps{Week: this.String(), Previous: before.String(), Period: period, Filters: f, Waves: []string{}, Rows: []FollowUp{}, Count: map[string]int{}}
	for _, r := range FollowUpReasons {
		fu.Count[r] = 0
	}
	d, err := h.loadSetup(ctx, scope, f, now, week.Range{From: before, To: this})
	if err != nil {
		return fu, err
	}
	fu.Companies = len(d.companies)
	rows := map[string]*FollowUp{}
	row := func(cvr string) *FollowUp {
		r := rows[cvr]
		if r == nil {
			co := d.companies[cvr]
			r = &FollowUp{CVR: cvr, Name: co.Name, Path: companyPath(cvr), Calls: []CallLink{}, Reasons: []string{}, InterviewPath: interviewPath(p, cvr)}
			rows[cvr] = r
		}
		return r
	}
	reason := func(r *FollowUp, why string) {
		if !slices.Contains(r.Reasons, why) {
			r.Reasons = append(r.Reasons, why)
			fu.Count[why]++
		}
	}

	previous := d.any(before)
	for c := range d.any(this) {
		if previous[c] {
			continue
		}
		r := row(c)
		r.NewProblem = &SetupSourceFlags{Answer: d.answers[this][c], Call: d.calls[this][c], Event: d.events[this][c]}
		reason(r, ReasonNewProblem)
	}

	calls, err := h.Support.Unresolved(ctx, scope, this.End())
	if err != nil {
		return fu, err
	}
	today := now.In(week.Copenhagen).Format(time.DateOnly)
	for _, c := range calls {
		if _, ok := d.companies[c.CompanyCVR]; !ok {
			continue
		}
		r := row(c.CompanyCVR)
		r.Calls = append(r.Calls, callLink(c, today))
		reason(r, ReasonUnresolvedCall)
	}

	waves, err := h.Survey.Waves(ctx)
	if err != nil {
		return fu, err
	}
	var ids []string
	for _, w := range waves {
		if wk, err := week.Parse(w.ID); err == nil && !this.Before(wk) {
			ids = append(ids, wk.String())
		}
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	if len(ids) > 2 {
		ids = ids[:2]
	}
	fu.Waves = append(fu.Waves, ids...)
	if len(ids) == 2 {
		silent := map[string]int{}
		for _, id := range ids {
			invited, answered, err := h.Survey.WaveCompanies(ctx, id)
			if err != nil {
				return fu, err
			}
			for c := range invited {
				if !answered[c] {
					silent[c]++
				}
			}
		}
		for c, n := range silent {
			if _, ok := d.companies[c]; ok && n == 2 {
				reason(row(c), ReasonNoAnswer)
			}
		}
	}

	// The newest interview of every listed company, in one query.
	listed := make([]string, 0, len(rows))
	for cvr := range rows {
		listed = append(listed, cvr)
	}
	interviewed, err := h.Survey.LastInterviews(ctx, listed)
	if err != nil {
		return fu, err
	}
	for _, r := range rows {
		slices.SortFunc(r.Reasons, func(a, b string) int {
			return slices.Index(FollowUpReasons, a) - slices.Index(FollowUpReasons, b)
		})
		r.LastInterview = interviewed[r.CVR]
		fu.Rows = append(fu.Rows, *r)
	}
	// Most reasons first, then by name.
	slices.SortFunc(fu.Rows, func(a, b FollowUp) int {
		if len(a.Reasons) != len(b.Reasons) {
			return len(b.Reasons) - len(a.Reasons)
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.CVR, b.CVR)
	})
	return fu, nil
}
