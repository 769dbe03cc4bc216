package dashboards

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// The start page (the pilot overview, per role) and its JSON twin
// GET /api/v1/metrics/overview; both read overview (overview_figures.go).

// overviewOf reads the request's period and filters and computes the
// overview: the one step of the page, its JSON twin and the week in
// review. ?week= (an ISO week or a date) is an alias of the one-week custom
// period from=to=week.
func (h *handler) overviewOf(c *fiber.Ctx) (Overview, error) {
	ctx := c.UserContext()
	pq := periodQueryOf(c)
	if wk := strings.TrimSpace(c.Query("week")); wk != "" {
		var fs problem.Fields
		figures.WeekParam(&fs, "week", wk)
		if pq != (PeriodQuery{}) {
			fs.Add("week", "dashboards.period_and_weeks")
		}
		if len(fs) > 0 {
			return Overview{}, fs
		}
		pq = PeriodQuery{From: wk, To: wk}
	}
	f, scope, err := h.filtersOf(ctx, c)
	if err != nil {
		return Overview{}, err
	}
	return h.overview(ctx, web.PrincipalOf(c), pq, f, scope, time.Now())
}

// jsonOf is the handler of a JSON twin: the page's figures as JSON.
func jsonOf[T any](figures func(*fiber.Ctx) (T, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		v, err := figures(c)
		if err != nil {
			return err
		}
		return c.JSON(v)
	}
}

// figureCard is one figure of the page: its value this week with the
// denominator, the change against the week before, more lines, or an
// empty state saying what is missing and where to get it; and its chart.
type figureCard struct {
	ID        string
	Title     string
	Value     string
	Change    string
	Lines     []string
	Empty     string
	EmptyHref string // the page that fills the figure
	EmptyLink string
	Chart     *WeekChart
}

// callsCard is a list of calls with links.
type callsCard struct {
	ID, Title, Value, Change, Empty, EmptyHref, EmptyLink string
	Calls                                                 []CallLink
}

type overviewView struct {
	chartPage
	Overview
	Filters     filterBar
	Heading     string
	Authority   string // the authority's name shown (text), for its view
	Denominator string // what the company figures count
	Cards       []figureCard
	CallCards   []callsCard
	HasCharts   bool
	LatestNote  string
	// Unavailable says the events' figures are left out (ClickHouse down).
	Unavailable string
	// Review is the week in review's text, for the admin's and manager's
	// view, and ReviewHref its page.
	Review     []string
	ReviewHref string
	// Workbook is the weekly workbook's download of the period's last
	// week (admins and managers), and WorkbookLabel its text.
	Workbook, WorkbookLabel string
}

func (h *handler) overviewPage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	lang := web.Language(c)
	tr := func(key string, args ...any) string { return tf(lang, key, args...) }
	show := filterFields{Kind: true, Cohort: true, Authority: true}
	if p := web.PrincipalOf(c); p != nil && p.Role == auth.RoleSupport {
		show = filterFields{}
	}
	ov, err := h.overviewOf(c)
	if err != nil {
		return h.filterProblem(c, err, pageRef{"dashboards_overview", "overview.title", "/", "/api/v1/metrics/overview", show},
			func(bar filterBar) any { return overviewView{Heading: tr("overview.title"), Filters: bar} })
	}
	v := overviewView{Overview: ov}
	if ov.Support != nil {
		show = filterFields{}
	}
	if v.Filters, err = h.filterBar(ctx, c, "/", "/api/v1/metrics/overview", ov.Period, ov.Filters, show); err != nil {
		return err
	}
	if ov.Period.From == ov.Period.To {
		v.Heading = tr("overview.heading", ov.Period.To.Number(), ov.Week)
	} else {
		v.Heading = tr("overview.heading_period", weeksText(ov.Period.From.String(), ov.Week))
	}
	if ov.Week == ov.Latest {
		v.LatestNote = tr("overview.latest_note")
	} else {
		v.LatestNote = tr("overview.other_week_note", ov.Latest)
	}
	if !ov.EventsAvailable() {
		v.Unavailable = tr("overview.unavailable")
	}
	cmp := comparer{lang: lang, period: ov.Period}
	switch {
	case ov.Pilot != nil:
		v.Denominator = tr("overview.denominator", tr("dashboards.kind_"+ov.Pilot.Kind)) + " " +
			registry.Denominator(ov.Pilot.Companies, ov.Pilot.Kind, ov.Filters.Cohort).In(lang)
		v.Cards = pilotCards(cmp, ov)
		r, err := h.reviewOf(ctx, lang, ov)
		if err != nil {
			return err
		}
		v.Review = r.Sentences
		v.Workbook = WeeklyReportPath + "?week=" + ov.Week
		v.WorkbookLabel = tr("report.download", ov.Week)
		v.ReviewHref = "/dashboards/week-in-review?" + ov.Filters.Query(ov.Period).Encode()
	case ov.Filters.Authority != "":
		a, err := h.Registry.Authority(ctx, web.ScopeOf(c), ov.Filters.Authority)
		if err != nil {
			return err
		}
		v.Authority = a.Name
		if v.Authority == "" {
			v.Authority = "CVR " + a.CVR
		}
		if ov.Authority != nil {
			v.Cards = authorityCards(cmp, ov)
		}
	case ov.Support != nil:
		v.CallCards = supportCards(cmp, ov)
	}
	for _, card := range v.Cards {
		if card.Chart != nil {
			v.HasCharts = true
		}
	}
	return h.srv.Render(c, "dashboards_overview", web.PageData{Title: "overview.title", Data: v})
}

