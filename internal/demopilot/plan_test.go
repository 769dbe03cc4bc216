package demopilot

import (
	"slices"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// Whatever the seed, the plan tells the seed's story by construction:
// the companies (kind company) reporting, calling about or failing a
// setup are the 12 to 16 of 30 with setup trouble; 6 to 8 companies call
// each week; nobody grants third-party access; the operator's desk leaves
// more calls unsolved than the portal's; answers lie in their wave.
func TestPlanTellsTheStoryForEverySeed(t *testing.T) {
	sc := survey.Schedule{OpenWeekday: 1, OpenTime: "09:00", CloseAfterDays: 5}
	windows := make([]Window, 8)
	for w := range windows {
		windows[w].Opens, windows[w].Closes, _ = sc.Window(pilotWeek(w))
	}
	for seed := uint64(1); seed <= 40; seed++ {
		d := demofeed.DemoEvents(seed, 30, 8)
		p := MakePlan(d, 8, windows)
		troubled, kind := map[string]bool{}, map[string]string{}
		for _, pt := range d.Participants {
			kind[pt.CVR] = pt.Kind
			if pt.Troubled() && pt.Kind == registry.KindCompany {
				troubled[pt.CVR] = true
			}
		}
		if n := len(troubled); n < 12 || n > 16 {
			t.Errorf("seed %d: %d of 30 companies with setup trouble", seed, n)
		}
		for _, e := range d.Events {
			if e.Type == "mailbox.setup_failed" && kind[e.CompanyCVR] == registry.KindCompany && !troubled[e.CompanyCVR] {
				t.Errorf("seed %d: failed setup of %s, not among the troubled", seed, e.CompanyCVR)
			}
		}
		for w, answers := range p.Waves {
			for _, a := range answers {
				if a.SubmittedAt.Before(windows[w].Opens) || !a.SubmittedAt.Before(windows[w].Closes) || a.OpenedAt.After(a.SubmittedAt) {
					t.Errorf("seed %d week %d: answer at %s outside its wave", seed, w, a.SubmittedAt)
				}
				if a.Values[survey.KeySetupProblem][0] == "yes" && kind[a.CompanyCVR] == registry.KindCompany && !troubled[a.CompanyCVR] {
					t.Errorf("seed %d: %s reports a setup problem, not among the troubled", seed, a.CompanyCVR)
				}
				if a.Values[survey.KeyThirdPartyAccess][0] != "no" {
					t.Errorf("seed %d: third-party access granted", seed)
				}
			}
		}
		callers := make([]map[string]bool, 8)
		notSolved, calls := map[string]int{}, map[string]int{}
		for _, c := range p.Calls {
			w := int(c.ReceivedAt.Sub(demofeed.DemoStart).Hours() / (7 * 24))
			if callers[w] == nil {
				callers[w] = map[string]bool{}
			}
			if kind[c.CompanyCVR] == registry.KindCompany {
				callers[w][c.CompanyCVR] = true
				if support.SetupProblem(c.Category) && !troubled[c.CompanyCVR] {
					t.Errorf("seed %d: %s calls about %s, not among the troubled", seed, c.CompanyCVR, c.Category)
				}
			}
			calls[c.Desk]++
			if support.NotSolved(c.Resolution) {
				notSolved[c.Desk]++
			}
		}
		if slices.ContainsFunc(callers, func(m map[string]bool) bool { return len(m) < 6 || len(m) > 8 }) {
			t.Errorf("seed %d: weekly callers %v", seed, callers)
		}
		op := float64(notSolved[support.DeskMailboxOperator]) / float64(calls[support.DeskMailboxOperator])
		portal := float64(notSolved[support.DeskPortal]) / float64(calls[support.DeskPortal])
		if op <= portal {
			t.Errorf("seed %d: not solved: operator %.2f, portal %.2f", seed, op, portal)
		}
	}
}
