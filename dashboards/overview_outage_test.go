package dashboards_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// With ClickHouse gone the start page still answers: the figures from the
// app database (answers, calls) stand, the parts read from the events are
// null in the JSON and named in "unavailable", and the page says honestly
// that the volume figures are missing right now. An authority's view,
// all events, has only the notice.
func TestOverviewWithoutClickHouse(t *testing.T) {
	f := newOverviewFixture(t)
	if err := f.env.App.CH.Close(); err != nil { // the connection is gone: every query is refused as an outage
		t.Fatal(err)
	}
	admin := f.env.As(auth.RoleAdmin, "")
	ov := getOverview(t, admin, "")
	p := ov.Pilot
	if strings.Join(ov.Unavailable, " ") != "events" || ov.Week != "2012-W46" || p.Volume != nil {
		t.Fatalf("unavailable %v, week %s, volume %v", ov.Unavailable, ov.Week, p.Volume)
	}
	w46 := p.Weeks[1]
	// Setup problems W46 without D's event: A, C (answers), C (call).
	if w46.SetupProblems != share(2, 4) || sources(w46.SetupProblemSources) != "answers 2, calls 1, events -" || w46.Messages != nil ||
		w46.ThirdPartyAccessSources.Events != nil || w46.ThirdPartyAccess != share(1, 4) || w46.Calls != 3 || *w46.ResponseRate != share(3, 5) {
		t.Errorf("week 46 without events: %+v", w46)
	}
	r := admin.Get("/api/v1/metrics/overview")
	if !strings.Contains(r.Body, `"messages":null`) || !strings.Contains(r.Body, `"volume":null`) || !strings.Contains(r.Body, `"unavailable":["events"]`) {
		t.Errorf("the JSON does not show the missing parts as null: %.300s", r.Body)
	}
	page := admin.Get("/")
	body := html.UnescapeString(page.Body)
	if page.StatusCode != http.StatusOK || !strings.Contains(body, "Volumentallene er ikke tilgængelige lige nu") || strings.Contains(body, `id="overview-volume"`) ||
		!strings.Contains(body, "2 af 4 virksomheder (50,0 %)") {
		t.Errorf("the start page without ClickHouse: %d", page.StatusCode)
	}
	if rv := getReview(t, admin, ""); rv.Sentences[len(rv.Sentences)-1] != "Volumentallene er ikke tilgængelige lige nu." || strings.Join(rv.Unavailable, " ") != "events" {
		t.Errorf("the week in review without ClickHouse: %q", rv.Sentences)
	}
	x := f.env.As(auth.RoleAuthority, f.x)
	ov = getOverview(t, x, "")
	if ov.Authority != nil || strings.Join(ov.Unavailable, " ") != "events" {
		t.Errorf("the authority's view without ClickHouse: %+v", ov)
	}
	if page := x.Get("/"); page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Volumentallene er ikke tilgængelige lige nu") || !strings.Contains(page.Body, "Styrelsen X") {
		t.Errorf("the authority's start page without ClickHouse: %d", page.StatusCode)
	}
}
