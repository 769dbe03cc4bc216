package dashboards

// The pilot overview (the start page and GET /api/v1/metrics/overview):
// one function, overview, computes what both show, per role, from the
// figure functions of registry, support, survey and analytics/figures.
// Definitions: docs/figures.md#pilot-overview.

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// OverviewWeeks is the most weeks the overview's trends show.
const OverviewWeeks = 52

// Share is a part of a whole: {"part", "whole", "share"} (share 0 when
// whole is 0), as the support figures write it.
type Share = support.Share

// UnavailableEvents names, in Overview.Unavailable, the figures read from
// the usage events (ClickHouse): messages and volume, the event sources of
// the setup-problem rate and of third-party access, an authority's view.
const UnavailableEvents = "events"

// Overview is what the start page and its JSON twin show. Which sections
// are there depends on the caller: Pilot for admins and managers, Authority
// for an authority user (or an admin or manager asking for ?authority=),
// Support for support staff.
type Overview struct {
	// Period is the weeks shown and the previous period every change is
	// against (docs/figures.md#period-and-filters); Filters what is counted.
	Period   Period  `json:"period"`
	Filters  Filters `json:"filters"`
	Week     string  `json:"week"`          // the period's last week (ISO week)
	Previous string  `json:"previous_week"` // the previous period's last week
	Latest   string  `json:"latest_week"`   // the newest week with data: the default
	// Weeks are the trends' weeks, oldest first, ending with Week: the
	// pilot's weeks (from its first week with data), at most OverviewWeeks,
	// and always the previous period's.
	Weeks     []string           `json:"weeks"`
	Pilot     *PilotOverview     `json:"pilot,omitempty"`
	Authority *AuthorityOverview `json:"authority,omitempty"`
	Support   *SupportOverview   `json:"support,omitempty"`
	// Unavailable names the parts left out because their store did not
	// answer: "events" (ClickHouse); those parts are null. Empty normally.
	Unavailable []string `json:"unavailable"`
}

// PilotOverview is the project team's and the managers' view.
type PilotOverview struct {
	// Kind is the participant kind counted (the filter's, default company);
	// Companies are the registry's participants of that kind (and cohort):
	// the denominator of every company figure below.
	Kind      string `json:"kind"`
	Companies int    `json:"companies"`
	// CompaniesByEnd and CompaniesByPreviousEnd are those of them in the
	// pilot by the end of the period and of the previous period (registered
	// or invited to a wave by then).
	CompaniesByEnd         int `json:"companies_by_end"`
	CompaniesByPreviousEnd int `json:"companies_by_previous_end"`
	// OtherParticipants counts the participants of the other kinds
	// (municipality, region, state_institution), every kind present.
	OtherParticipants map[string]int `json:"other_participants"`
	// Period and PreviousPeriod are the figures over the whole period and
	// the previous period (a company counts once per period).
	Period         PilotFigures `json:"period_figures"`
	PreviousPeriod PilotFigures `json:"previous_period_figures"`
	// Weeks has one entry per week of Overview.Weeks.
	Weeks []PilotWeek `json:"weeks"`
	// Volume is the messages sent per authority, a value per week of
	// Overview.Weeks: every registry authority, and any other CVR that
	// sent; null when the events are unavailable.
	Volume []AuthorityVolume `json:"volume"`
}

// PilotWeek is one week of the pilot's figures.
type PilotWeek struct {
	Week string `json:"week"`
	PilotFigures
}

// PilotFigures are the pilot's figures over some weeks (one week, the
// period or the previous period).
type PilotFigures struct {
	// SetupProblems: companies with a setup problem (from any source) in
	// the weeks, over Companies; Cumulative: in these or any earlier week.
	SetupProblems           Share        `json:"setup_problems"`
	SetupProblemsCumulative Share        `json:"setup_problems_cumulative"`
	SetupProblemSources     SetupSources `json:"setup_problem_sources"`
	Calls                   int          `json:"calls"` // every live call of the weeks, any participant of the cohort
	// CallingCompanies: companies counted that called, over Companies.
	CallingCompanies Share            `json:"calling_companies"`
	CallsByCategory  map[string]int   `json:"calls_by_category"`
	NotSolvedByDesk  map[string]Share `json:"not_solved_by_desk"`
	// ResponseRate: submitted invitations over the invitations of the
	// waves of the weeks; null when they have no wave.
	ResponseRate *Share `json:"response_rate"`
	// ThirdPartyAccess: companies that had granted a third party access by
	// the end of the weeks (answered yes, or an access.third_party_granted
	// event, then or earlier), over Companies.
	ThirdPartyAccess        Share             `json:"third_party_access"`
	ThirdPartyAccessSources ThirdPartySources `json:"third_party_access_sources"`
	// Ease is the mean of the submitted ease-of-use ratings (1 very hard to
	// 5 very easy) of the counted companies in the waves of the weeks;
	// null when there is none. EaseAnswers counts them.
	Ease        *float64 `json:"ease"`
	EaseAnswers int      `json:"ease_answers"`
	// Messages: message.sent of every authority; null when the events are unavailable.
	Messages *uint64 `json:"messages"`
}

