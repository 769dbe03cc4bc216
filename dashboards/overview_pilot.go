package dashboards

// The pilot's figures of the overview (docs/figures.md#pilot-overview):
// loaded once for the weeks needed, then computed over any weeks (one week
// of the trend, the period, the previous period) by pilotData.figures.

import (
	"context"
	"maps"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// byWave keys per-wave lists by their week.
func byWave(perWave map[string][]string) map[week.Week][]string {
	out := map[week.Week][]string{}
	for wave, cvrs := range perWave {
		if w, err := week.Parse(wave); err == nil {
			out[w] = append(out[w], cvrs...)
		}
	}
	return out
}

// pilotData is what the pilot's figures are computed from, loaded once
// for every week from since (where cumulative figures start counting) to
// the period's end (weeks of them).
type pilotData struct {
	since     week.Week
	weeks     int
	companies int
	counted   *countedParticipants // the participants counted: index (CVR → index), cvrOf (company id → CVR)
	calls     []support.CallFact   // every live call since since
	setup     [3]*companyWeeks     // answers, calls, events (nil: unavailable)
	third     [2]*companyWeeks     // answers, events (nil: unavailable)
	anySetup  *companyWeeks        // any source of setup, after seal
	anyThird  *companyWeeks        // any source of third-party access, after seal
	waves     map[week.Week][2]int // submitted, invitations
	ease      map[week.Week][]int  // the counted companies' ease ratings
	messages  map[string]uint64    // nil: unavailable
}

// offset is the place of w among the weeks loaded (negative before since).
func (d pilotData) offset(w week.Week) int {
	if w.Before(d.since) {
		return -1
	}
	return week.Range{From: d.since, To: w}.Len() - 1
}

// companyWeeksOf is the counted companies of per-week lists of CVRs.
func (d pilotData) companyWeeksOf(perWeek map[week.Week][]string) *companyWeeks {
	s := newCompanyWeeks(d.companies, d.weeks)
	for w, cvrs := range perWeek {
		o := d.offset(w)
		for _, c := range cvrs {
			if i, ok := d.counted.index[c]; ok {
				s.add(i, o)
			}
		}
	}
	return s
}

// seal counts the sources once loaded, and their unions.
func (d *pilotData) seal() {
	for _, s := range append(d.setup[:], d.third[:]...) {
		if s != nil {
			s.seal()
		}
	}
	d.anySetup = unionOf(d.companies, d.weeks, d.setup[:]...).seal()
	d.anyThird = unionOf(d.companies, d.weeks, d.third[:]...).seal()
}

// figures computes the pilot's figures over the weeks of r (sealed data).
func (d pilotData) figures(r week.Range) PilotFigures {
	lo, hi := d.offset(r.From), d.offset(r.To)
	var sources [3]int
	for i, s := range d.setup {
		if s != nil {
			sources[i] = s.count(lo, hi)
		}
	}
	var thirdSources [2]int
	for i, s := range d.third {
		if s != nil {
			thirdSources[i] = s.count(0, hi)
		}
	}
	setup, everSetup, third := d.anySetup.count(lo, hi), d.anySetup.count(0, hi), d.anyThird.count(0, hi)
	var calls, companyCalls []support.CallFact
	for _, c := range d.calls {
		if c.Week.Before(r.From) || c.Week.After(r.To) {
			continue
		}
		calls = append(calls, c)
		if _, ok := d.counted.cvrOf[c.CompanyID]; ok {
			companyCalls = append(companyCalls, c)
		}
	}
	f := PilotFigures{
		SetupProblems:           support.NewShare(setup, d.companies),
		SetupProblemsCumulative: support.NewShare(everSetup, d.companies),
		SetupProblemSources:     SetupSources{Answers: sources[0], Calls: sources[1]},
		Calls:                   support.CallCount(calls),
		CallingCompanies:        support.NewShare(support.CallingCompanies(companyCalls), d.companies),
		CallsByCategory:         support.ByCategory(calls),
		NotSolvedByDesk:         support.NotSolvedByDesk(calls),
		ThirdPartyAccess:        support.NewShare(third, d.companies),
		ThirdPartyAccessSources: ThirdPartySources{Answers: thirdSources[0]},
	}
	if d.setup[2] != nil {
		f.SetupProblemSources.Events = &sources[2]
	}
	if d.third[1] != nil {
		f.ThirdPartyAccessSources.Events = &thirdSources[1]
	}
	var submitted, invitations int
	hasWave := false
	for _, w := range r.Weeks() {
		if n, ok := d.waves[w]; ok {
			hasWave = true
			submitted, invitations = submitted+n[0], invitations+n[1]
		}
	}
	if hasWave {
		rate := support.NewShare(submitted, invitations)
		f.ResponseRate = &rate
	}
	var ratings []int
	for _, w := range r.Weeks() {
		ratings = append(ratings, d.ease[w]...)
	}
	if f.EaseAnswers = len(ratings); len(ratings) > 0 {
		sum := 0
		for _, v := range ratings {
			sum += v
		}
		mean := float64(sum) / float64(len(ratings))
		f.Ease = &mean
	}
	if d.messages != nil {
		var m uint64
		for _, w := range r.Weeks() {
			m += d.messages[w.String()]
		}
		f.Messages = &m
	}
	return f
}

// pilotOverview computes the pilot's figures for the period, the previous
// period and each week of the trend; since (the pilot's first week with
// data, or earlier) is where cumulative figures start counting.
func (h *handler) pilotOverview(ctx context.Context, scope auth.Scope, f Filters, since week.Week, period Period, trend []week.Week, now time.Time, ov *Overview) (*PilotOverview, error) {
	ps, err := h.participants(ctx)
	if err != nil {
		return nil, err
	}
	counted := ps.countedBy(f)
	po := &PilotOverview{Kind: f.Kind, Companies: len(counted.index), OtherParticipants: maps.Clone(ps.others),
		CompaniesByEnd: counted.joinedBy(period.To), CompaniesByPreviousEnd: counted.joinedBy(period.PreviousTo)}
	d := pilotData{since: since, weeks: week.Range{From: since, To: period.To}.Len(), counted: counted}
	d.companies = po.Companies

	// The calls of every participant of the cohort (the support figures'
	// filter), loaded in pieces the support figures accept.
	for from := since; !period.To.Before(from); from = from.Add(support.MaxWeeks) {
		to := earlier(from.Add(support.MaxWeeks-1), period.To)
		facts, err := h.Support.Facts(ctx, scope, support.FigureFilter{From: from, To: to, Cohort: f.Cohort, AsOf: now})
		if err != nil {
			return nil, err
		}
		for _, w := range facts.Weeks() {
			d.calls = append(d.calls, facts.Week(w)...)
		}
	}
	setupCalls := map[week.Week][]string{}
	for _, c := range d.calls {
		if cvr, ok := d.counted.cvrOf[c.CompanyID]; ok && support.SetupProblem(c.Category) {
			setupCalls[c.Week] = append(setupCalls[c.Week], cvr)
		}
	}
	setupAnswers, err := h.Survey.CompaniesAnswering(ctx, survey.KeySetupProblem, "yes")
	if err != nil {
		return nil, err
	}
	thirdAnswers, err := h.Survey.CompaniesAnswering(ctx, survey.KeyThirdPartyAccess, "yes")
	if err != nil {
		return nil, err
	}
	d.setup[0], d.setup[1] = d.companyWeeksOf(byWave(setupAnswers)), d.companyWeeksOf(setupCalls)
	d.third[0] = d.companyWeeksOf(byWave(thirdAnswers))
	if d.waves, err = h.waveCounts(ctx, now); err != nil {
		return nil, err
	}
	ease, err := h.Survey.Ratings(ctx, survey.KeyEase)
	if err != nil {
		return nil, err
	}
	d.ease = map[week.Week][]int{}
	for wave, rs := range ease {
		w, err := week.Parse(wave)
		if err != nil {
			continue
		}
		for _, r := range rs {
			if _, ok := d.counted.index[r.CompanyCVR]; ok {
				d.ease[w] = append(d.ease[w], r.Value)
			}
		}
	}
	if err := h.pilotEvents(ctx, scope, &d, period, trend, po); err != nil {
		if err := ov.markUnavailable(err); err != nil {
			return nil, err
		}
		d.setup[2], d.third[1], d.messages, po.Volume = nil, nil, nil, nil
	}
	d.seal()

	po.Period, po.PreviousPeriod = d.figures(period.Range()), d.figures(period.Previous())
	for _, w := range trend {
		po.Weeks = append(po.Weeks, PilotWeek{Week: w.String(), PilotFigures: d.figures(week.Range{From: w, To: w})})
	}
	return po, nil
}

// pilotEvents loads what the pilot's figures read from the events: the
// setup failures and third-party grants per week, and the messages per
// authority and week.
func (h *handler) pilotEvents(ctx context.Context, scope auth.Scope, d *pilotData, period Period, trend []week.Week, po *PilotOverview) error {
	events, err := h.eventWeeks(ctx, scope, d.counted, d.since, period.To)
	if err != nil {
		return err
	}
	d.setup[2], d.third[1] = events[0], events[1]
	from := earlier(trend[0], period.PreviousFrom)
	volume, messages, err := h.volumeOverview(ctx, scope, week.Range{From: from, To: period.To})
	if err != nil {
		return err
	}
	d.messages = messages
	// The volume chart covers the trend's weeks.
	skip := week.Range{From: from, To: trend[0]}.Len() - 1
	for i := range volume {
		volume[i].Messages = volume[i].Messages[skip:]
	}
	po.Volume = volume
	return nil
}

// waveCounts is the submitted invitations and all invitations of every
// wave (its response rate), by the wave's week.
func (h *handler) waveCounts(ctx context.Context, now time.Time) (map[week.Week][2]int, error) {
	waves, err := h.Survey.Waves(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[week.Week][2]int, len(waves))
	for _, w := range waves {
		wk, err := week.Parse(w.ID)
		if err != nil {
			continue
		}
		f, err := h.Survey.FigWaveResponse(ctx, w, now)
		if err != nil {
			return nil, err
		}
		out[wk] = [2]int{f.Submitted, f.Invitations}
	}
	return out, nil
}
