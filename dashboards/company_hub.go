package dashboards

// The company hub (GET /companies/CVR and its JSON twin
// GET /api/v1/companies/CVR/timeline): the register data and one timeline,
// by day, newest first, of the company's questionnaire answers, interviews,
// support calls and usage events. Definitions:
// docs/figures.md#company-timeline. The register form is at
// /companies/CVR/edit (registry).

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// The parts of a timeline; which a caller gets follows the roles of their
// sources: answers and interviews for the survey's readers (admins,
// managers), calls and usage events for every role that reads companies.
const (
	PartAnswers    = "answers"
	PartInterviews = "interviews"
	PartCalls      = "calls"
	PartEvents     = "events"
)

// CompanyTimeline is a company's register data and its timeline.
type CompanyTimeline struct {
	Company registry.Company `json:"company"`
	Period  Period           `json:"period"`
	Parts   []string         `json:"parts"` // what the caller's timeline holds
	Days    []TimelineDay    `json:"days"`  // newest first; only days with something
}

// TimelineDay is what happened on one Copenhagen calendar day.
type TimelineDay struct {
	Day        string              `json:"day"` // 2012-11-12
	Week       string              `json:"week"`
	Answers    []survey.Submission `json:"answers"`
	Interviews []survey.Interview  `json:"interviews"`
	Calls      []TimelineCall      `json:"calls"`
	Events     []TimelineEvents    `json:"events"`
}

// TimelineCall is a support call on the timeline, with the path of its page.
type TimelineCall struct {
	ID          int64     `json:"id"`
	Path        string    `json:"path"`
	ReceivedAt  time.Time `json:"received_at"`
	CallerName  string    `json:"caller_name"`
	Desk        string    `json:"desk"`
	Category    string    `json:"category"`
	Resolution  string    `json:"resolution"`
	Description string    `json:"description"`
}

// TimelineEvents is the company's events of one type on the day.
type TimelineEvents struct {
	Type   string `json:"type"`
	Label  string `json:"label"` // the type for people, in the reader's language
	Events uint64 `json:"events"`
}

// timelineParts are the parts the principal's timeline holds.
func timelineParts(p *auth.Principal, withEvents bool) []string {
	var parts []string
	if p == nil {
		return parts
	}
	if p.Role == auth.RoleAdmin || p.Role == auth.RoleManager {
		parts = append(parts, PartAnswers, PartInterviews)
	}
	if slices.Contains(companyRoles, p.Role) {
		parts = append(parts, PartCalls)
		if withEvents {
			parts = append(parts, PartEvents)
		}
	}
	return parts
}

// eventLabel is an event type for people: a known type's name in lang,
// any other type as it came.
func eventLabel(lang, typ string) string {
	key := "company.event." + typ
	if s := web.Translate(lang, key); s != key {
		return s
	}
	return typ
}

