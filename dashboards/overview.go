package dashboards

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/support"
)

// The start page (the pilot overview, per role) and its JSON twin
// GET /api/v1/metrics/overview; both read overview (overview_figures.go).

func queryOf(c *fiber.Ctx) overviewQuery {
	return overviewQuery{Week: c.Query("week"), Authority: c.Query("authority")}
}

func (h *handler) overviewJSON(c *fiber.Ctx) error {
	ov, err := h.overview(c.UserContext(), web.PrincipalOf(c), queryOf(c), time.Now())
	if err != nil {
		return err
	}
	return c.JSON(ov)
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
	Heading    string
	WeekIntro  string
	APIQuery   string
	Cards      []figureCard
	CallCards  []callsCard
	Authority  string // the authority's name shown (text), for its view
	HasCharts  bool
	IsLatest   bool
	LatestNote string
}

func (h *handler) overviewPage(c *fiber.Ctx) error {
	q := queryOf(c)
	ov, err := h.overview(c.UserContext(), web.PrincipalOf(c), q, time.Now())
	if err != nil {
		return err
	}
	lang := web.Language(c)
	tr := func(key string, args ...any) string { return tf(lang, key, args...) }
	v := overviewView{Overview: ov, IsLatest: ov.Week == ov.Latest}
	v.Heading = tr("overview.heading", weekNumber(ov.Week), ov.Week)
	if v.IsLatest {
		v.LatestNote = tr("overview.latest_note")
	} else {
		v.LatestNote = tr("overview.other_week_note", ov.Latest)
	}
	v.APIQuery = "week=" + ov.Week
	if q.Authority != "" {
		v.APIQuery += "&authority=" + q.Authority
	}
	switch {
	case ov.Pilot != nil:
		v.Cards = pilotCards(lang, ov)
	case ov.Authority != nil:
		v.Authority = ov.Authority.Name
		if v.Authority == "" {
			v.Authority = "CVR " + ov.Authority.AuthorityCVR
		}
		v.Cards = authorityCards(lang, ov)
	case ov.Support != nil:
		v.CallCards = supportCards(lang, ov)
	}
	for _, card := range v.Cards {
		if card.Chart != nil {
			v.HasCharts = true
		}
	}
	return h.srv.Render(c, "dashboards_overview", web.PageData{Title: "overview.title", Data: v, Form: map[string]string{"week": ov.Week, "authority": q.Authority}})
}

