package dashboards_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// scriptName is an authority name that would run a script if a page wrote
// it into HTML or a script unescaped.
const scriptName = `</script><script>alert(1)</script>`

// chartFixture is a running app with two authorities: one named scriptName
// that sends 1,234 messages in 2012-W46 (1,200 digital) and 2 in W47, and
// Kommune C with 5 in W45.
type chartFixture struct {
	env          *apptest.Env
	script, comm string // their CVRs
}

func newChartFixture(t *testing.T) chartFixture {
	t.Helper()
	env := apptest.New(t)
	ctx := context.Background()
	f := chartFixture{env: env, script: cvr(t, "2100001"), comm: cvr(t, "2100002")}
	for _, au := range []registry.Authority{{CVR: f.script, Name: scriptName, Kind: "state"}, {CVR: f.comm, Name: "Kommune C", Kind: "municipality"}} {
		if _, err := env.App.Registry.CreateAuthority(ctx, au); err != nil {
			t.Fatal(err)
		}
	}
	company := cvr(t, "3100001")
	var events []event.Event
	add := func(authority string, n int, channel string, at time.Time) {
		for i := 0; i < n; i++ {
			id := fmt.Sprintf("%s-%s-%s-%d", authority, week.Of(at).String(), channel, i)
			events = append(events, event.Event{EventID: id, OccurredAt: at, ReceivedAt: at, Type: event.TypeMessageSent,
				CompanyCVR: company, AuthorityCVR: authority, Channel: channel, MessageRef: id})
		}
	}
	w46 := time.Date(2012, 11, 13, 9, 0, 0, 0, time.UTC)
	add(f.script, 1200, "digital", w46)
	add(f.script, 34, "remote_print", w46)
	add(f.script, 2, "digital", w46.AddDate(0, 0, 7))
	add(f.comm, 5, "remote_print", w46.AddDate(0, 0, -7))
	if _, _, err := env.App.Ingester.Store(ctx, "test", events); err != nil {
		t.Fatal(err)
	}
	return f
}

const chartRange = "/dashboards/volume?from=2012-W44&to=2012-W47"

var chartOptions = regexp.MustCompile(`<script type="application/json" id="([a-z-]+)-options">([^<]*)</script>`)

