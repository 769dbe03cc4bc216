package sources_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// A source whose pulls alternate is flapping on the list (ustabil in
// Danish), on its page with its recent rounds and the rule, in the API and
// on /metrics; a steady one is not.
func TestFlappingSourceShown(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.As(auth.RoleAdmin, "")
	ctx := t.Context()
	flappy, err := env.App.Sources.Create(ctx, sources.SourceInput{Name: "flappy", Kind: sources.KindHTTPFeed, URL: "https://upstream.example/a"})
	if err != nil {
		t.Fatal(err)
	}
	steady, err := env.App.Sources.Create(ctx, sources.SourceInput{Name: "steady", Kind: sources.KindHTTPFeed, URL: "https://upstream.example/b"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sources.RecordRounds(ctx, env.App.Sources, flappy.ID, "-+-+-+"); err != nil {
		t.Fatal(err)
	}
	if err := sources.RecordRounds(ctx, env.App.Sources, steady.ID, "---+++"); err != nil {
		t.Fatal(err)
	}

	var got sources.Source
	admin.Get("/api/v1/sources/"+strconv.FormatInt(flappy.ID, 10)).JSON(t, &got)
	if got.Status.Health != "flapping" || len(got.Status.RecentPulls) != 6 || got.Status.RecentPulls[0] != "failed" {
		t.Errorf("API: %+v", got.Status)
	}
	admin.Get("/api/v1/sources/"+strconv.FormatInt(steady.ID, 10)).JSON(t, &got)
	if got.Status.Health != "ok" {
		t.Errorf("API of the steady source: %+v", got.Status)
	}

	list := admin.Get("/sources")
	row := list.Body[strings.Index(list.Body, `id="source-`+strconv.FormatInt(flappy.ID, 10)+`"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `data-health="flapping"`) || !strings.Contains(row, "ustabil") || strings.Contains(row, "fejler") {
		t.Errorf("list row of the flapping source: %s", row)
	}
	page := admin.Get("/sources/" + strconv.FormatInt(flappy.ID, 10))
	if !strings.Contains(page.Body, "✗ ✓ ✗ ✓ ✗ ✓") || !strings.Contains(page.Body, "mindst 3 gange blandt de seneste 10") {
		t.Errorf("source page: %s", page.Body)
	}

	families, err := env.Web.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	flapping := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "pilotpulse_source_flapping" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "source" {
					flapping[l.GetValue()] = m.GetGauge().GetValue()
				}
			}
		}
	}
	if flapping["flappy"] != 1 || flapping["steady"] != 0 || len(flapping) != 2 {
		t.Errorf("pilotpulse_source_flapping: %v", flapping)
	}
}