// tf translates key in lang and formats it with args.
func tf(lang, key string, args ...any) string {
	s := web.Translate(lang, key)
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// count writes a whole number in lang.
func count[N int | int64 | uint64](lang string, n N) string { return web.FormatCount(lang, int64(n)) }

// percentOf writes a share as a percentage with one decimal, "–" when its
// whole is 0.
func percentOf(lang string, s Share) string {
	if s.Whole == 0 {
		return "–"
	}
	return web.FormatPercent(lang, 100*s.Share, 1)
}

// comparer writes a figure's change against the previous period, in lang.
type comparer struct {
	lang   string
	period Period
}

// since is "siden uge 45" for a one-week previous period, else "mod
// 2012-W41 – 2012-W44".
func (c comparer) since() string {
	if c.period.PreviousFrom == c.period.PreviousTo {
		return tf(c.lang, "overview.since_week", c.period.PreviousTo.Number())
	}
	return tf(c.lang, "overview.since_period", weeksText(c.period.PreviousFrom.String(), c.period.PreviousTo.String()))
}

// count is "+3 siden uge 46".
func (c comparer) count(now, before int64) string {
	return tf(c.lang, "overview.change", signed(c.lang, float64(now)-float64(before), 0), c.since())
}

// points is "+2,5 procentpoint siden uge 46".
func (c comparer) points(now, before Share) string {
	return tf(c.lang, "overview.points_change", signed(c.lang, 100*(now.Share-before.Share), 1), c.since())
}

// signed writes a difference with its sign: +3, -3, ±0.
func signed(lang string, d float64, decimals int) string {
	sign := "+"
	switch {
	case d < 0:
		sign, d = "-", -d
	case d == 0:
		sign = "±"
	}
	return sign + web.FormatNumber(lang, d, decimals)
}

// ofCompanies is "7 af 30 virksomheder" with the share: the figure and its
// denominator, named by the participant kind counted.
func ofCompanies(lang, kind string, s Share) string {
	return tf(lang, "overview.of_"+kind, count(lang, s.Part), count(lang, s.Whole), percentOf(lang, s))
}

// deref is the value of n, 0 when it is nil.
func deref[N int | uint64](n *N) N {
	if n == nil {
		return 0
	}
	return *n
}

func pilotCards(cmp comparer, ov Overview) []figureCard {
	lang := cmp.lang
	p := ov.Pilot
	weeks := ov.Weeks
	n := len(p.Weeks)
	now, before := p.Period, p.PreviousPeriod
	series := func(of func(PilotWeek) float64) []float64 {
		out := make([]float64, n)
		for i, w := range p.Weeks {
			out[i] = of(w)
		}
		return out
	}
	pct := func(s Share) float64 { return 100 * s.Share }
	of := func(s Share) string { return ofCompanies(lang, p.Kind, s) }
	var cards []figureCard

	companies := figureCard{ID: "overview-companies", Title: tf(lang, "overview.companies"), Value: count(lang, p.CompaniesByEnd),
		Change: cmp.count(int64(p.CompaniesByEnd), int64(p.CompaniesByPreviousEnd))}
	var others []string
	for _, k := range []string{"municipality", "region", "state_institution"} {
		others = append(others, count(lang, p.OtherParticipants[k])+" "+tf(lang, "kind."+k))
	}
	companies.Lines = []string{tf(lang, "overview.companies_registered", count(lang, p.Companies), tf(lang, "dashboards.kind_"+p.Kind)),
		tf(lang, "overview.other_participants", strings.Join(others, ", "))}
	if p.Companies == 0 {
		companies.Empty, companies.EmptyHref, companies.EmptyLink = tf(lang, "overview.empty_companies"), "/companies", tf(lang, "nav.companies")
	}
	cards = append(cards, companies)

	setup := figureCard{ID: "overview-setup", Title: tf(lang, "overview.setup"), Value: of(now.SetupProblems),
		Change: cmp.count(int64(now.SetupProblems.Part), int64(before.SetupProblems.Part)),
		Lines: []string{tf(lang, "overview.setup_cumulative", of(now.SetupProblemsCumulative)),
			tf(lang, "overview.setup_sources", count(lang, now.SetupProblemSources.Answers), count(lang, now.SetupProblemSources.Calls), eventCount(lang, now.SetupProblemSources.Events))},
		Chart: &WeekChart{ID: "overview-setup-chart", Title: tf(lang, "overview.setup_chart"), Kind: LineChart, Unit: Percent, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.setup_week"), Values: series(func(w PilotWeek) float64 { return pct(w.SetupProblems) })},
				{Name: tf(lang, "overview.setup_cumulative_short"), Values: series(func(w PilotWeek) float64 { return pct(w.SetupProblemsCumulative) })}}}}
	cards = append(cards, setup)

	callers := figureCard{ID: "overview-callers", Title: tf(lang, "overview.callers"), Value: of(now.CallingCompanies),
		Change: cmp.count(int64(now.CallingCompanies.Part), int64(before.CallingCompanies.Part)),
		Lines:  []string{tf(lang, "overview.calls_total", count(lang, now.Calls)) + " (" + cmp.count(int64(now.Calls), int64(before.Calls)) + ")"},
		Chart: &WeekChart{ID: "overview-callers-chart", Title: tf(lang, "overview.callers_chart"), Kind: BarChart, Unit: Count, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.callers_series"), Values: series(func(w PilotWeek) float64 { return float64(w.CallingCompanies.Part) })},
				{Name: tf(lang, "overview.calls_series"), Values: series(func(w PilotWeek) float64 { return float64(w.Calls) })}}}}
	if now.Calls == 0 {
		callers.Empty, callers.EmptyHref, callers.EmptyLink = tf(lang, "overview.empty_calls", periodText(ov.Period)), "/support/calls", tf(lang, "nav.support_calls")
	}
	cards = append(cards, callers)

	categories := figureCard{ID: "overview-categories", Title: tf(lang, "overview.categories"), Value: tf(lang, "overview.calls_total", count(lang, now.Calls)),
		Chart: &WeekChart{ID: "overview-categories-chart", Title: tf(lang, "overview.categories_chart"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks}}
	for _, cat := range support.Categories {
		name := tf(lang, "support.category."+cat)
		if k := now.CallsByCategory[cat]; k > 0 {
			categories.Lines = append(categories.Lines, name+": "+count(lang, k))
		}
		categories.Chart.Series = append(categories.Chart.Series, Series{Name: name, Values: series(func(w PilotWeek) float64 { return float64(w.CallsByCategory[cat]) })})
	}
	cards = append(cards, categories)

	notSolved := figureCard{ID: "overview-not-solved", Title: tf(lang, "overview.not_solved"),
		Chart: &WeekChart{ID: "overview-not-solved-chart", Title: tf(lang, "overview.not_solved_chart"), Kind: LineChart, Unit: Percent, Weeks: weeks}}
	for _, desk := range support.Desks {
		name := tf(lang, "support.desk."+desk)
		s := now.NotSolvedByDesk[desk]
		notSolved.Lines = append(notSolved.Lines, tf(lang, "overview.not_solved_desk", name, percentOf(lang, s), count(lang, s.Part), count(lang, s.Whole)))
		notSolved.Chart.Series = append(notSolved.Chart.Series, Series{Name: name, Values: series(func(w PilotWeek) float64 { return pct(w.NotSolvedByDesk[desk]) })})
	}
	cards = append(cards, notSolved)

	response := figureCard{ID: "overview-response", Title: tf(lang, "overview.response"),
		Chart: &WeekChart{ID: "overview-response-chart", Title: tf(lang, "overview.response_chart"), Kind: LineChart, Unit: Percent, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.response"), Values: series(func(w PilotWeek) float64 {
				if w.ResponseRate == nil {
					return 0
				}
				return pct(*w.ResponseRate)
			})}}}}
	if r := now.ResponseRate; r != nil {
		response.Value = tf(lang, "overview.of_invitations", count(lang, r.Part), count(lang, r.Whole), percentOf(lang, *r))
		if before.ResponseRate != nil {
			response.Change = cmp.points(*r, *before.ResponseRate)
		}
	} else {
		response.Empty, response.EmptyHref, response.EmptyLink = tf(lang, "overview.empty_wave", periodText(ov.Period)), "/survey", tf(lang, "nav.survey")
	}
	cards = append(cards, response)

	ease := figureCard{ID: "overview-ease", Title: tf(lang, "overview.ease"),
		Chart: &WeekChart{ID: "overview-ease-chart", Title: tf(lang, "overview.ease_chart"), Kind: LineChart, Unit: Score, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.ease_series"), Values: series(func(w PilotWeek) float64 {
				if w.Ease == nil {
					return 0
				}
				return *w.Ease
			})}}}}
	if e := now.Ease; e != nil {
		ease.Value = tf(lang, "overview.ease_value", web.FormatNumber(lang, *e, 1), count(lang, now.EaseAnswers))
		if before.Ease != nil {
			ease.Change = tf(lang, "overview.change", signed(lang, *e-*before.Ease, 1), cmp.since())
		}
	} else {
		ease.Empty, ease.EmptyHref, ease.EmptyLink = tf(lang, "overview.empty_ease", periodText(ov.Period)), "/survey", tf(lang, "nav.survey")
	}
	cards = append(cards, ease)

	third := figureCard{ID: "overview-third-party", Title: tf(lang, "overview.third_party"), Value: of(now.ThirdPartyAccess),
		Change: cmp.count(int64(now.ThirdPartyAccess.Part), int64(before.ThirdPartyAccess.Part)),
		Lines:  []string{tf(lang, "overview.third_party_sources", count(lang, now.ThirdPartyAccessSources.Answers), eventCount(lang, now.ThirdPartyAccessSources.Events))},
		Chart: &WeekChart{ID: "overview-third-party-chart", Title: tf(lang, "overview.third_party_chart"), Kind: LineChart, Unit: Percent, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.third_party"), Values: series(func(w PilotWeek) float64 { return pct(w.ThirdPartyAccess) })}}}}
	cards = append(cards, third)

	if p.Volume == nil { // the events are unavailable: the page says so once
		return cards
	}
	volume := figureCard{ID: "overview-volume", Title: tf(lang, "overview.volume"),
		Value:  tf(lang, messagesKey(ov.Period), count(lang, deref(now.Messages))),
		Change: cmp.count(int64(deref(now.Messages)), int64(deref(before.Messages))),
		Chart:  &WeekChart{ID: "overview-volume-chart", Title: tf(lang, "overview.volume_chart"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks}}
	for _, a := range p.Volume {
		name := authorityName(a)
		if m := a.Messages[n-1]; m > 0 && ov.Period.From == ov.Period.To {
			volume.Lines = append(volume.Lines, name+": "+count(lang, m))
		}
		values := make([]float64, n)
		for i, m := range a.Messages {
			values[i] = float64(m)
		}
		volume.Chart.Series = append(volume.Chart.Series, Series{Name: name, Values: values})
	}
	if deref(now.Messages) == 0 {
		volume.Empty, volume.EmptyHref, volume.EmptyLink = tf(lang, "overview.empty_messages", periodText(ov.Period)), "/sources", tf(lang, "nav.sources")
	}
	return append(cards, volume)
}

// messagesKey is the text of a number of messages in the period: "in the
// week" for one week.
func messagesKey(p Period) string {
	if p.From == p.To {
		return "overview.messages_week"
	}
	return "overview.messages_period"
}

// periodText is the period written for people: 2012-W46, or 2012-W43 – 2012-W46.
func periodText(p Period) string { return weeksText(p.From.String(), p.To.String()) }

// eventCount is a count read from the events, "–" when they are unavailable.
func eventCount(lang string, n *int) string {
	if n == nil {
		return "–"
	}
	return count(lang, *n)
}

func authorityName(a AuthorityVolume) string {
	if a.Name == "" {
		return "CVR " + a.AuthorityCVR
	}
	return a.Name
}

func authorityCards(cmp comparer, ov Overview) []figureCard {
	lang := cmp.lang
	a := ov.Authority
	n := len(a.Messages)
	card := figureCard{ID: "overview-authority", Title: tf(lang, "overview.authority_messages"),
		Value:  tf(lang, messagesKey(ov.Period), count(lang, a.ThisWeek)),
		Change: cmp.count(int64(a.ThisWeek), int64(a.PreviousWeek)),
		Chart:  &WeekChart{ID: "overview-authority-chart", Title: tf(lang, "overview.authority_chart"), Kind: LineChart, Unit: Count, Weeks: ov.Weeks}}
	values := make([]float64, n)
	for i, m := range a.Messages {
		values[i] = float64(m)
	}
	card.Chart.Series = []Series{{Name: tf(lang, "volume.messages"), Values: values}}
	if t := a.WeeklyTarget; t != nil && *t > 0 {
		card.Lines = []string{tf(lang, "overview.target", count(lang, *t), web.FormatPercent(lang, 100**a.OfTarget, 1))}
		target := make([]float64, n)
		for i := range target {
			target[i] = float64(*t)
		}
		card.Chart.Series = append(card.Chart.Series, Series{Name: tf(lang, "overview.target_series"), Values: target})
	} else {
		card.Lines = []string{tf(lang, "overview.no_target")}
	}
	if a.ThisWeek == 0 {
		card.Empty = tf(lang, "overview.empty_authority_messages", periodText(ov.Period))
	}
	return []figureCard{card}
}

func supportCards(cmp comparer, ov Overview) []callsCard {
	lang := cmp.lang
	s := ov.Support
	today := callsCard{ID: "overview-calls-today", Title: tf(lang, "overview.calls_today", s.Today), Value: count(lang, len(s.CallsToday)), Calls: s.CallsToday}
	if len(s.CallsToday) == 0 {
		today.Empty, today.EmptyHref, today.EmptyLink = tf(lang, "overview.empty_calls_today"), "/support/calls/new", tf(lang, "overview.log_call")
	}
	weekCalls := callsCard{ID: "overview-calls-week", Title: tf(lang, "overview.calls_week", periodText(ov.Period)), Value: count(lang, s.CallsWeek),
		Change: cmp.count(int64(s.CallsWeek), int64(s.CallsPrevious))}
	if s.CallsWeek == 0 {
		weekCalls.Empty, weekCalls.EmptyHref, weekCalls.EmptyLink = tf(lang, "overview.empty_calls", periodText(ov.Period)), "/support/calls", tf(lang, "nav.support_calls")
	}
	followUps := callsCard{ID: "overview-follow-ups", Title: tf(lang, "overview.follow_ups"), Value: count(lang, s.OpenFollowUpCount), Calls: s.OpenFollowUps}
	if s.OpenFollowUpCount == 0 {
		followUps.Empty = tf(lang, "overview.empty_follow_ups")
	}
	return []callsCard{today, weekCalls, followUps}
}

// overviewExample is the JSON answer's example for the OpenAPI document.
func overviewExample() Overview {
	share := func(p, w int) Share { return support.NewShare(p, w) }
	rate := share(12, 30)
	target := int64(1000)
	one, two, messages := 1, 2, uint64(1234)
	w45, w46 := week.MustParse("2012-W45"), week.MustParse("2012-W46")
	figures := PilotFigures{SetupProblems: share(3, 30), SetupProblemsCumulative: share(6, 30),
		SetupProblemSources: SetupSources{Answers: 2, Calls: 1, Events: &one}, Calls: 12, CallingCompanies: share(7, 30),
		CallsByCategory: map[string]int{"mailbox_creation": 4}, NotSolvedByDesk: map[string]Share{"portal": share(1, 4)},
		ResponseRate: &rate, ThirdPartyAccess: share(5, 30), ThirdPartyAccessSources: ThirdPartySources{Answers: 4, Events: &two}, Messages: &messages}
	return Overview{Period: Period{Preset: PresetLatest, From: w46, To: w46, PreviousFrom: w45, PreviousTo: w45, First: w45, Latest: w46},
		Filters: Filters{Kind: registry.KindCompany}, Week: "2012-W46", Previous: "2012-W45", Latest: "2012-W46", Weeks: []string{"2012-W45", "2012-W46"},
		Pilot: &PilotOverview{Kind: registry.KindCompany, Companies: 30, CompaniesByEnd: 30, CompaniesByPreviousEnd: 28,
			OtherParticipants: map[string]int{"municipality": 2, "region": 1, "state_institution": 0},
			Period:            figures, PreviousPeriod: figures,
			Weeks:  []PilotWeek{{Week: "2012-W46", PilotFigures: figures}},
			Volume: []AuthorityVolume{{AuthorityCVR: "10000025", Name: "Styrelsen A", WeeklyTarget: &target, Messages: []uint64{2, 1234}}}},
		Unavailable: []string{}}
}