// tf translates key in lang and formats it with args.
func tf(lang, key string, args ...any) string {
	s := web.Translate(lang, key)
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// weekNumber is the number of an ISO week written 2012-W46: 46.
func weekNumber(w string) int {
	wk, err := week.Parse(w)
	if err != nil {
		return 0
	}
	return wk.Number()
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

// change is "+3 since week 46" (a count) in lang.
func change[N int | int64](lang string, now, before N, previous string) string {
	return tf(lang, "overview.change", signed(lang, float64(now)-float64(before), 0), weekNumber(previous))
}

// pointsChange is "+2.5 percentage points since week 46" in lang.
func pointsChange(lang string, now, before Share, previous string) string {
	return tf(lang, "overview.points_change", signed(lang, 100*(now.Share-before.Share), 1), weekNumber(previous))
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

// ofCompanies is "7 of 30 companies" with the share: the figure and its denominator.
func ofCompanies(lang string, s Share) string {
	return tf(lang, "overview.of_companies", count(lang, s.Part), count(lang, s.Whole), percentOf(lang, s))
}

func pilotCards(lang string, ov Overview) []figureCard {
	p := ov.Pilot
	weeks := ov.Weeks
	n := len(p.Weeks)
	now, before := p.Weeks[n-1], p.Weeks[n-2]
	series := func(of func(PilotWeek) float64) []float64 {
		out := make([]float64, n)
		for i, w := range p.Weeks {
			out[i] = of(w)
		}
		return out
	}
	pct := func(s Share) float64 { return 100 * s.Share }
	var cards []figureCard

	companies := figureCard{ID: "overview-companies", Title: tf(lang, "overview.companies"), Value: count(lang, p.Companies)}
	var others []string
	for _, k := range []string{"municipality", "region", "state_institution"} {
		others = append(others, count(lang, p.OtherParticipants[k])+" "+tf(lang, "kind."+k))
	}
	companies.Lines = []string{tf(lang, "overview.other_participants", strings.Join(others, ", "))}
	if p.Companies == 0 {
		companies.Empty, companies.EmptyHref, companies.EmptyLink = tf(lang, "overview.empty_companies"), "/companies", tf(lang, "nav.companies")
	}
	cards = append(cards, companies)

	setup := figureCard{ID: "overview-setup", Title: tf(lang, "overview.setup"), Value: ofCompanies(lang, now.SetupProblems),
		Change: change(lang, now.SetupProblems.Part, before.SetupProblems.Part, ov.Previous),
		Lines: []string{tf(lang, "overview.setup_cumulative", ofCompanies(lang, now.SetupProblemsCumulative)),
			tf(lang, "overview.setup_sources", count(lang, now.SetupProblemSources.Answers), count(lang, now.SetupProblemSources.Calls), count(lang, now.SetupProblemSources.Events))},
		Chart: &WeekChart{ID: "overview-setup-chart", Title: tf(lang, "overview.setup_chart"), Kind: LineChart, Unit: Percent, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.setup_week"), Values: series(func(w PilotWeek) float64 { return pct(w.SetupProblems) })},
				{Name: tf(lang, "overview.setup_cumulative_short"), Values: series(func(w PilotWeek) float64 { return pct(w.SetupProblemsCumulative) })}}}}
	cards = append(cards, setup)

	callers := figureCard{ID: "overview-callers", Title: tf(lang, "overview.callers"), Value: ofCompanies(lang, now.CallingCompanies),
		Change: change(lang, now.CallingCompanies.Part, before.CallingCompanies.Part, ov.Previous),
		Lines:  []string{tf(lang, "overview.calls_total", count(lang, now.Calls)) + " (" + change(lang, now.Calls, before.Calls, ov.Previous) + ")"},
		Chart: &WeekChart{ID: "overview-callers-chart", Title: tf(lang, "overview.callers_chart"), Kind: BarChart, Unit: Count, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.callers_series"), Values: series(func(w PilotWeek) float64 { return float64(w.CallingCompanies.Part) })},
				{Name: tf(lang, "overview.calls_series"), Values: series(func(w PilotWeek) float64 { return float64(w.Calls) })}}}}
	if now.Calls == 0 {
		callers.Empty, callers.EmptyHref, callers.EmptyLink = tf(lang, "overview.empty_calls", ov.Week), "/support/calls", tf(lang, "nav.support_calls")
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
			response.Change = pointsChange(lang, *r, *before.ResponseRate, ov.Previous)
		}
	} else {
		response.Empty, response.EmptyHref, response.EmptyLink = tf(lang, "overview.empty_wave", ov.Week), "/survey", tf(lang, "nav.survey")
	}
	cards = append(cards, response)

	third := figureCard{ID: "overview-third-party", Title: tf(lang, "overview.third_party"), Value: ofCompanies(lang, now.ThirdPartyAccess),
		Change: change(lang, now.ThirdPartyAccess.Part, before.ThirdPartyAccess.Part, ov.Previous),
		Lines:  []string{tf(lang, "overview.third_party_sources", count(lang, now.ThirdPartyAccessSources.Answers), count(lang, now.ThirdPartyAccessSources.Events))},
		Chart: &WeekChart{ID: "overview-third-party-chart", Title: tf(lang, "overview.third_party_chart"), Kind: LineChart, Unit: Percent, Weeks: weeks,
			Series: []Series{{Name: tf(lang, "overview.third_party"), Values: series(func(w PilotWeek) float64 { return pct(w.ThirdPartyAccess) })}}}}
	cards = append(cards, third)

	volume := figureCard{ID: "overview-volume", Title: tf(lang, "overview.volume"),
		Value:  tf(lang, "overview.messages_week", count(lang, now.Messages)),
		Change: change(lang, int64(now.Messages), int64(before.Messages), ov.Previous),
		Chart:  &WeekChart{ID: "overview-volume-chart", Title: tf(lang, "overview.volume_chart"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks}}
	for _, a := range p.Volume {
		name := authorityName(a)
		if m := a.Messages[n-1]; m > 0 {
			volume.Lines = append(volume.Lines, name+": "+count(lang, m))
		}
		values := make([]float64, n)
		for i, m := range a.Messages {
			values[i] = float64(m)
		}
		volume.Chart.Series = append(volume.Chart.Series, Series{Name: name, Values: values})
	}
	if now.Messages == 0 {
		volume.Empty, volume.EmptyHref, volume.EmptyLink = tf(lang, "overview.empty_messages", ov.Week), "/sources", tf(lang, "nav.sources")
	}
	return append(cards, volume)
}

func authorityName(a AuthorityVolume) string {
	if a.Name == "" {
		return "CVR " + a.AuthorityCVR
	}
	return a.Name
}

func authorityCards(lang string, ov Overview) []figureCard {
	a := ov.Authority
	n := len(a.Messages)
	card := figureCard{ID: "overview-authority", Title: tf(lang, "overview.authority_messages"),
		Value:  tf(lang, "overview.messages_week", count(lang, a.ThisWeek)),
		Change: change(lang, int64(a.ThisWeek), int64(a.PreviousWeek), ov.Previous),
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
		card.Empty = tf(lang, "overview.empty_authority_messages", ov.Week)
	}
	return []figureCard{card}
}

func supportCards(lang string, ov Overview) []callsCard {
	s := ov.Support
	today := callsCard{ID: "overview-calls-today", Title: tf(lang, "overview.calls_today", s.Today), Value: count(lang, len(s.CallsToday)), Calls: s.CallsToday}
	if len(s.CallsToday) == 0 {
		today.Empty, today.EmptyHref, today.EmptyLink = tf(lang, "overview.empty_calls_today"), "/support/calls/new", tf(lang, "overview.log_call")
	}
	weekCalls := callsCard{ID: "overview-calls-week", Title: tf(lang, "overview.calls_week", ov.Week), Value: count(lang, s.CallsWeek),
		Change: change(lang, s.CallsWeek, s.CallsPrevious, ov.Previous)}
	if s.CallsWeek == 0 {
		weekCalls.Empty, weekCalls.EmptyHref, weekCalls.EmptyLink = tf(lang, "overview.empty_calls", ov.Week), "/support/calls", tf(lang, "nav.support_calls")
	}
	followUps := callsCard{ID: "overview-follow-ups", Title: tf(lang, "overview.follow_ups"), Value: count(lang, len(s.OpenFollowUps)), Calls: s.OpenFollowUps}
	if len(s.OpenFollowUps) == 0 {
		followUps.Empty = tf(lang, "overview.empty_follow_ups")
	}
	return []callsCard{today, weekCalls, followUps}
}

// overviewExample is the JSON answer's example for the OpenAPI document.
func overviewExample() Overview {
	share := func(p, w int) Share { return support.NewShare(p, w) }
	rate := share(12, 30)
	target := int64(1000)
	return Overview{Week: "2012-W46", Previous: "2012-W45", Latest: "2012-W46", Weeks: []string{"2012-W45", "2012-W46"},
		Pilot: &PilotOverview{Companies: 30, OtherParticipants: map[string]int{"municipality": 2, "region": 1, "state_institution": 0},
			Weeks: []PilotWeek{{Week: "2012-W46", SetupProblems: share(3, 30), SetupProblemsCumulative: share(6, 30),
				SetupProblemSources: SetupSources{Answers: 2, Calls: 1, Events: 1}, Calls: 12, CallingCompanies: share(7, 30),
				CallsByCategory: map[string]int{"mailbox_creation": 4}, NotSolvedByDesk: map[string]Share{"portal": share(1, 4)},
				ResponseRate: &rate, ThirdPartyAccess: share(5, 30), ThirdPartyAccessSources: ThirdPartySources{Answers: 4, Events: 2}, Messages: 1234}},
			Volume: []AuthorityVolume{{AuthorityCVR: "10000025", Name: "Styrelsen A", WeeklyTarget: &target, Messages: []uint64{2, 1234}}}}}
}
