package dashboards

// Setup problems (/dashboards/setup-problems and
// GET /api/v1/metrics/setup-problems): one function, setupProblems,
// computes what both show. Definitions: docs/figures.md#setup-problems.

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// SetupProblems is what the setup problems page and its JSON twin show.
type SetupProblems struct {
	Period  Period  `json:"period"`
	Filters Filters `json:"filters"`
	// Companies is the denominator: the registry's participants the kind
	// and cohort filters count (kind company by default).
	Companies int `json:"companies"`
	// Weeks has an entry per week of the period, oldest first.
	Weeks    []SetupWeek    `json:"weeks"`
	Total    SetupTotal     `json:"total"`    // the period
	Previous SetupTotal     `json:"previous"` // the previous period, for the changes
	Labels   SetupLabels    `json:"labels"`
	Problems []SetupCompany `json:"companies_with_problems"`
	Time     SetupTime      `json:"setup_time"`
}

// SetupWeek is one week of the three sources.
type SetupWeek struct {
	Week string `json:"week"`
	// Problems: companies with a setup problem from any source in the week,
	// over Companies; Sources counts them per source (a company may be in several).
	Problems Share        `json:"problems"`
	Sources  SetupSources `json:"sources"`
	// AnswerKinds: companies choosing each kind of problem in the week's
	// wave (question setup_problem_kinds), by option key.
	AnswerKinds map[string]int `json:"answer_kinds"`
	// CallCategories: live calls per setup category received in the week.
	CallCategories map[string]int `json:"call_categories"`
	// EventReasons: mailbox.setup_failed events per reason ("" none given).
	EventReasons map[string]int `json:"event_reasons"`
}

// SetupTotal is a period's figures: companies with a problem in any of its
// weeks (each once), per source, the setup calls and failure events, and
// the median setup time of the setups completed in it.
type SetupTotal struct {
	Problems     Share        `json:"problems"`
	Sources      SetupSources `json:"sources"`
	Calls        int          `json:"calls"`
	FailedEvents int          `json:"failed_events"`
	// MedianSetupHours: null when no setup was completed in the period.
	MedianSetupHours *float64 `json:"median_setup_hours"`
}

// SetupLabels say what the keys of the weeks' maps mean, in the reader's
// language, in the order the page shows them.
type SetupLabels struct {
	AnswerKinds    []Label `json:"answer_kinds"`    // the questionnaire's texts
	CallCategories []Label `json:"call_categories"` // support.SetupCategories
	EventReasons   []Label `json:"event_reasons"`   // the reasons seen in the period
}

// Label is a key and its text.
type Label struct {
	Key  string `json:"key"`
	Text string `json:"text"`
}

// SetupCompany is a company with a setup problem in the period and which
// sources reported it.
type SetupCompany struct {
	CVR    string   `json:"cvr"`
	Name   string   `json:"name"`
	Path   string   `json:"path"` // its company page
	Answer bool     `json:"answer"`
	Call   bool     `json:"call"`
	Event  bool     `json:"event"`
	Weeks  []string `json:"weeks"` // the weeks it had a problem in
}

// SetupTime is the time from mailbox.setup_started to
// mailbox.setup_completed, per company, as of the end of the period.
type SetupTime struct {
	// MedianHours over the setups completed in the period; null when none.
	MedianHours *float64 `json:"median_hours"`
	// Completed: the setups completed in the period, longest first.
	Completed []CompanySetupTime `json:"completed"`
	// Waiting: companies that started and had not completed by the end of
	// the period (or now, if sooner), longest waiting first.
	Waiting []CompanySetupTime `json:"waiting"`
}

// CompanySetupTime is one company's setup: Hours from start to completion,
// or, still waiting, from start to the end of the period.
type CompanySetupTime struct {
	CVR       string     `json:"cvr"`
	Name      string     `json:"name"`
	Path      string     `json:"path"`
	Started   time.Time  `json:"started_at"`
	Completed *time.Time `json:"completed_at"`
	Hours     float64    `json:"hours"`
}

// companyPath is the path of a company's page.
func companyPath(cvr string) string { return "/companies/" + cvr }

