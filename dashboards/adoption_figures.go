package dashboards

// The adoption funnel (/dashboards/adoption and its JSON twin
// GET /api/v1/metrics/adoption): how far each company of the filters got by
// the end of the period, from the company rollup. Definitions:
// docs/figures.md#adoption-funnel.

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// The steps of the funnel, in order.
const (
	StepInPilot        = "in_pilot"
	StepSetupStarted   = "setup_started"
	StepSetupCompleted = "setup_completed"
	StepFirstLogin     = "first_login"
	StepFirstRead      = "first_read"
)

// AdoptionSteps lists the funnel's steps in order.
var AdoptionSteps = []string{StepInPilot, StepSetupStarted, StepSetupCompleted, StepFirstLogin, StepFirstRead}

// stepEvents are the event types that reach the steps after the first, in
// the order of AdoptionSteps[1:].
var stepEvents = []string{event.TypeSetupStarted, event.TypeSetupCompleted, event.TypeLogin, event.TypeMessageRead}

// companyRoles read company figures (setup problems, follow-ups, adoption,
// the legal-notice list, the company hub): companies are not authority data, so authority users never
// do (docs/figures.md#adoption-funnel).
var companyRoles = []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleSupport}

// companyScope is the scope company figures read with: company events name
// no authority, so a role that reads companies sees every company's events
// (auth.SystemScope); anyone else reads none (fails closed).
func companyScope(p *auth.Principal) auth.Scope {
	if p != nil && slices.Contains(companyRoles, p.Role) {
		return auth.SystemScope()
	}
	return auth.Scope{}
}

// Adoption is the funnel as of the end of the period, against the end of
// the previous period.
type Adoption struct {
	Period  Period  `json:"period"`
	Filters Filters `json:"filters"`
	// AsOf is the period's last day (a Sunday); PreviousAsOf the previous
	// period's. A step counts when its first event fell on or before it.
	AsOf         string `json:"as_of"`
	PreviousAsOf string `json:"previous_as_of"`
	// Companies is the denominator: the registry's companies of the filters.
	Companies int            `json:"companies"`
	Steps     []AdoptionStep `json:"steps"`
	// Weeks are the period's weeks, each with the companies at every step
	// by its end (the chart).
	Weeks []AdoptionWeek `json:"weeks"`
}

// AdoptionStep is one step of the funnel.
type AdoptionStep struct {
	Step string `json:"step"` // one of AdoptionSteps
	// Reached is the companies that got to the step (or further) by AsOf,
	// over Companies; Previous the same by PreviousAsOf; Change the
	// difference of the two counts.
	Reached  Share `json:"reached"`
	Previous Share `json:"previous"`
	Change   int   `json:"change"`
	// Stuck are the companies at this step and not the next by AsOf,
	// longest waiting first; empty for the last step.
	Stuck []StuckCompany `json:"stuck"`
}

// StuckCompany is a company waiting at a step.
type StuckCompany struct {
	CVR  string `json:"cvr"`
	Name string `json:"name"`
	// Since is the day it reached the step (its first event of the step),
	// or, at the first step, the day it joined (SinceJoined).
	Since       string `json:"since"`
	SinceJoined bool   `json:"since_joined"`
	Days        int    `json:"days"` // from Since to AsOf
}

// AdoptionWeek is the companies at each step (AdoptionSteps order) by the
// end of one week.
type AdoptionWeek struct {
	Week      string `json:"week"`
	Companies []int  `json:"companies"`
}

// adoptionInputs resolves a request's period and filters for the adoption
// figures: the period against the weeks holding company events.
func (h *handler) adoptionInputs(c *fiber.Ctx, now time.Time) (Period, Filters, error) {
	ctx := c.UserContext()
	f, _, err := h.filtersOf(ctx, c)
	if err != nil {
		return Period{}, f, err
	}
	p, err := h.adoptionPeriod(ctx, web.PrincipalOf(c), periodQueryOf(c), now)
	return p, f, err
}

