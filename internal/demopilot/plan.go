package demopilot

// The demo pilot's questionnaire answers, support calls and interviews,
// made from the participants of the demo feed (demofeed.Participant) so
// that every source tells the same story about the same companies: a
// company reports a setup problem in the weeks its setups failed, calls
// about it then, and says it contacted support in the week it called.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// Window is when a wave is open: [Opens, Closes).
type Window struct{ Opens, Closes time.Time }

// Plan is what the demo stores besides the registry and the events.
type Plan struct {
	Waves      [][]survey.PastAnswer // one answer list per pilot week
	Calls      []support.Input
	Interviews []survey.Interview
}

// pilotWeek is the ISO week of pilot week w (0 = 2012-W45).
func pilotWeek(w int) week.Week { return week.Of(demofeed.DemoStart).Add(w) }

// MakePlan makes the answers, calls and interviews of the demo pilot d,
// over weeks weeks whose waves are open in windows (one per week). The
// same demo and windows give the same plan.
func MakePlan(d demofeed.Demo, weeks int, windows []Window) Plan {
	r := rand.New(rand.NewPCG(d.Seed, 0x5eed0f2012))
	var p Plan
	called := map[[2]int][]support.Input{} // (participant, week) -> calls
	for w := 0; w < weeks; w++ {
		for _, c := range weekCalls(r, d, w) {
			called[[2]int{c.participant, w}] = append(called[[2]int{c.participant, w}], c.in)
			p.Calls = append(p.Calls, c.in)
		}
	}
	for w := 0; w < weeks; w++ {
		p.Waves = append(p.Waves, waveAnswers(r, d, w, weeks, windows[w], called))
	}
	p.Interviews = interviews(r, d, weeks)
	return p
}

type plannedCall struct {
	participant int
	in          support.Input
}

var (
	colleagues = []string{"Jette Holm", "Bo Kjær", "Lene Friis", "Ole Bach", "Pia Skov", "Allan Krogh"}
	roles      = []string{"Bogholder", "IT-ansvarlig", "Økonomichef", "Office manager", "Lønansvarlig"}
	agents     = []string{"Anja Holm", "Kasper Lund", "Sofie Dahl"}
)

// weekCalls are the calls of pilot week w: 6 to 8 of the companies (kind
// company) call, those with a failed setup that week first (about it),
// the others about finding mail, deleted mail, third-party access and the
// like; the municipality calls in its own trouble weeks (a participant of
// another kind: not one of the "x of 30").
func weekCalls(r *rand.Rand, d demofeed.Demo, w int) []plannedCall {
	var troubled, others []int
	for i, p := range d.Participants {
		switch {
		case p.Kind == registry.KindMunicipality && p.TroubleIn(w):
			troubled = append(troubled, i)
		case p.Kind != registry.KindCompany:
		case p.TroubleIn(w):
			troubled = append(troubled, i)
		default:
			others = append(others, i)
		}
	}
	r.Shuffle(len(troubled), func(a, b int) { troubled[a], troubled[b] = troubled[b], troubled[a] })
	r.Shuffle(len(others), func(a, b int) { others[a], others[b] = others[b], others[a] })
	k := 6 + r.IntN(3)
	var callers []int
	companies := 0
	for _, i := range troubled {
		if d.Participants[i].Kind != registry.KindCompany {
			callers = append(callers, i)
		} else if companies < k-2 {
			callers, companies = append(callers, i), companies+1
		}
	}
	for _, i := range others {
		if companies < k {
			callers, companies = append(callers, i), companies+1
		}
	}
	var out []plannedCall
	for _, i := range callers {
		p := d.Participants[i]
		n := 1
		if r.IntN(4) == 0 {
			n = 2
		}
		for k := 0; k < n; k++ {
			category := nonSetupCategories[r.IntN(len(nonSetupCategories))]
			if p.TroubleIn(w) && k == 0 {
				category = problemKinds[p.Reasons[r.IntN(len(p.Reasons))]].category
			}
			out = append(out, plannedCall{i, callInput(r, d.Companies[i], category, w)})
		}
	}
	return out
}

// outcomes are the chances of a call's resolution per desk, cumulative:
// the portal's desk mostly solves the problem; the operator's is easy to
// reach but mostly does not.
var outcomes = map[string][]struct {
	upTo       float64
	resolution string
}{
	support.DeskPortal:          {{0.8, support.Resolved}, {0.9, support.Partly}, {0.95, support.Escalated}, {1, support.NotResolved}},
	support.DeskMailboxOperator: {{0.3, support.Resolved}, {0.5, support.Partly}, {0.9, support.NotResolved}, {1, support.Escalated}},
}

