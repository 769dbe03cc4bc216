package dashboards

import (
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// The setup problems page and the follow-up list page, and their JSON
// twins; setupProblems and followUps (setup_figures.go,
// follow_ups_figures.go) compute what they show.

const (
	setupPath        = "/dashboards/setup-problems"
	setupAPIPath     = "/api/v1/metrics/setup-problems"
	followUpsPath    = "/dashboards/follow-ups"
	followUpsAPIPath = "/api/v1/metrics/follow-ups"
)

// setupFilters are the filters the two pages offer: company figures, not
// authority figures.
var setupFilters = filterFields{Kind: true, Cohort: true}

// companyRequest reads the period and filters of a request to the setup
// or follow-up pages. Their figures are not per authority: naming one is
// a bad parameter.
func (h *handler) companyRequest(c *fiber.Ctx) (PeriodQuery, Filters, error) {
	if strings.TrimSpace(c.Query("authority")) != "" {
		return PeriodQuery{}, Filters{Kind: KindAll}, problem.Fields{{Field: "authority", Message: problem.Msg("setup.no_authority")}}
	}
	f, _, err := h.filtersOf(c.UserContext(), c)
	return periodQueryOf(c), f, err
}

func (h *handler) setupJSON(c *fiber.Ctx) error {
	q, f, err := h.companyRequest(c)
	if err != nil {
		return err
	}
	sp, err := h.setupProblems(c.UserContext(), web.PrincipalOf(c), q, f, web.Language(c), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(sp)
}

func (h *handler) followUpsJSON(c *fiber.Ctx) error {
	q, f, err := h.companyRequest(c)
	if err != nil {
		return err
	}
	fu, err := h.followUps(c.UserContext(), web.PrincipalOf(c), q, f, time.Now())
	if err != nil {
		return err
	}
	return c.JSON(fu)
}

// summaryCard is one figure of the page's top row: its value for the
// period with the change against the previous period.
type summaryCard struct {
	Title, Value, Change string
}

// emptyNote says what is missing and where to get it.
type emptyNote struct {
	Text, Href, Link string
}

// sourceBlock is one source's chart and, when it has nothing, why.
type sourceBlock struct {
	Chart WeekChart
	Empty *emptyNote
}

type setupView struct {
	chartPage
	Figures     SetupProblems
	Bar         filterBar
	Invalid     bool // the parameters were refused: the form with its errors only
	Denominator string
	Cards       []summaryCard
	NoCompanies *emptyNote
	Combined    []combinedRow
	Sources     []sourceBlock
	SetupEmpty  *emptyNote
	Completed   []setupTimeRow
	Waiting     []setupTimeRow
	FollowUps   followUpsView
	// Median is the median setup time of the period; FollowUpsQuery the
	// follow-up page's parameters for the same period and filters.
	Median, FollowUpsQuery string
}

// combinedRow is one week of the three sources side by side.
type combinedRow struct {
	Week                   string
	Problems               string // "3 af 30 (10,0 %)"
	Answers, Calls, Events int
}

type setupTimeRow struct {
	CompanySetupTime
	Duration string
}

type followUpsView struct {
	Figures FollowUps
	Rows    []followUpRow
	Empty   string
}

type followUpRow struct {
	FollowUp
	Why []string // each reason, with its detail, in the reader's language
}

// badRequest renders a page's form again with the parameter at fault
// marked (400), when err is such a problem; else it returns err.
func (h *handler) badRequest(c *fiber.Ctx, err error, template, title, path, api string, v func(filterBar) any) error {
	return h.filterProblem(c, err, pageRef{template, title, path, api, setupFilters}, v)
}

func (h *handler) setupPage(c *fiber.Ctx) error {
	ctx, lang, now := c.UserContext(), web.Language(c), time.Now()
	invalid := func(bar filterBar) any { return setupView{Bar: bar, Invalid: true} }
	q, f, err := h.companyRequest(c)
	if err != nil {
		return h.badRequest(c, err, "dashboards_setup", "setup.title", setupPath, setupAPIPath, invalid)
	}
	sp, err := h.setupProblems(ctx, web.PrincipalOf(c), q, f, lang, now)
	if err != nil {
		return h.badRequest(c, err, "dashboards_setup", "setup.title", setupPath, setupAPIPath, invalid)
	}
	fu, err := h.followUpsOf(ctx, web.PrincipalOf(c), companyScope(web.PrincipalOf(c)), sp.Period, f, now)
	if err != nil {
		return err
	}
	v := setupView{Figures: sp, FollowUps: followUpsViewOf(lang, fu)}
	if v.Bar, err = h.filterBar(ctx, c, setupPath, setupAPIPath, sp.Period, f, setupFilters); err != nil {
		return err
	}
	v.Denominator = tf(lang, "setup.denominator", count(lang, sp.Companies), strings.ToLower(tf(lang, "dashboards.kind_"+f.Kind)))
	if f.Cohort != "" {
		v.Denominator = tf(lang, "setup.denominator_cohort", count(lang, sp.Companies), strings.ToLower(tf(lang, "dashboards.kind_"+f.Kind)), f.Cohort)
	}
	v.Denominator += " " + registry.OtherKinds(f.Kind).In(lang)
	if sp.Companies == 0 {
		v.NoCompanies = &emptyNote{tf(lang, "setup.empty_companies"), "/companies", tf(lang, "nav.companies")}
	}
	t, prev := sp.Total, sp.Previous
	since := weekNumber(sp.Period.PreviousTo.String())
	v.Cards = []summaryCard{
		{tf(lang, "setup.card_problems"), ofCompanies(lang, f.Kind, t.Problems), periodChange(lang, t.Problems.Part, prev.Problems.Part, since)},
		{tf(lang, "setup.card_answers"), count(lang, t.Sources.Answers), periodChange(lang, t.Sources.Answers, prev.Sources.Answers, since)},
		{tf(lang, "setup.card_calls"), tf(lang, "setup.companies_calls", count(lang, t.Sources.Calls), count(lang, t.Calls)), periodChange(lang, t.Calls, prev.Calls, since)},
		{tf(lang, "setup.card_events"), tf(lang, "setup.companies_events", count(lang, deref(t.Sources.Events)), count(lang, t.FailedEvents)), periodChange(lang, t.FailedEvents, prev.FailedEvents, since)},
		{tf(lang, "setup.card_median"), hoursText(lang, t.MedianSetupHours), hoursChange(lang, t.MedianSetupHours, prev.MedianSetupHours, since)},
	}
	v.Median, v.FollowUpsQuery = hoursText(lang, t.MedianSetupHours), f.Query(sp.Period).Encode()
	weeks := make([]string, len(sp.Weeks))
	for i, w := range sp.Weeks {
		weeks[i] = w.Week
		v.Combined = append(v.Combined, combinedRow{Week: w.Week, Problems: ofCompanies(lang, f.Kind, w.Problems), Answers: w.Sources.Answers, Calls: w.Sources.Calls, Events: deref(w.Sources.Events)})
	}
	v.Sources = setupCharts(lang, sp, weeks)
	for _, s := range sp.Time.Completed {
		v.Completed = append(v.Completed, setupTimeRow{s, hoursText(lang, &s.Hours)})
	}
	for _, s := range sp.Time.Waiting {
		v.Waiting = append(v.Waiting, setupTimeRow{s, hoursText(lang, &s.Hours)})
	}
	if len(v.Completed) == 0 && len(v.Waiting) == 0 {
		v.SetupEmpty = &emptyNote{tf(lang, "setup.empty_setup_time"), "/sources", tf(lang, "nav.sources")}
	}
	return h.srv.Render(c, "dashboards_setup", web.PageData{Title: "setup.title", Data: v})
}

// setupCharts are the three sources' charts: companies per answered kind
// of problem, setup calls per category (stacked), failures per reason
// (stacked); each with an empty state naming the page that fills it.
func setupCharts(lang string, sp SetupProblems, weeks []string) []sourceBlock {
	series := func(labels []Label, of func(SetupWeek) map[string]int) []Series {
		out := []Series{}
		for _, l := range labels {
			values := make([]float64, len(sp.Weeks))
			for i, w := range sp.Weeks {
				values[i] = float64(of(w)[l.Key])
			}
			out = append(out, Series{Name: l.Text, Values: values})
		}
		return out
	}
	answers := sourceBlock{Chart: WeekChart{ID: "setup-answers", Title: tf(lang, "setup.chart_answers"), Kind: BarChart, Unit: Count, Weeks: weeks,
		Series: series(sp.Labels.AnswerKinds, func(w SetupWeek) map[string]int { return w.AnswerKinds })}}
	if sp.Total.Sources.Answers == 0 {
		answers.Empty = &emptyNote{tf(lang, "setup.empty_answers"), "/survey", tf(lang, "nav.survey")}
	}
	calls := sourceBlock{Chart: WeekChart{ID: "setup-calls", Title: tf(lang, "setup.chart_calls"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks,
		Series: series(sp.Labels.CallCategories, func(w SetupWeek) map[string]int { return w.CallCategories })}}
	if sp.Total.Calls == 0 {
		calls.Empty = &emptyNote{tf(lang, "setup.empty_calls"), "/support/calls", tf(lang, "nav.support_calls")}
	}
	events := sourceBlock{Chart: WeekChart{ID: "setup-events", Title: tf(lang, "setup.chart_events"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks,
		Series: series(sp.Labels.EventReasons, func(w SetupWeek) map[string]int { return w.EventReasons })}}
	if sp.Total.FailedEvents == 0 {
		events.Empty = &emptyNote{tf(lang, "setup.empty_events"), "/sources", tf(lang, "nav.sources")}
	}
	return []sourceBlock{answers, calls, events}
}

// periodChange is "+3 since week 46" (the previous period's last week).
func periodChange(lang string, now, before, since int) string {
	return tf(lang, "overview.change", signed(lang, float64(now-before), 0), tf(lang, "overview.since_week", since))
}

// hoursText writes a duration in hours: hours up to two days, else days.
func hoursText(lang string, hours *float64) string {
	switch {
	case hours == nil:
		return "–"
	case *hours < 48:
		return tf(lang, "setup.hours", web.FormatNumber(lang, *hours, 1))
	}
	return tf(lang, "setup.days", web.FormatNumber(lang, *hours/24, 1))
}

func hoursChange(lang string, now, before *float64, since int) string {
	if now == nil || before == nil {
		return ""
	}
	return tf(lang, "setup.hours_change", signed(lang, *now-*before, 1), since)
}

func followUpsViewOf(lang string, fu FollowUps) followUpsView {
	v := followUpsView{Figures: fu}
	if len(fu.Rows) == 0 {
		v.Empty = tf(lang, "follow_ups.empty", fu.Week)
	}
	for _, r := range fu.Rows {
		row := followUpRow{FollowUp: r}
		for _, why := range r.Reasons {
			switch why {
			case ReasonNewProblem:
				var from []string
				for _, s := range []struct {
					on  bool
					key string
				}{{r.NewProblem.Answer, "setup.source_answer"}, {r.NewProblem.Call, "setup.source_call"}, {r.NewProblem.Event, "setup.source_event"}} {
					if s.on {
						from = append(from, tf(lang, s.key))
					}
				}
				row.Why = append(row.Why, tf(lang, "follow_ups.why_new_problem", weekNumber(fu.Previous), strings.Join(from, ", ")))
			case ReasonUnresolvedCall:
				row.Why = append(row.Why, tf(lang, "follow_ups.why_unresolved_call", count(lang, len(r.Calls))))
			case ReasonNoAnswer:
				row.Why = append(row.Why, tf(lang, "follow_ups.why_no_answer", strings.Join(fu.Waves, ", ")))
			}
		}
		v.Rows = append(v.Rows, row)
	}
	return v
}

type followUpsPageView struct {
	Bar       filterBar
	Invalid   bool
	FollowUps followUpsView
}

func (h *handler) followUpsPage(c *fiber.Ctx) error {
	invalid := func(bar filterBar) any { return followUpsPageView{Bar: bar, Invalid: true} }
	q, f, err := h.companyRequest(c)
	if err != nil {
		return h.badRequest(c, err, "dashboards_follow_ups", "follow_ups.title", followUpsPath, followUpsAPIPath, invalid)
	}
	fu, err := h.followUps(c.UserContext(), web.PrincipalOf(c), q, f, time.Now())
	if err != nil {
		return h.badRequest(c, err, "dashboards_follow_ups", "follow_ups.title", followUpsPath, followUpsAPIPath, invalid)
	}
	v := followUpsPageView{FollowUps: followUpsViewOf(web.Language(c), fu)}
	if v.Bar, err = h.filterBar(c.UserContext(), c, followUpsPath, followUpsAPIPath, fu.Period, f, setupFilters); err != nil {
		return err
	}
	return h.srv.Render(c, "dashboards_follow_ups", web.PageData{Title: "follow_ups.title", Data: v})
}

// setupExample and followUpsExample are the JSON answers' examples for the
// OpenAPI document.
func setupExample() SetupProblems {
	share := func(p, w int) Share { return support.NewShare(p, w) }
	hours := 26.5
	return SetupProblems{Period: Period{Preset: PresetLatest}, Filters: Filters{Kind: "company"}, Companies: 30,
		Weeks: []SetupWeek{{Week: "2012-W46", Problems: share(3, 30), Sources: SetupSources{Answers: 2, Calls: 1, Events: some(1)},
			AnswerKinds: map[string]int{"employee_signature": 2}, CallCategories: map[string]int{"mailbox_creation": 1}, EventReasons: map[string]int{"technical_error": 1}}},
		Total: SetupTotal{Problems: share(3, 30), Sources: SetupSources{Answers: 2, Calls: 1, Events: some(1)}, Calls: 1, FailedEvents: 1, MedianSetupHours: &hours},
		Labels: SetupLabels{AnswerKinds: []Label{{Key: "employee_signature", Text: "Medarbejdersignaturer (NemID)"}},
			CallCategories: []Label{{Key: "mailbox_creation", Text: "Oprettelse af postkasse"}}, EventReasons: []Label{{Key: "technical_error", Text: "Teknisk fejl"}}},
		Problems: []SetupCompany{{CVR: "10000009", Name: "Firma A/S", Path: "/companies/10000009", Answer: true, Weeks: []string{"2012-W46"}}},
		Time:     SetupTime{MedianHours: &hours, Completed: []CompanySetupTime{}, Waiting: []CompanySetupTime{}}}
}

func followUpsExample() FollowUps {
	return FollowUps{Week: "2012-W46", Previous: "2012-W45", Period: Period{Preset: PresetLatest}, Filters: Filters{Kind: "company"}, Companies: 30,
		Waves: []string{"2012-W46", "2012-W45"}, Count: map[string]int{ReasonNewProblem: 1, ReasonUnresolvedCall: 0, ReasonNoAnswer: 0},
		Rows: []FollowUp{{CVR: "10000009", Name: "Firma A/S", Path: "/companies/10000009", Reasons: []string{ReasonNewProblem},
			NewProblem: &SetupSourceFlags{Answer: true}, Calls: []CallLink{}, InterviewPath: "/survey/companies/10000009#interview-form"}}}
}

// weekNumber is the number of an ISO week written 2012-W46: 46.
func weekNumber(w string) int {
	wk, err := week.Parse(w)
	if err != nil {
		return 0
	}
	return wk.Number()
}

// some is a pointer to n: a count that is known.
func some(n int) *int { return &n }
