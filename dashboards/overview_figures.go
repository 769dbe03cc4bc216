package dashboards

// The pilot overview (the start page and GET /api/v1/metrics/overview):
// one function, overview, computes what both show, per role, from the
// figure functions of registry, support, survey and analytics/figures.
// Definitions: docs/figures.md#pilot-overview.

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// OverviewWeeks is the most weeks the overview's trends show.
const OverviewWeeks = 52

// Share is a part of a whole: {"part", "whole", "share"} (share 0 when
// whole is 0), as the support figures write it.
type Share = support.Share

// Overview is what the start page and its JSON twin show. Which sections
// are there depends on the caller: Pilot for admins and managers, Authority
// for an authority user (or an admin or manager asking for ?authority=),
// Support for support staff.
type Overview struct {
	Week     string `json:"week"`          // the week shown (ISO week)
	Previous string `json:"previous_week"` // the week its changes are against
	Latest   string `json:"latest_week"`   // the newest week with data: the default
	// Weeks are the trends' weeks, oldest first, ending with Week: the
	// pilot's weeks (from its first week with data), at most OverviewWeeks.
	Weeks     []string           `json:"weeks"`
	Pilot     *PilotOverview     `json:"pilot,omitempty"`
	Authority *AuthorityOverview `json:"authority,omitempty"`
	Support   *SupportOverview   `json:"support,omitempty"`
}

// PilotOverview is the project team's and the managers' view.
type PilotOverview struct {
	// Companies are the registry's companies of kind company: the
	// denominator of every company figure below.
	Companies int `json:"companies"`
	// OtherParticipants counts the participants of the other kinds
	// (municipality, region, state_institution), every kind present.
	OtherParticipants map[string]int `json:"other_participants"`
	// Weeks has one entry per week of Overview.Weeks.
	Weeks []PilotWeek `json:"weeks"`
	// Volume is the messages sent per authority, a value per week of
	// Overview.Weeks: every registry authority, and any other CVR that sent.
	Volume []AuthorityVolume `json:"volume"`
}

// PilotWeek is one week of the pilot's figures.
type PilotWeek struct {
	Week string `json:"week"`
	// SetupProblems: companies with a setup problem (from any source) in
	// the week, over Companies; Cumulative: in this or any earlier week.
	SetupProblems           Share        `json:"setup_problems"`
	SetupProblemsCumulative Share        `json:"setup_problems_cumulative"`
	SetupProblemSources     SetupSources `json:"setup_problem_sources"`
	Calls                   int          `json:"calls"` // every live call of the week, any participant
	// CallingCompanies: companies (kind company) that called, over Companies.
	CallingCompanies Share            `json:"calling_companies"`
	CallsByCategory  map[string]int   `json:"calls_by_category"`
	NotSolvedByDesk  map[string]Share `json:"not_solved_by_desk"`
	// ResponseRate: submitted invitations over the invitations of the
	// week's wave; null when the week has no wave.
	ResponseRate *Share `json:"response_rate"`
	// ThirdPartyAccess: companies that had granted a third party access by
	// the end of the week (answered yes, or an access.third_party_granted
	// event, in this or an earlier week), over Companies.
	ThirdPartyAccess        Share             `json:"third_party_access"`
	ThirdPartyAccessSources ThirdPartySources `json:"third_party_access_sources"`
	Messages                uint64            `json:"messages"` // message.sent of every authority
}

// SetupSources counts the week's companies with a setup problem per source
// (a company may be in several).
type SetupSources struct {
	Answers int `json:"answers"` // answered yes to the setup-problem question
	Calls   int `json:"calls"`   // called about a setup category
	Events  int `json:"events"`  // had a mailbox.setup_failed event
}

// ThirdPartySources counts the companies with third-party access by the
// end of the week per source (a company may be in both).
type ThirdPartySources struct {
	Answers int `json:"answers"`
	Events  int `json:"events"`
}

// AuthorityVolume is one authority's messages, a value per week.
type AuthorityVolume struct {
	AuthorityCVR string   `json:"authority_cvr"`
	Name         string   `json:"name"`
	WeeklyTarget *int64   `json:"weekly_target"` // nil: none set
	Messages     []uint64 `json:"messages"`
}

// AuthorityOverview is one authority's view: its messages per week of
// Overview.Weeks against its weekly target.
type AuthorityOverview struct {
	AuthorityVolume
	ThisWeek     uint64 `json:"this_week"`
	PreviousWeek uint64 `json:"previous_week"`
	// OfTarget is this week's messages over the weekly target; null when
	// no target above 0 is set.
	OfTarget *float64 `json:"of_target"`
}