// callInput is one call of company c about category in pilot week w.
func callInput(r *rand.Rand, c registry.Company, category string, w int) support.Input {
	operatorShare := map[string]float64{"employee_signature": 0.2, "rights_and_roles": 0.7, "mailbox_creation": 0.5, "third_party_access": 0.4}[category]
	if operatorShare == 0 {
		operatorShare = 0.65
	}
	desk := support.DeskPortal
	if r.Float64() < operatorShare {
		desk = support.DeskMailboxOperator
	}
	minutes := int64(3 + r.IntN(10))
	if desk == support.DeskMailboxOperator {
		minutes = int64(4 + r.IntN(17))
	}
	x, resolution := r.Float64(), ""
	for _, o := range outcomes[desk] {
		if resolution == "" && x <= o.upTo {
			resolution = o.resolution
		}
	}
	contact := c.Contacts[0]
	if len(c.Contacts) > 1 && r.IntN(3) == 0 {
		contact = c.Contacts[1]
	}
	caller, role := contact.Name, roles[r.IntN(len(roles))]
	if r.IntN(10) < 3 {
		caller = colleagues[r.IntN(len(colleagues))]
	}
	mon := pilotWeek(w).Monday()
	at := time.Date(mon.Year(), mon.Month(), mon.Day()+r.IntN(5), 8+r.IntN(8), r.IntN(60), 0, 0, week.Copenhagen)
	notes := pick(r, callNotes[category], contact.Language)
	if desk == support.DeskMailboxOperator && resolution != support.Resolved {
		notes += operatorNotSolved.in(contact.Language)
	}
	channel := []string{"phone", "phone", "phone", "phone", "phone", "phone", "phone", "email", "email", "chat"}[r.IntN(10)]
	in := support.Input{CompanyCVR: c.CVR, CallerName: caller, CallerRole: role, ReceivedAt: &at, Desk: desk, Channel: channel,
		Category: category, Description: notes, Resolution: resolution, DurationMinutes: &minutes, HandledBy: agents[r.IntN(len(agents))]}
	if desk == support.DeskMailboxOperator && resolution != support.Resolved && r.IntN(2) == 0 {
		in.FollowUpNeeded, in.FollowUpDone = true, true
		in.FollowUpBy = at.AddDate(0, 0, 3).In(week.Copenhagen).Format(time.DateOnly)
	}
	return in
}