// The volume page hands each chart's options to the browser as JSON that
// html/template escaped, shows the same numbers in tables in the reader's
// language, and keeps an authority's name text everywhere.
func TestVolumeChartsAndTables(t *testing.T) {
	f := newChartFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	page := admin.Get(chartRange)
	if page.StatusCode != 200 {
		t.Fatalf("page: %d %.300s", page.StatusCode, page.Body)
	}
	if strings.Contains(page.Body, scriptName) || strings.Contains(page.Body, "<script>alert") {
		t.Fatal("the authority's name reached the page unescaped")
	}
	if n := strings.Count(page.Body, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"); n < 2 {
		t.Errorf("the name shows as text %d times, want in the chart table and the ranking", n)
	}
	found := chartOptions.FindAllStringSubmatch(page.Body, -1)
	if len(found) != 2 || found[0][1] != "volume-authorities" || found[1][1] != "volume-channels" {
		t.Fatalf("chart option elements: %v", found)
	}
	type series struct {
		Name  string `json:"name"`
		Type  string `json:"type"`
		Stack string `json:"stack"`
		Data  []struct {
			Value float64 `json:"value"`
		} `json:"data"`
	}
	var opts struct {
		XAxis  []struct{ Data []string } `json:"xAxis"`
		Series []series                  `json:"series"`
	}
	if err := json.Unmarshal([]byte(found[0][2]), &opts); err != nil {
		t.Fatalf("options are not JSON: %v: %.300s", err, found[0][2])
	}
	if got := strings.Join(opts.XAxis[0].Data, " "); got != "2012-W44 2012-W45 2012-W46 2012-W47" {
		t.Errorf("weeks: %s", got)
	}
	values := func(s series) (v []float64) {
		for _, d := range s.Data {
			v = append(v, d.Value)
		}
		return v
	}
	if len(opts.Series) != 2 || opts.Series[0].Name != scriptName || opts.Series[0].Type != "bar" || opts.Series[0].Stack == "" ||
		fmt.Sprint(values(opts.Series[0])) != "[0 0 1234 2]" || fmt.Sprint(values(opts.Series[1])) != "[0 5 0 0]" {
		t.Errorf("series per authority: %+v", opts.Series)
	}
	if err := json.Unmarshal([]byte(found[1][2]), &opts); err != nil {
		t.Fatal(err)
	}
	if len(opts.Series) != 2 || opts.Series[0].Name != "Digitalt" || fmt.Sprint(values(opts.Series[0])) != "[0 0 1200 2]" ||
		opts.Series[1].Name != "Fjernprint" || fmt.Sprint(values(opts.Series[1])) != "[0 5 34 0]" {
		t.Errorf("series per channel: %+v", opts.Series)
	}
	// The tables in Danish: thousands with a point, shares with a comma.
	for _, want := range []string{
		`<tr><th scope="row">2012-W46</th><td class="num">1.234</td><td class="num">0</td><td class="num">1.234</td></tr>`,
		`<tr><th scope="row">2012-W46</th><td class="num">1.200</td><td class="num">34</td><td class="num">1.234</td></tr>`,
		`<script src="` + web.EChartsScript + `" defer></script>`, `<script src="/static/charts.js" defer></script>`,
	} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("Danish page lacks %s", want)
		}
	}
	// The authority's weeks are on its drill-down page.
	drill := strings.Replace(chartRange, "/dashboards/volume?", "/dashboards/volume/authorities/"+f.script+"?", 1)
	for _, want := range []string{"<td>2012-W46</td><td>1.234</td><td>1.200</td><td>34</td><td>0,0 %</td>", "I alt: 1.236 meddelelser"} {
		if body := admin.Get(drill).Body; !strings.Contains(body, want) {
			t.Errorf("Danish drill-down page lacks %s", want)
		}
	}
	// In English: thousands with a comma, shares with a point.
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {chartRange}}); r.StatusCode >= 400 {
		t.Fatalf("switch to English: %d", r.StatusCode)
	}
	en := admin.Get(chartRange).Body
	for _, want := range []string{
		`<td class="num">1,200</td><td class="num">34</td><td class="num">1,234</td>`,
		"Messages per week by channel", `"name":"Remote print"`,
	} {
		if !strings.Contains(en, want) {
			t.Errorf("English page lacks %s", want)
		}
	}
	if body := admin.Get(drill).Body; !strings.Contains(body, "<td>2012-W46</td><td>1,234</td><td>1,200</td><td>34</td><td>0.0%</td>") {
		t.Error("English drill-down page lacks the week's row")
	}

	// An authority user: only its own series; nothing in the range is the empty state.
	own := f.env.As(auth.RoleAuthority, f.comm)
	mine := own.Get(chartRange).Body
	if strings.Contains(mine, "alert(1)") || strings.Contains(mine, f.script) {
		t.Error("an authority user sees another authority in the chart")
	}
	if !strings.Contains(mine, `"name":"Kommune C"`) {
		t.Error("the authority user's chart lacks its own series")
	}
	empty := own.Get("/dashboards/volume?from=2012-W46&to=2012-W47").Body
	if strings.Count(empty, "Intet at vise i perioden.") != 2 || strings.Contains(empty, `type="application/json"`) {
		t.Errorf("a range with nothing to draw does not show the empty state: %.2000s", empty)
	}
}

// ECharts is served from the binary under a versioned name, cached for a
// year, and is the build scripts/echarts.sh pins.
func TestEChartsServedImmutable(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	r := env.Anonymous().Get(web.EChartsScript)
	if r.StatusCode != 200 {
		t.Fatalf("%s: %d", web.EChartsScript, r.StatusCode)
	}
	if cc := r.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("Cache-Control %q", cc)
	}
	if ct := r.Header.Get("Content-Type"); !strings.Contains(ct, "javascript") {
		t.Errorf("Content-Type %q", ct)
	}
	script, err := os.ReadFile("../scripts/echarts.sh")
	if err != nil {
		t.Fatal(err)
	}
	version := regexp.MustCompile(`(?m)^VERSION=(\S+)$`).FindSubmatch(script)
	pinned := regexp.MustCompile(`(?m)^SHA256=([0-9a-f]{64})$`).FindSubmatch(script)
	if version == nil || pinned == nil {
		t.Fatal("scripts/echarts.sh names no VERSION and SHA256")
	}
	if web.EChartsScript != "/static/echarts-"+string(version[1])+".min.js" {
		t.Errorf("the app serves %s, the script pins echarts %s", web.EChartsScript, version[1])
	}
	sum := sha256.Sum256([]byte(r.Body))
	if hex.EncodeToString(sum[:]) != string(pinned[1]) {
		t.Error("the served ECharts is not the build scripts/echarts.sh pins")
	}
	if !strings.Contains(r.Body, `version="`+string(version[1])+`"`) {
		t.Error("the served file does not say its version")
	}
	// Unversioned static files keep the short cache.
	if cc := env.Anonymous().Get("/static/charts.js").Header.Get("Cache-Control"); strings.Contains(cc, "immutable") {
		t.Errorf("charts.js cached as immutable: %q", cc)
	}
}