// SupportOverview is the support desk's view.
type SupportOverview struct {
	Today         string     `json:"today"` // the date in Copenhagen
	CallsToday    []CallLink `json:"calls_today"`
	CallsWeek     int        `json:"calls_week"`     // live calls of Overview.Week
	CallsPrevious int        `json:"calls_previous"` // of Overview.Previous
	// OpenFollowUps are the live calls whose follow-up is needed and not
	// done, any week, newest first.
	OpenFollowUps []CallLink `json:"open_follow_ups"`
}

// CallLink is a call as the overview lists it, with the path of its page.
type CallLink struct {
	ID          int64     `json:"id"`
	Path        string    `json:"path"`
	CompanyCVR  string    `json:"company_cvr"`
	CompanyName string    `json:"company_name"`
	CallerName  string    `json:"caller_name"`
	ReceivedAt  time.Time `json:"received_at"`
	Category    string    `json:"category"`
	FollowUpBy  string    `json:"follow_up_by"`
	PastDue     bool      `json:"past_due"` // follow-up open and due before today
}

// overviewQuery is what the caller asks: a week (default: the newest with
// data) and, for admins, managers and authority users, an authority.
type overviewQuery struct {
	Week      string
	Authority string
}

// overview computes the overview for the principal: the one function
// behind the start page and /api/v1/metrics/overview.
func (h *handler) overview(ctx context.Context, p *auth.Principal, q overviewQuery, now time.Time) (Overview, error) {
	scope := auth.ScopeFor(p)
	var authority *registry.Authority
	cvr := strings.TrimSpace(q.Authority)
	if cvr == "" && p.Role == auth.RoleAuthority {
		cvr = p.AuthorityCVR
	}
	if cvr != "" {
		a, err := h.Registry.Authority(ctx, scope, cvr) // outside the scope: not found
		if err != nil {
			return Overview{}, err
		}
		authority = &a
		scope = auth.AuthorityScope(a.CVR) // narrower than the caller's: only this authority
	}
	first, last, err := h.dataSpan(ctx, p.Role, scope, authority != nil)
	if err != nil {
		return Overview{}, err
	}
	if first.IsZero() {
		first, last = week.Of(now), week.Of(now)
	}
	shown := last
	if q.Week != "" {
		if shown, err = week.Parse(q.Week); err != nil {
			return Overview{}, problem.Fields{{Field: "week", Message: problem.Msg("overview.bad_week", q.Week)}}
		}
	}
	from := later(first, shown.Add(-(OverviewWeeks - 1)))
	if !from.Before(shown) {
		from = shown.Prev()
	}
	ov := Overview{Week: shown.String(), Previous: shown.Prev().String(), Latest: last.String()}
	trend := week.Range{From: from, To: shown}.Weeks()
	for _, w := range trend {
		ov.Weeks = append(ov.Weeks, w.String())
	}
	switch {
	case authority != nil:
		ov.Authority, err = h.authorityOverview(ctx, scope, *authority, trend)
	case p.Role == auth.RoleAdmin || p.Role == auth.RoleManager:
		ov.Pilot, err = h.pilotOverview(ctx, scope, earlier(first, from), trend, now)
	case p.Role == auth.RoleSupport:
		ov.Support, err = h.supportOverview(ctx, shown, now)
	}
	return ov, err
}

// later and earlier are the later and the earlier of two weeks.
func later(a, b week.Week) week.Week {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b week.Week) week.Week {
	if a.Before(b) {
		return a
	}
	return b
}

// dataSpan is the first and newest week with data the caller's view
// reads: answers, calls and events for the pilot view; calls for support;
// the authority's messages for an authority's view. Zero weeks: no data.
func (h *handler) dataSpan(ctx context.Context, role auth.Role, scope auth.Scope, authorityView bool) (first, last week.Week, err error) {
	type span func() (week.Week, week.Week, bool, error)
	events := func() (week.Week, week.Week, bool, error) { return figures.EventSpan(ctx, h.CH, scope) }
	calls := func() (week.Week, week.Week, bool, error) { return h.Support.CallSpan(ctx) }
	answers := func() (week.Week, week.Week, bool, error) { return h.Survey.AnsweredSpan(ctx) }
	var spans []span
	switch {
	case authorityView:
		spans = []span{events}
	case role == auth.RoleAdmin || role == auth.RoleManager:
		spans = []span{answers, calls, events}
	case role == auth.RoleSupport:
		spans = []span{calls}
	}
	for _, s := range spans {
		lo, hi, ok, err := s()
		if err != nil {
			return first, last, err
		}
		if !ok {
			continue
		}
		if first.IsZero() || lo.Before(first) {
			first = lo
		}
		if last.IsZero() || hi.After(last) {
			last = hi
		}
	}
	return first, last, nil
}