// setupData is what the setup figures are made of, for the weeks from
// from to to: per source, per week, the counted companies with a problem,
// and the details behind them.
type setupData struct {
	companies map[string]registry.Company // the counted participants by CVR
	answers   map[week.Week]map[string]bool
	calls     map[week.Week]map[string]bool
	events    map[week.Week]map[string]bool
	kinds     map[week.Week]map[string]int // companies per answer kind
	callCats  map[week.Week]map[string]int // calls per setup category
	reasons   map[week.Week]map[string]int // failure events per reason
}

// any is the union of the three sources in week w.
func (d setupData) any(w week.Week) map[string]bool {
	out := map[string]bool{}
	for _, s := range []map[week.Week]map[string]bool{d.answers, d.calls, d.events} {
		for c := range s[w] {
			out[c] = true
		}
	}
	return out
}

func addTo[K comparable](m map[week.Week]map[K]bool, w week.Week, k K) {
	if m[w] == nil {
		m[w] = map[K]bool{}
	}
	m[w][k] = true
}

func countIn(m map[week.Week]map[string]int, w week.Week, k string, n int) {
	if m[w] == nil {
		m[w] = map[string]int{}
	}
	m[w][k] += n
}

// loadSetup reads the three sources for the weeks of the ranges (at most
// PeriodMaxWeeks each), for the companies f counts.
func (h *handler) loadSetup(ctx context.Context, scope auth.Scope, f Filters, now time.Time, ranges ...week.Range) (setupData, error) {
	d := setupData{companies: map[string]registry.Company{}, answers: map[week.Week]map[string]bool{}, calls: map[week.Week]map[string]bool{},
		events: map[week.Week]map[string]bool{}, kinds: map[week.Week]map[string]int{}, callCats: map[week.Week]map[string]int{}, reasons: map[week.Week]map[string]int{}}
	participants, err := h.Registry.Participants(ctx)
	if err != nil {
		return d, err
	}
	cvrOf := map[int64]string{}
	for _, c := range f.Companies(participants) {
		d.companies[c.CVR], cvrOf[c.ID] = c, c.CVR
	}
	in := func(w week.Week) bool {
		return slices.ContainsFunc(ranges, func(r week.Range) bool { return !w.Before(r.From) && !r.To.Before(w) })
	}

	yes, err := h.Survey.CompaniesAnswering(ctx, survey.KeySetupProblem, "yes")
	if err != nil {
		return d, err
	}
	for w, cvrs := range byWave(yes) {
		for _, c := range cvrs {
			if _, ok := d.companies[c]; ok && in(w) {
				addTo(d.answers, w, c)
			}
		}
	}
	kinds, err := h.Survey.CompaniesChoosing(ctx, survey.KeySetupProblemKinds)
	if err != nil {
		return d, err
	}
	for wave, byCompany := range kinds {
		w, err := week.Parse(wave)
		if err != nil || !in(w) {
			continue
		}
		for c, options := range byCompany {
			if !d.answers[w][c] { // a kind counts with its yes, as the questionnaire asks it
				continue
			}
			for _, o := range options {
				countIn(d.kinds, w, o, 1)
			}
		}
	}

	kind := f.Kind
	if kind == KindAll {
		kind = ""
	}
	for _, r := range ranges {
		facts, err := h.Support.Facts(ctx, scope, support.FigureFilter{From: r.From, To: r.To, Kind: kind, Cohort: f.Cohort, AsOf: now})
		if err != nil {
			return d, err
		}
		for _, w := range facts.Weeks() {
			for _, c := range facts.Week(w) {
				if cvr, ok := cvrOf[c.CompanyID]; ok && support.SetupProblem(c.Category) {
					addTo(d.calls, w, cvr)
					countIn(d.callCats, w, c.Category, 1)
				}
			}
		}
		failures, err := figures.SetupFailures(ctx, h.CH, scope, r.From, r.To)
		if err != nil {
			return d, err
		}
		for _, fl := range failures {
			if _, ok := d.companies[fl.CompanyCVR]; ok {
				addTo(d.events, fl.Week, fl.CompanyCVR)
				countIn(d.reasons, fl.Week, fl.Reason, int(fl.Events))
			}
		}
	}
	return d, nil
}