// waveAnswers are the answers of pilot week w: most participants answer
// (fewer of those that stopped using the mailbox), each by one contact.
// Setup problems are reported in the weeks a setup failed (and every
// week by those that never got set up), with the kinds of their failure
// reasons; ease of use improves over the weeks; nobody has granted a
// third party access; wishes come with use.
func waveAnswers(r *rand.Rand, d demofeed.Demo, w, weeks int, win Window, called map[[2]int][]support.Input) []survey.PastAnswer {
	var out []survey.PastAnswer
	for i, p := range d.Participants {
		c := d.Companies[i]
		reports := p.TroubleIn(w) || (p.Troubled() && p.CompletedWeek < 0 && w >= p.StartWeek)
		rate := 0.9 - 0.02*float64(w)
		if p.StopWeek >= 0 && w >= p.StopWeek {
			rate = 0.35
		}
		firstTrouble := len(p.TroubleWeeks) > 0 && p.TroubleWeeks[0] == w
		if !firstTrouble && r.Float64() >= rate {
			continue
		}
		contact := c.Contacts[0]
		if len(c.Contacts) > 1 && r.IntN(3) == 0 {
			contact = c.Contacts[1]
		}
		lang := contact.Language
		v := map[string][]string{survey.KeyThirdPartyAccess: {"no"}}
		v[survey.KeyUsedMailbox] = []string{yesNo(p.UsesMailboxIn(w))}
		v[survey.KeySetupProblem] = []string{yesNo(reports)}
		var comments []string
		if reports {
			var kinds []string
			for _, reason := range p.Reasons {
				kinds = append(kinds, problemKinds[reason].answer)
			}
			v[survey.KeySetupProblemKinds] = kinds
			if r.IntN(2) == 0 {
				comments = append(comments, pick(r, setupComments[p.Reasons[0]], lang))
			}
		}
		progress := 0.0
		if weeks > 1 {
			progress = float64(w) / float64(weeks-1)
		}
		ease := 2 + 2.4*progress + r.Float64()*1.4 - 0.7
		if reports {
			ease -= 0.8
		}
		v[survey.KeyEase] = []string{fmt.Sprint(min(5, max(1, int(ease+0.5))))}
		if calls := called[[2]int{i, w}]; len(calls) > 0 {
			v[survey.KeyContactedSupport] = []string{"yes"}
			v[survey.KeySupportDesk] = []string{deskAnswer(calls)}
			solved := !slices.ContainsFunc(calls, func(in support.Input) bool { return support.NotSolved(in.Resolution) })
			v[survey.KeySupportSolved] = []string{yesNo(solved)}
		} else {
			v[survey.KeyContactedSupport] = []string{"no"}
		}
		if p.UsesMailboxIn(w) {
			for _, wish := range []struct {
				key    string
				chance float64
			}{{"search_folders", 0.35}, {"audit_trail", 0.25}, {"recover_deleted", 0.2}} {
				if r.Float64() < wish.chance {
					v[survey.KeyMissingFeatures] = append(v[survey.KeyMissingFeatures], wish.key)
					if r.IntN(3) == 0 {
						comments = append(comments, pick(r, wishComments[wish.key], lang))
					}
				}
			}
			if len(comments) == 0 && r.IntN(5) == 0 {
				comments = append(comments, pick(r, goodComments, lang))
			}
		}
		if w <= 2 && r.IntN(4) == 0 {
			comments = append(comments, pick(r, decisionComments, lang))
		}
		if len(comments) > 0 {
			v[survey.KeyComments] = []string{joinSentences(comments)}
		}
		span := win.Closes.Sub(win.Opens)
		opened := win.Opens.Add(time.Duration(float64(span) * (0.02 + 0.6*r.Float64()))).Truncate(time.Second)
		out = append(out, survey.PastAnswer{ContactEmail: contact.Email, CompanyCVR: c.CVR, Values: v,
			OpenedAt: opened, SubmittedAt: opened.Add(time.Duration(2+r.IntN(40)) * time.Minute)})
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// deskAnswer is the questionnaire's desk answer for a week's calls.
func deskAnswer(calls []support.Input) string {
	portal := slices.ContainsFunc(calls, func(in support.Input) bool { return in.Desk == support.DeskPortal })
	operator := slices.ContainsFunc(calls, func(in support.Input) bool { return in.Desk == support.DeskMailboxOperator })
	switch {
	case portal && operator:
		return "both"
	case operator:
		return "eboks"
	}
	return "virk"
}

func joinSentences(s []string) string {
	out := s[0]
	for _, x := range s[1:] {
		out += " " + x
	}
	return out
}

// interviews are the follow-up interviews: in the third and the sixth
// week, three companies each (more of those with setup trouble first),
// held on the Thursday.
func interviews(r *rand.Rand, d demofeed.Demo, weeks int) []survey.Interview {
	var out []survey.Interview
	for _, round := range []struct{ week, troubled int }{{2, 2}, {5, 1}} {
		if round.week >= weeks {
			continue
		}
		var troubled, others []int
		for i, p := range d.Participants {
			if p.Kind != registry.KindCompany || slices.ContainsFunc(out, func(iv survey.Interview) bool { return iv.CompanyCVR == p.CVR }) {
				continue
			}
			if p.Troubled() {
				troubled = append(troubled, i)
			} else {
				others = append(others, i)
			}
		}
		r.Shuffle(len(troubled), func(a, b int) { troubled[a], troubled[b] = troubled[b], troubled[a] })
		r.Shuffle(len(others), func(a, b int) { others[a], others[b] = others[b], others[a] })
		chosen := append(troubled[:min(round.troubled, len(troubled))], others[:min(3-round.troubled, len(others))]...)
		held := pilotWeek(round.week).Monday().AddDate(0, 0, 3).Format(time.DateOnly)
		for _, i := range chosen {
			p, c := d.Participants[i], d.Companies[i]
			lang := c.Contacts[len(c.Contacts)-1].Language
			notes := pick(r, interviewNotes.decision, lang)
			if p.Troubled() {
				notes += "\n\n" + interviewNotes.setup[p.Reasons[0]].in(lang)
			}
			notes += "\n\n" + pick(r, interviewNotes.support, lang) + "\n\n" + pick(r, interviewNotes.wishes, lang)
			out = append(out, survey.Interview{CompanyCVR: c.CVR, HeldOn: held, Interviewer: "Line Bach (projektgruppen)",
				Topics: interviewTopics, Notes: notes})
		}
	}
	return out
}