// companySets turns per-week lists of company CVRs into sets, keeping only
// the pilot's companies.
func companySets(perWeek map[week.Week][]string, pilot map[string]bool) map[week.Week]map[string]bool {
	out := map[week.Week]map[string]bool{}
	for w, cvrs := range perWeek {
		for _, c := range cvrs {
			if !pilot[c] {
				continue
			}
			if out[w] == nil {
				out[w] = map[string]bool{}
			}
			out[w][c] = true
		}
	}
	return out
}

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

// pilotOverview computes the pilot's figures for the trend's weeks; since
// (the pilot's first week with data, or earlier) is where cumulative
// figures start counting.
func (h *handler) pilotOverview(ctx context.Context, scope auth.Scope, since week.Week, trend []week.Week, now time.Time) (*PilotOverview, error) {
	shown := trend[len(trend)-1]
	participants, err := h.Registry.Participants(ctx)
	if err != nil {
		return nil, err
	}
	po := &PilotOverview{OtherParticipants: map[string]int{}}
	pilot := map[string]bool{}  // CVRs of the companies of kind company
	cvrOf := map[int64]string{} // their ids
	for _, k := range registry.CompanyKinds {
		if k != registry.KindCompany {
			po.OtherParticipants[k] = 0
		}
	}
	for _, c := range participants {
		if c.Kind == registry.KindCompany {
			pilot[c.CVR] = true
			cvrOf[c.ID] = c.CVR
			po.Companies++
		} else {
			po.OtherParticipants[c.Kind]++
		}
	}

	facts, err := h.Support.Facts(ctx, scope, support.FigureFilter{From: since, To: shown, AsOf: now})
	if err != nil {
		return nil, err
	}
	setupCalls := map[week.Week][]string{}
	for _, w := range facts.Weeks() {
		for _, c := range facts.Week(w) {
			if cvr, ok := cvrOf[c.CompanyID]; ok && support.SetupProblem(c.Category) {
				setupCalls[w] = append(setupCalls[w], cvr)
			}
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
	setupEvents, err := figures.CompaniesWithEvent(ctx, h.CH, scope, event.TypeSetupFailed, since, shown)
	if err != nil {
		return nil, err
	}
	thirdEvents, err := figures.CompaniesWithEvent(ctx, h.CH, scope, event.TypeThirdParty, since, shown)
	if err != nil {
		return nil, err
	}
	rates, err := h.responseRates(ctx, now)
	if err != nil {
		return nil, err
	}
	volume, messages, err := h.volumeOverview(ctx, scope, trend)
	if err != nil {
		return nil, err
	}
	po.Volume = volume

	sources := []map[week.Week]map[string]bool{companySets(byWave(setupAnswers), pilot), companySets(setupCalls, pilot), companySets(setupEvents, pilot)}
	third := []map[week.Week]map[string]bool{companySets(byWave(thirdAnswers), pilot), companySets(thirdEvents, pilot)}
	everSetup, everThird := map[string]bool{}, map[string]bool{}
	thirdBySource := []map[string]bool{{}, {}}
	for w := since; !shown.Before(w); w = w.Next() {
		weekSetup := map[string]bool{}
		for _, s := range sources {
			for c := range s[w] {
				weekSetup[c], everSetup[c] = true, true
			}
		}
		for i, s := range third {
			for c := range s[w] {
				everThird[c], thirdBySource[i][c] = true, true
			}
		}
		if w.Before(trend[0]) {
			continue
		}
		calls := facts.Week(w)
		var companyCalls []support.CallFact
		for _, c := range calls {
			if _, ok := cvrOf[c.CompanyID]; ok {
				companyCalls = append(companyCalls, c)
			}
		}
		pw := PilotWeek{Week: w.String(),
			SetupProblems:           support.NewShare(len(weekSetup), po.Companies),
			SetupProblemsCumulative: support.NewShare(len(everSetup), po.Companies),
			SetupProblemSources:     SetupSources{Answers: len(sources[0][w]), Calls: len(sources[1][w]), Events: len(sources[2][w])},
			Calls:                   support.CallCount(calls),
			CallingCompanies:        support.NewShare(support.CallingCompanies(companyCalls), po.Companies),
			CallsByCategory:         support.ByCategory(calls),
			NotSolvedByDesk:         support.NotSolvedByDesk(calls),
			ThirdPartyAccess:        support.NewShare(len(everThird), po.Companies),
			ThirdPartyAccessSources: ThirdPartySources{Answers: len(thirdBySource[0]), Events: len(thirdBySource[1])},
			Messages:                messages[w.String()],
		}
		if r, ok := rates[w.String()]; ok {
			pw.ResponseRate = &r
		}
		po.Weeks = append(po.Weeks, pw)
	}
	return po, nil
}

// responseRates is the response rate of every wave (submitted over all
// invitations), by wave.
func (h *handler) responseRates(ctx context.Context, now time.Time) (map[string]Share, error) {
	waves, err := h.Survey.Waves(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Share, len(waves))
	for _, w := range waves {
		f, err := h.Survey.FigWaveResponse(ctx, w, now)
		if err != nil {
			return nil, err
		}
		out[w.ID] = support.NewShare(f.Submitted, f.Invitations)
	}
	return out, nil
}

// volumeOverview is the messages per authority in the scope and week of
// the trend (registry authorities first, by name, then unknown CVRs), and
// the total per week.
func (h *handler) volumeOverview(ctx context.Context, scope auth.Scope, trend []week.Week) ([]AuthorityVolume, map[string]uint64, error) {
	rows, err := h.Volume.PerAuthorityWeek(ctx, scope, week.Range{From: trend[0], To: trend[len(trend)-1]})
	if err != nil {
		return nil, nil, err
	}
	known, err := h.Registry.Authorities(ctx, scope, "")
	if err != nil {
		return nil, nil, err
	}
	at := make(map[string]int, len(trend))
	for i, w := range trend {
		at[w.String()] = i
	}
	out := []AuthorityVolume{}
	index := map[string]int{}
	for _, a := range known {
		index[a.CVR] = len(out)
		out = append(out, AuthorityVolume{AuthorityCVR: a.CVR, Name: a.Name, WeeklyTarget: a.WeeklyTarget, Messages: make([]uint64, len(trend))})
	}
	total := map[string]uint64{}
	for _, r := range rows {
		i, ok := index[r.AuthorityCVR]
		if !ok {
			i = len(out)
			index[r.AuthorityCVR] = i
			out = append(out, AuthorityVolume{AuthorityCVR: r.AuthorityCVR, Messages: make([]uint64, len(trend))})
		}
		if j, ok := at[r.Week]; ok {
			out[i].Messages[j] += r.Messages
			total[r.Week] += r.Messages
		}
	}
	return out, total, nil
}

// authorityOverview is one authority's messages per week of the trend
// against its target.
func (h *handler) authorityOverview(ctx context.Context, scope auth.Scope, a registry.Authority, trend []week.Week) (*AuthorityOverview, error) {
	volume, _, err := h.volumeOverview(ctx, scope, trend)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(volume, func(v AuthorityVolume) bool { return v.AuthorityCVR == a.CVR })
	ao := &AuthorityOverview{AuthorityVolume: volume[i]}
	n := len(trend)
	ao.ThisWeek, ao.PreviousWeek = ao.Messages[n-1], ao.Messages[n-2]
	if t := a.WeeklyTarget; t != nil && *t > 0 {
		s := float64(ao.ThisWeek) / float64(*t)
		ao.OfTarget = &s
	}
	return ao, nil
}

// supportOverview is the calls of today (in Copenhagen) and of the week
// shown, and every open follow-up.
func (h *handler) supportOverview(ctx context.Context, shown week.Week, now time.Time) (*SupportOverview, error) {
	today := now.In(week.Copenhagen).Format(time.DateOnly)
	so := &SupportOverview{Today: today, CallsToday: []CallLink{}, OpenFollowUps: []CallLink{}}
	thisWeek := week.Of(now)
	calls, err := h.Support.List(ctx, support.Filter{Week: &thisWeek, Limit: support.MaxList})
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		if c.ReceivedAt.In(week.Copenhagen).Format(time.DateOnly) == today {
			so.CallsToday = append(so.CallsToday, callLink(c, today))
		}
	}
	prev := shown.Prev()
	for _, n := range []struct {
		w   *week.Week
		out *int
	}{{&shown, &so.CallsWeek}, {&prev, &so.CallsPrevious}} {
		calls, err := h.Support.List(ctx, support.Filter{Week: n.w, Limit: support.MaxList})
		if err != nil {
			return nil, err
		}
		*n.out = len(calls)
	}
	open, err := h.Support.List(ctx, support.Filter{FollowUp: "open", Limit: support.MaxList})
	if err != nil {
		return nil, err
	}
	for _, c := range open {
		so.OpenFollowUps = append(so.OpenFollowUps, callLink(c, today))
	}
	return so, nil
}

func callLink(c support.Call, today string) CallLink {
	return CallLink{ID: c.ID, Path: "/support/calls/" + strconv.FormatInt(c.ID, 10), CompanyCVR: c.CompanyCVR, CompanyName: c.CompanyName, CallerName: c.CallerName,
		ReceivedAt: c.ReceivedAt, Category: c.Category, FollowUpBy: c.FollowUpBy,
		PastDue: c.FollowUpNeeded && !c.FollowUpDone && c.FollowUpBy != "" && c.FollowUpBy < today}
}