// companyPeriod is the scope the company figures read with and the period
// asked for, against the weeks with answers, calls or events.
func (h *handler) companyPeriod(ctx context.Context, p *auth.Principal, q PeriodQuery, now time.Time) (auth.Scope, Period, error) {
	scope := companyScope(p)
	first, latest, err := h.dataSpan(ctx, auth.RoleAdmin, scope, false, nil)
	if err != nil {
		return scope, Period{}, err
	}
	period, err := ResolvePeriod(q, first, latest, now)
	return scope, period, err
}

// setupProblems computes the setup problems figures for the principal: the
// one function behind the page and its JSON twin. lang is the language of
// the labels.
func (h *handler) setupProblems(ctx context.Context, p *auth.Principal, q PeriodQuery, f Filters, lang string, now time.Time) (SetupProblems, error) {
	scope, period, err := h.companyPeriod(ctx, p, q, now)
	if err != nil {
		return SetupProblems{}, err
	}
	d, err := h.loadSetup(ctx, scope, f, now, period.Previous(), period.Range())
	if err != nil {
		return SetupProblems{}, err
	}
	sp := SetupProblems{Period: period, Filters: f, Companies: len(d.companies), Weeks: []SetupWeek{}, Problems: []SetupCompany{}}
	options, err := h.Survey.QuestionOptions(ctx, survey.KeySetupProblemKinds, lang)
	if err != nil {
		return sp, err
	}
	for _, k := range options.Keys {
		sp.Labels.AnswerKinds = append(sp.Labels.AnswerKinds, Label{Key: k, Text: options.Text(k)})
	}
	for _, c := range support.SetupCategories {
		sp.Labels.CallCategories = append(sp.Labels.CallCategories, Label{Key: c, Text: tf(lang, "support.category."+c)})
	}
	var reasons []string
	for _, w := range period.Range().Weeks() {
		sw := SetupWeek{Week: w.String(), Problems: support.NewShare(len(d.any(w)), sp.Companies),
			Sources:     SetupSources{Answers: len(d.answers[w]), Calls: len(d.calls[w]), Events: some(len(d.events[w]))},
			AnswerKinds: map[string]int{}, CallCategories: map[string]int{}, EventReasons: map[string]int{}}
		for _, k := range options.Keys {
			sw.AnswerKinds[k] = 0
		}
		for k, n := range d.kinds[w] {
			sw.AnswerKinds[k] = n
			if !slices.ContainsFunc(sp.Labels.AnswerKinds, func(l Label) bool { return l.Key == k }) {
				sp.Labels.AnswerKinds = append(sp.Labels.AnswerKinds, Label{Key: k, Text: options.Text(k)})
			}
		}
		for _, c := range support.SetupCategories {
			sw.CallCategories[c] = d.callCats[w][c]
		}
		for r, n := range d.reasons[w] {
			sw.EventReasons[r] = n
			if !slices.Contains(reasons, r) {
				reasons = append(reasons, r)
			}
		}
		sp.Weeks = append(sp.Weeks, sw)
	}
	slices.Sort(reasons)
	for _, r := range reasons {
		sp.Labels.EventReasons = append(sp.Labels.EventReasons, Label{Key: r, Text: reasonText(lang, r)})
	}
	for _, sw := range sp.Weeks {
		for _, r := range reasons {
			sw.EventReasons[r] += 0
		}
	}
	sp.Total = setupTotal(d, period.Range(), sp.Companies)
	sp.Previous = setupTotal(d, period.Previous(), sp.Companies)
	sp.Problems = setupCompanies(d, period.Range())

	until := period.To.End()
	if now.Before(until) {
		until = now
	}
	setups, err := figures.SetupTimes(ctx, h.CH, scope, until)
	if err != nil {
		return sp, err
	}
	sp.Time, sp.Total.MedianSetupHours, sp.Previous.MedianSetupHours = setupTimes(d, setups, period, until)
	return sp, nil
}