// adoptionPeriod resolves the period asked for against the weeks with
// company events p may read.
func (h *handler) adoptionPeriod(ctx context.Context, p *auth.Principal, pq PeriodQuery, now time.Time) (Period, error) {
	first, latest, _, err := figures.EventSpan(ctx, h.CH, companyScope(p))
	if err != nil {
		return Period{}, err
	}
	return ResolvePeriod(pq, first, latest, now)
}

// furthest is the index in AdoptionSteps of the furthest step a company
// had reached before the day before (exclusive), and the day it reached it
// ("" at the first step). A later step implies the earlier ones: their
// events may be missing.
func furthest(days map[string]figures.EventDays, before string) (int, string) {
	for i := len(stepEvents) - 1; i >= 0; i-- {
		if d, ok := days[stepEvents[i]]; ok && d.First < before {
			return i + 1, d.First
		}
	}
	return 0, ""
}

// dayOf is the Copenhagen calendar date of an instant, 2012-11-12.
func dayOf(t time.Time) string { return t.In(week.Copenhagen).Format(time.DateOnly) }

// daysBetween counts the days from a to b (dates written 2012-11-12).
func daysBetween(a, b string) int {
	ta, err1 := time.Parse(time.DateOnly, a)
	tb, err2 := time.Parse(time.DateOnly, b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// joinedDay is the day a company joined the pilot: the day it entered the
// registry, or, when that is after the day asOf (a pilot replayed into a
// registry made later), the first day of the pilot's data.
func joinedDay(c registry.Company, p Period, asOf string) string {
	joined := dayOf(c.CreatedAt)
	if joined > asOf && !p.First.IsZero() {
		joined = dayOf(p.First.Monday())
	}
	return joined
}

// adoption computes the funnel for the period and filters: the one
// function behind the page and its JSON twin.
func (h *handler) adoption(ctx context.Context, scope auth.Scope, p Period, f Filters) (Adoption, error) {
	a := Adoption{Period: p, Filters: f, AsOf: dayOf(p.To.Sunday()), PreviousAsOf: dayOf(p.PreviousTo.Sunday()), Steps: []AdoptionStep{}, Weeks: []AdoptionWeek{}}
	participants, err := h.Registry.Participants(ctx)
	if err != nil {
		return a, err
	}
	companies := f.Companies(participants)
	a.Companies = len(companies)
	end := dayOf(p.To.End())
	days, err := figures.CompanyEventDays(ctx, h.CH, scope, stepEvents, end)
	if err != nil {
		return a, err
	}
	n := len(AdoptionSteps)
	now, before := make([]int, n), make([]int, n)
	reach := func(counts []int, step int) {
		for i := 0; i <= step; i++ {
			counts[i]++
		}
	}
	for _, s := range AdoptionSteps {
		a.Steps = append(a.Steps, AdoptionStep{Step: s, Stuck: []StuckCompany{}})
	}
	for _, c := range companies {
		step, since := furthest(days[c.CVR], end)
		reach(now, step)
		prev, _ := furthest(days[c.CVR], dayOf(p.PreviousTo.End()))
		reach(before, prev)
		if step == n-1 {
			continue
		}
		s := StuckCompany{CVR: c.CVR, Name: c.Name, Since: since}
		if step == 0 {
			s.Since, s.SinceJoined = joinedDay(c, p, a.AsOf), true
		}
		s.Days = max(daysBetween(s.Since, a.AsOf), 0)
		a.Steps[step].Stuck = append(a.Steps[step].Stuck, s)
	}
	for i := range a.Steps {
		st := &a.Steps[i]
		st.Reached, st.Previous, st.Change = support.NewShare(now[i], a.Companies), support.NewShare(before[i], a.Companies), now[i]-before[i]
		slices.SortFunc(st.Stuck, func(x, y StuckCompany) int {
			if x.Days != y.Days {
				return y.Days - x.Days
			}
			return strings.Compare(x.Name+x.CVR, y.Name+y.CVR)
		})
	}
	for _, w := range p.Range().Weeks() {
		counts := make([]int, n)
		for _, c := range companies {
			step, _ := furthest(days[c.CVR], dayOf(w.End()))
			reach(counts, step)
		}
		a.Weeks = append(a.Weeks, AdoptionWeek{Week: w.String(), Companies: counts})
	}
	return a, nil
}
