package dashboards_test

import (
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// The overview over the shared period (docs/figures.md#period-and-filters):
// four weeks counted once against the four before, companies in the pilot
// with their change, the ease of use per week, ?week= as a one-week alias
// and the kind and cohort filters as the denominator.
func TestOverviewPeriodAndFilters(t *testing.T) {
	f := newOverviewFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")

	ov := getOverview(t, admin, "?period=4w")
	if ov.Period.Preset != "4w" || ov.Week != "2012-W46" || ov.Previous != "2012-W42" || len(ov.Weeks) != 8 || ov.Weeks[0] != "2012-W39" {
		t.Fatalf("four weeks: %+v %v", ov.Period, ov.Weeks)
	}
	p := ov.Pilot
	now, before := p.Period, p.PreviousPeriod
	checks := []struct {
		name      string
		got, want any
	}{
		{"companies", fmt.Sprint(p.Companies, p.CompaniesByEnd, p.CompaniesByPreviousEnd), "4 4 0"},
		{"setup", now.SetupProblems, share(4, 4)},
		{"setup sources", sources(now.SetupProblemSources), "answers 2, calls 2, events 2"}, // calls: A in W45, C in W46
		{"calls", now.Calls, 6},
		{"calling companies", now.CallingCompanies, share(4, 4)}, // A, D in W45; B, C in W46
		{"not solved", fmt.Sprint(now.NotSolvedByDesk), fmt.Sprint(map[string]any{"mailbox_operator": share(2, 2), "portal": share(1, 4)})},
		{"response", *now.ResponseRate, share(5, 10)},
		{"third party", now.ThirdPartyAccess, share(2, 4)},
		{"ease", fmt.Sprintf("%.4f %d", *now.Ease, now.EaseAnswers), "3.6000 5"},
		{"messages", *now.Messages, uint64(20)},
		{"previous", fmt.Sprint(before.SetupProblems, before.Calls, before.ResponseRate, before.Ease, *before.Messages), fmt.Sprint(share(0, 4), 0, nil, nil, 0)},
		{"ease W45", fmt.Sprintf("%.2f", *p.Weeks[6].Ease), "3.50"},
		{"volume X", fmt.Sprint(p.Volume[1].AuthorityCVR, " ", p.Volume[1].Messages), f.x + " [0 0 0 0 0 0 5 12]"}, // by name: the script-like Y first
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	page := html.UnescapeString(admin.Get("/?period=4w").Body)
	for _, want := range []string{"Pilotoverblik, 2012-W43 – 2012-W46", "4 af 4 virksomheder (100,0 %)", "+4 mod 2012-W39 – 2012-W42", "I registret nu: 4 (Virksomheder).",
		"Tallene for virksomheder tæller: Virksomheder", "3,6 af 5 i gennemsnit (5 svar)", `id="overview-ease-chart"`, `aria-current="page">Seneste 4 uger`} {
		if !strings.Contains(page, want) {
			t.Errorf("the four weeks' page lacks %q", want)
		}
	}
	// The latest week: companies without change, ease against the week before.
	page = html.UnescapeString(admin.Get("/").Body)
	for _, want := range []string{"3,7 af 5 i gennemsnit (3 svar)", "+0,2 siden uge 45", "±0 siden uge 45"} {
		if !strings.Contains(page, want) {
			t.Errorf("the latest week's page lacks %q", want)
		}
	}

	// ?week= is a one-week custom period; with from/to it is refused.
	if ov := getOverview(t, admin, "?week=2012-W45"); ov.Period.Preset != "custom" || ov.Period.From.String() != "2012-W45" || ov.Period.To.String() != "2012-W45" {
		t.Errorf("?week=: %+v", ov.Period)
	}
	if r := admin.Get("/api/v1/metrics/overview?week=2012-W45&from=2012-W44"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"week"`) {
		t.Errorf("week and from: %d %s", r.StatusCode, r.Body)
	}

	// The kind filter decides the denominator: M is the one municipality,
	// and it called in W45.
	mun := getOverview(t, admin, "?week=2012-W45&kind=municipality").Pilot
	if mun.Kind != "municipality" || mun.Companies != 1 || mun.Period.CallingCompanies != share(1, 1) || mun.Period.SetupProblems != share(0, 1) {
		t.Errorf("municipalities: %+v", mun)
	}
	if page := html.UnescapeString(admin.Get("/?week=2012-W45&kind=municipality").Body); !strings.Contains(page, "1 af 1 kommuner (100,0 %)") ||
		!strings.Contains(page, "Tallene for virksomheder tæller: Kommuner") {
		t.Error("the municipalities' page does not name its denominator")
	}
	all := getOverview(t, admin, "?week=2012-W45&kind=all").Pilot
	if all.Companies != 5 || all.Period.CallingCompanies != share(3, 5) {
		t.Errorf("every participant: %+v", all.Period.CallingCompanies)
	}
	if c := getOverview(t, admin, "?cohort=2013").Pilot; c.Companies != 0 || c.Period.SetupProblems != share(0, 0) || c.Period.Calls != 0 { // the calls of the cohort's participants
		t.Errorf("an empty cohort: %+v", c)
	}
	if r := admin.Get("/api/v1/metrics/overview?kind=firm"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"kind"`) {
		t.Errorf("a bad kind: %d %s", r.StatusCode, r.Body)
	}

	// An authority user's four weeks: its messages over them against the
	// target times four.
	x := getOverview(t, f.env.As(auth.RoleAuthority, f.x), "?period=4w").Authority
	if x.ThisWeek != 17 || x.PreviousWeek != 0 || *x.OfTarget != 17.0/4000 || fmt.Sprint(x.Messages) != "[0 0 0 0 0 0 5 12]" {
		t.Errorf("authority X, four weeks: %+v", x)
	}
}