// companyTimeline computes the hub of company cvr for the principal over
// the period asked for (default: every week with the company's data): the
// one function behind the page and its JSON twin.
func (h *handler) companyTimeline(ctx context.Context, c *fiber.Ctx, cvr string, q PeriodQuery, now time.Time) (CompanyTimeline, error) {
	co, err := h.Registry.Company(ctx, cvr)
	if err != nil {
		return CompanyTimeline{}, err
	}
	lang := web.Language(c)
	t := CompanyTimeline{Company: co, Parts: timelineParts(web.PrincipalOf(c), h.CH != nil), Days: []TimelineDay{}}
	byDay := map[string]*TimelineDay{}
	dayOfTimeline := func(day string) *TimelineDay {
		d, ok := byDay[day]
		if !ok {
			d = &TimelineDay{Day: day, Answers: []survey.Submission{}, Interviews: []survey.Interview{}, Calls: []TimelineCall{}, Events: []TimelineEvents{}}
			byDay[day] = d
		}
		return d
	}
	if slices.Contains(t.Parts, PartAnswers) {
		subs, err := h.Survey.CompanySubmissions(ctx, co.CVR, lang)
		if err != nil {
			return t, err
		}
		for _, s := range subs {
			d := dayOfTimeline(dayOf(s.SubmittedAt))
			d.Answers = append(d.Answers, s)
		}
		ivs, err := h.Survey.Interviews(ctx, survey.InterviewFilter{CompanyCVR: co.CVR})
		if err != nil {
			return t, err
		}
		for _, iv := range ivs {
			d := dayOfTimeline(iv.HeldOn)
			d.Interviews = append(d.Interviews, iv)
		}
	}
	if slices.Contains(t.Parts, PartCalls) {
		calls, err := h.Support.List(ctx, support.Filter{CompanyCVR: co.CVR, Limit: support.MaxList})
		if err != nil {
			return t, err
		}
		for _, call := range calls {
			d := dayOfTimeline(dayOf(call.ReceivedAt))
			d.Calls = append(d.Calls, TimelineCall{ID: call.ID, Path: "/support/calls/" + strconv.FormatInt(call.ID, 10), ReceivedAt: call.ReceivedAt,
				CallerName: call.CallerName, Desk: call.Desk, Category: call.Category, Resolution: call.Resolution, Description: call.Description})
		}
	}
	if slices.Contains(t.Parts, PartEvents) {
		days, err := figures.CompanyDays(ctx, h.CH, companyScope(web.PrincipalOf(c)), co.CVR)
		if err != nil {
			return t, err
		}
		for _, e := range days {
			d := dayOfTimeline(e.Day)
			d.Events = append(d.Events, TimelineEvents{Type: e.Type, Label: eventLabel(lang, e.Type), Events: e.Events})
		}
	}
	var first, latest week.Week
	all := make([]string, 0, len(byDay))
	for day := range byDay {
		all = append(all, day)
	}
	slices.Sort(all)
	if len(all) > 0 {
		first, latest = week.Of(mustNoon(all[0])), week.Of(mustNoon(all[len(all)-1]))
	}
	if q == (PeriodQuery{}) {
		q.Preset = PresetPilot
	}
	if t.Period, err = ResolvePeriod(q, first, latest, now); err != nil {
		return t, err
	}
	from, end := dayOf(t.Period.From.Monday()), dayOf(t.Period.To.End())
	for i := len(all) - 1; i >= 0; i-- {
		if day := all[i]; day >= from && day < end {
			d := byDay[day]
			d.Week = week.Of(mustNoon(day)).String()
			t.Days = append(t.Days, *d)
		}
	}
	return t, nil
}

// mustNoon is noon in Copenhagen of a date written 2012-11-12 (checked
// dates only), the instant that places the day in its week.
func mustNoon(day string) time.Time {
	d, _ := time.Parse(time.DateOnly, day)
	return time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, week.Copenhagen)
}

func (h *handler) companyTimelineOf(c *fiber.Ctx) (CompanyTimeline, error) {
	return h.companyTimeline(c.UserContext(), c, c.Params("cvr"), periodQueryOf(c), time.Now())
}

func (h *handler) companyTimelineJSON(c *fiber.Ctx) error {
	t, err := h.companyTimelineOf(c)
	if err != nil {
		return err
	}
	return c.JSON(t)
}

type companyHubView struct {
	CompanyTimeline
	Filters  filterBar
	CanEdit  bool
	Answers  bool // the caller may see the questionnaire part
	Saved    bool
	NoEvents bool // the app runs without ClickHouse
}

func (h *handler) companyHubPage(c *fiber.Ctx) error {
	t, err := h.companyTimelineOf(c)
	if err != nil {
		path := companyPath(t.Company.CVR) // the company is known before the period is read
		return h.filterProblem(c, err, pageRef{"dashboards_company", "company.title", path, "/api/v1/companies/" + t.Company.CVR + "/timeline", filterFields{}},
			func(bar filterBar) any { return companyHubView{CompanyTimeline: t, Filters: bar} })
	}
	p := web.PrincipalOf(c)
	v := companyHubView{CompanyTimeline: t, CanEdit: p.Role == auth.RoleAdmin, Answers: slices.Contains(t.Parts, PartAnswers),
		Saved: c.Query("saved") == "1", NoEvents: h.CH == nil}
	path := companyPath(t.Company.CVR)
	if v.Filters, err = h.filterBar(c.UserContext(), c, path, "/api/v1/companies/"+t.Company.CVR+"/timeline", t.Period, Filters{}, filterFields{}); err != nil {
		return err
	}
	// The hub's default is the whole pilot, so its latest-week link names
	// its preset.
	for i, preset := range Presets {
		if preset == PresetLatest {
			v.Filters.Presets[i].Href = path + "?period=" + PresetLatest
		}
	}
	return h.srv.Render(c, "dashboards_company", web.PageData{Title: "company.title", Data: v})
}
