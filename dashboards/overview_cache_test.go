package dashboards_test

import (
	"fmt"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// The overview keeps the companies' event weeks read from company_weeks
// while company_weeks is unchanged (company_week_cache.go): every view
// after a new event shows it, a late one for an old week (at the Sunday
// 23:30 / Monday 00:30 Copenhagen boundary) included; re-sent events
// change nothing; each filter counts its own companies; an authority user
// sees none of it.
func TestOverviewEventWeeksFollowNewEvents(t *testing.T) {
	f := newOverviewFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	type figures struct{ setup, sources, third string }
	figuresOf := func(query string) []figures {
		t.Helper()
		var out []figures
		for _, w := range getOverview(t, admin, query).Pilot.Weeks {
			out = append(out, figures{fmt.Sprint(w.SetupProblems), sources(w.SetupProblemSources),
				fmt.Sprint(w.ThirdPartyAccess, " events ", *w.ThirdPartyAccessSources.Events)})
		}
		return out
	}
	check := func(query string, want ...figures) {
		t.Helper()
		if got := figuresOf(query); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("overview%s: W45, W46 %v, want %v", query, got, want)
		}
	}
	// The fixture: setup failures B (W45) and D (W46), a grant of C (W46).
	before := []figures{
		{fmt.Sprint(share(2, 4)), "answers 1, calls 1, events 1", fmt.Sprint(share(1, 4), " events 0")},
		{fmt.Sprint(share(3, 4)), "answers 2, calls 1, events 1", fmt.Sprint(share(2, 4), " events 1")},
	}
	check("", before...)
	check("", before...) // kept

	// Late events: a setup failure of C on Sunday 23:30 (W45), grants of D
	// on Monday 00:30 (W46) and of A on Sunday 23:30 (W45); and a setup
	// failure of the municipality M (no company) in W46.
	var late eventLog
	late.add(event.TypeSetupFailed, f.c, "", "", cph("2012-11-11 23:30"))
	late.add(event.TypeThirdParty, f.d, "", "", cph("2012-11-12 00:30"))
	late.add(event.TypeThirdParty, f.a, "", "", cph("2012-11-11 23:30"))
	late.add(event.TypeSetupFailed, f.m, "", "", cph("2012-11-13 09:00"))
	for i := range late {
		late[i].EventID = "late-" + late[i].EventID // the fixture's are ev-0, ev-1, …
	}
	late.store(t, f.env)
	after := []figures{
		{fmt.Sprint(share(3, 4)), "answers 1, calls 1, events 2", fmt.Sprint(share(2, 4), " events 1")},
		{fmt.Sprint(share(3, 4)), "answers 2, calls 1, events 1", fmt.Sprint(share(4, 4), " events 3")},
	}
	check("", after...)
	if accepted, duplicates := late.store(t, f.env); accepted != 0 || duplicates != len(late) {
		t.Fatalf("re-sent: %d accepted, %d duplicates", accepted, duplicates)
	}
	check("", after...)

	// Each filter its own companies: every kind counts M's W46 failure.
	check("?kind=municipality",
		figures{fmt.Sprint(share(0, 1)), "answers 0, calls 0, events 0", fmt.Sprint(share(0, 1), " events 0")},
		figures{fmt.Sprint(share(1, 1)), "answers 0, calls 0, events 1", fmt.Sprint(share(0, 1), " events 0")})
	check("?kind=all",
		figures{fmt.Sprint(share(3, 5)), "answers 1, calls 1, events 2", fmt.Sprint(share(2, 5), " events 1")},
		figures{fmt.Sprint(share(4, 5)), "answers 2, calls 1, events 2", fmt.Sprint(share(4, 5), " events 3")})
	check("", after...)

	// An authority user sees its own volume only.
	ov := getOverview(t, f.env.As(auth.RoleAuthority, f.x), "")
	if ov.Pilot != nil || ov.Authority == nil || ov.Authority.AuthorityCVR != f.x {
		t.Errorf("authority user: pilot %v, authority %+v", ov.Pilot, ov.Authority)
	}
}