// SetupSources counts the companies with a setup problem per source (a
// company may be in several).
type SetupSources struct {
	Answers int  `json:"answers"` // answered yes to the setup-problem question
	Calls   int  `json:"calls"`   // called about a setup category
	Events  *int `json:"events"`  // had a mailbox.setup_failed event; null when unavailable
}

// String writes the counts as {answers calls events} (events "-" when
// unavailable), for logs and tests.
func (s SetupSources) String() string {
	events := "-"
	if s.Events != nil {
		events = strconv.Itoa(*s.Events)
	}
	return "{" + strconv.Itoa(s.Answers) + " " + strconv.Itoa(s.Calls) + " " + events + "}"
}

// ThirdPartySources counts the companies with third-party access by the
// end of the weeks per source (a company may be in both).
type ThirdPartySources struct {
	Answers int  `json:"answers"`
	Events  *int `json:"events"` // null when unavailable
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
	ThisWeek     uint64 `json:"this_week"`     // messages in the period
	PreviousWeek uint64 `json:"previous_week"` // in the previous period
	// OfTarget is the period's messages over the weekly target times the
	// period's weeks; null when no target above 0 is set.
	OfTarget *float64 `json:"of_target"`
}

// SupportOverview is the support desk's view.
type SupportOverview struct {
	Today         string     `json:"today"` // the date in Copenhagen
	CallsToday    []CallLink `json:"calls_today"`
	CallsWeek     int        `json:"calls_week"`     // live calls of the period
	CallsPrevious int        `json:"calls_previous"` // of the previous period
	// OpenFollowUps are the live calls whose follow-up is needed and not
	// done, any week, newest first (at most support.MaxList);
	// OpenFollowUpCount counts them all.
	OpenFollowUps     []CallLink `json:"open_follow_ups"`
	OpenFollowUpCount int        `json:"open_follow_up_count"`
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

// overview computes the overview for the principal over the period asked
// for, with the filters (filtersOf: f.Authority set means an authority's
// view, scope narrowed to it): the one function behind the start page,
// /api/v1/metrics/overview and the week in review. A part whose store does
// not answer (ClickHouse) is left out and named in Unavailable; the rest
// is still computed.
func (h *handler) overview(ctx context.Context, p *auth.Principal, pq PeriodQuery, f Filters, scope auth.Scope, now time.Time) (Overview, error) {
	var authority *registry.Authority
	if f.Authority != "" {
		a, err := h.Registry.Authority(ctx, scope, f.Authority) // filtersOf narrowed the scope to it
		if err != nil {
			return Overview{}, err
		}
		authority = &a
	}
	ov := Overview{Filters: f, Unavailable: []string{}}
	first, last, err := h.dataSpan(ctx, p.Role, scope, authority != nil, &ov)
	if err != nil {
		return Overview{}, err
	}
	period, err := ResolvePeriod(pq, first, last, now)
	if err != nil {
		return Overview{}, err
	}
	if first.IsZero() {
		first, last = week.Of(now), week.Of(now)
	}
	ov.Period = period
	ov.Week, ov.Previous, ov.Latest = period.To.String(), period.PreviousTo.String(), last.String()
	// The trend: the pilot's weeks up to the period's end (at most
	// OverviewWeeks), always reaching back to the previous period's start.
	trend := week.Range{From: earlier(later(first, period.To.Add(-(OverviewWeeks-1))), later(period.PreviousFrom, period.To.Add(-(OverviewWeeks-1)))), To: period.To}.Weeks()
	for _, w := range trend {
		ov.Weeks = append(ov.Weeks, w.String())
	}
	switch {
	case authority != nil:
		ov.Authority, err = h.authorityOverview(ctx, scope, *authority, period, trend, &ov)
	case p.Role == auth.RoleAdmin || p.Role == auth.RoleManager:
		ov.Pilot, err = h.pilotOverview(ctx, scope, f, earlier(first, earlier(period.PreviousFrom, trend[0])), period, trend, now, &ov)
	case p.Role == auth.RoleSupport:
		ov.Support, err = h.supportOverview(ctx, period, now)
	}
	return ov, err
}

// markUnavailable records that the part of the overview read from
// ClickHouse is left out because it did not answer; any other error is
// returned as it is (so is every error without an overview to mark, ov nil).
func (ov *Overview) markUnavailable(err error) error {
	if ov == nil || !problem.Unavailable(err) {
		return err
	}
	if !slices.Contains(ov.Unavailable, UnavailableEvents) {
		ov.Unavailable = append(ov.Unavailable, UnavailableEvents)
	}
	return nil
}

// EventsAvailable says whether the figures read from the events (ClickHouse) are there.
func (ov Overview) EventsAvailable() bool { return !slices.Contains(ov.Unavailable, UnavailableEvents) }

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
// Events that cannot be read (ClickHouse down) are marked unavailable on ov
// and the span is that of the rest.
func (h *handler) dataSpan(ctx context.Context, role auth.Role, scope auth.Scope, authorityView bool, ov *Overview) (first, last week.Week, err error) {
	events := func(ctx context.Context) (week.Week, week.Week, bool, error) {
		lo, hi, ok, err := figures.EventSpan(ctx, h.CH, scope)
		return lo, hi, ok, ov.markUnavailable(err)
	}
	var spans []dataSpanOf
	switch {
	case authorityView:
		spans = []dataSpanOf{events}
	case role == auth.RoleAdmin || role == auth.RoleManager:
		spans = []dataSpanOf{h.Survey.AnsweredSpan, h.Support.CallSpan, events}
	case role == auth.RoleSupport:
		spans = []dataSpanOf{h.Support.CallSpan}
	}
	return spanOf(ctx, spans...)
}

// dataSpanOf reads the first and the newest week with data of one source;
// ok is false when it has none.
type dataSpanOf func(context.Context) (first, last week.Week, ok bool, err error)

// spanOf is the first and the newest week with data of any of the
// sources; zero weeks when none has data.
func spanOf(ctx context.Context, spans ...dataSpanOf) (first, last week.Week, err error) {
	for _, s := range spans {
		lo, hi, ok, err := s(ctx)
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

// volumeOverview is the messages per authority in the scope and week of
// r (registry authorities first, by name, then unknown CVRs), and the
// total per week.
func (h *handler) volumeOverview(ctx context.Context, scope auth.Scope, r week.Range) ([]AuthorityVolume, map[string]uint64, error) {
	rows, err := h.Volume.PerAuthorityWeek(ctx, scope, r)
	if err != nil {
		return nil, nil, err
	}
	known, err := h.Registry.Authorities(ctx, scope, "")
	if err != nil {
		return nil, nil, err
	}
	weeks := r.Weeks()
	at := make(map[string]int, len(weeks))
	for i, w := range weeks {
		at[w.String()] = i
	}
	out := []AuthorityVolume{}
	index := map[string]int{}
	for _, a := range known {
		index[a.CVR] = len(out)
		out = append(out, AuthorityVolume{AuthorityCVR: a.CVR, Name: a.Name, WeeklyTarget: a.WeeklyTarget, Messages: make([]uint64, len(weeks))})
	}
	total := map[string]uint64{}
	for _, r := range rows {
		i, ok := index[r.AuthorityCVR]
		if !ok {
			i = len(out)
			index[r.AuthorityCVR] = i
			out = append(out, AuthorityVolume{AuthorityCVR: r.AuthorityCVR, Messages: make([]uint64, len(weeks))})
		}
		if j, ok := at[r.Week]; ok {
			out[i].Messages[j] += r.Messages
			total[r.Week] += r.Messages
		}
	}
	return out, total, nil
}

// authorityOverview is one authority's messages in the period, the
// previous period and per week of the trend, against its target; nil (and
// marked unavailable) when ClickHouse does not answer.
func (h *handler) authorityOverview(ctx context.Context, scope auth.Scope, a registry.Authority, period Period, trend []week.Week, ov *Overview) (*AuthorityOverview, error) {
	from := earlier(trend[0], period.PreviousFrom)
	volume, _, err := h.volumeOverview(ctx, scope, week.Range{From: from, To: period.To})
	if err != nil {
		return nil, ov.markUnavailable(err)
	}
	i := slices.IndexFunc(volume, func(v AuthorityVolume) bool { return v.AuthorityCVR == a.CVR })
	all := volume[i].Messages
	at := func(w week.Week) int { return week.Range{From: from, To: w}.Len() - 1 }
	sum := func(r week.Range) uint64 {
		var n uint64
		for _, m := range all[at(r.From) : at(r.To)+1] {
			n += m
		}
		return n
	}
	ao := &AuthorityOverview{AuthorityVolume: volume[i], ThisWeek: sum(period.Range()), PreviousWeek: sum(period.Previous())}
	ao.Messages = all[at(trend[0]):]
	if t := a.WeeklyTarget; t != nil && *t > 0 {
		s := float64(ao.ThisWeek) / float64(int64(period.Range().Len())**t)
		ao.OfTarget = &s
	}
	return ao, nil
}