// reasonText is a failure reason in lang: the known reasons translated,
// any other as sent, none as "no reason given".
func reasonText(lang, reason string) string {
	key := "setup.reason." + reason
	if reason == "" {
		key = "setup.reason_none"
	}
	if t := web.Translate(lang, key); t != key {
		return t
	}
	return reason
}

// setupTotal is the figures of the weeks of r.
func setupTotal(d setupData, r week.Range, companies int) SetupTotal {
	all, answers, calls, events := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
	var t SetupTotal
	for _, w := range r.Weeks() {
		for c := range d.any(w) {
			all[c] = true
		}
		for _, s := range []struct {
			from map[string]bool
			to   map[string]bool
		}{{d.answers[w], answers}, {d.calls[w], calls}, {d.events[w], events}} {
			for c := range s.from {
				s.to[c] = true
			}
		}
		for _, n := range d.callCats[w] {
			t.Calls += n
		}
		for _, n := range d.reasons[w] {
			t.FailedEvents += n
		}
	}
	t.Problems = support.NewShare(len(all), companies)
	t.Sources = SetupSources{Answers: len(answers), Calls: len(calls), Events: some(len(events))}
	return t
}

// setupCompanies are the companies with a problem in the weeks of r, by
// name, with the sources that reported it.
func setupCompanies(d setupData, r week.Range) []SetupCompany {
	byCVR := map[string]*SetupCompany{}
	for _, w := range r.Weeks() {
		for c := range d.any(w) {
			sc := byCVR[c]
			if sc == nil {
				co := d.companies[c]
				sc = &SetupCompany{CVR: c, Name: co.Name, Path: companyPath(c)}
				byCVR[c] = sc
			}
			sc.Answer = sc.Answer || d.answers[w][c]
			sc.Call = sc.Call || d.calls[w][c]
			sc.Event = sc.Event || d.events[w][c]
			sc.Weeks = append(sc.Weeks, w.String())
		}
	}
	out := []SetupCompany{}
	for _, sc := range byCVR {
		out = append(out, *sc)
	}
	slices.SortFunc(out, func(a, b SetupCompany) int {
		if a.Name != b.Name {
			return cmp.Compare(a.Name, b.Name)
		}
		return cmp.Compare(a.CVR, b.CVR)
	})
	return out
}

// setupTimes splits the counted companies' setups into those completed in
// the period, those completed in the previous period (for the change) and
// those still waiting at until, with the medians.
func setupTimes(d setupData, setups []figures.CompanySetup, p Period, until time.Time) (t SetupTime, median, previous *float64) {
	t = SetupTime{Completed: []CompanySetupTime{}, Waiting: []CompanySetupTime{}}
	var now, before []float64
	inRange := func(at time.Time, r week.Range) bool { return !at.Before(r.From.Start()) && at.Before(r.To.End()) }
	for _, s := range setups {
		co, ok := d.companies[s.CompanyCVR]
		if !ok {
			continue
		}
		row := CompanySetupTime{CVR: co.CVR, Name: co.Name, Path: companyPath(co.CVR), Started: s.Started}
		switch {
		case s.Completed.IsZero():
			row.Hours = until.Sub(s.Started).Hours()
			t.Waiting = append(t.Waiting, row)
		case inRange(s.Completed, p.Range()):
			completed := s.Completed
			row.Completed, row.Hours = &completed, completed.Sub(s.Started).Hours()
			t.Completed = append(t.Completed, row)
			now = append(now, row.Hours)
		case inRange(s.Completed, p.Previous()):
			before = append(before, s.Completed.Sub(s.Started).Hours())
		}
	}
	longest := func(a, b CompanySetupTime) int {
		if a.Hours != b.Hours {
			return cmp.Compare(b.Hours, a.Hours)
		}
		return cmp.Compare(a.CVR, b.CVR)
	}
	slices.SortFunc(t.Completed, longest)
	slices.SortFunc(t.Waiting, longest)
	t.MedianHours = medianOf(now)
	return t, t.MedianHours, medianOf(before)
}

// medianOf is the median (the mean of the two middle values for an even
// count), nil for none.
func medianOf(vs []float64) *float64 {
	if len(vs) == 0 {
		return nil
	}
	s := slices.Clone(vs)
	slices.Sort(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return &m
}
