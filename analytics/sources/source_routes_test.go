package sources_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

func TestSourcesAPIAndPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true, Config: sources.LocalConfig(t)})
	admin := env.As(auth.RoleAdmin, "")
	env.SourceToken("pushed") // a push source shows in the list too

	// Only admins.
	for _, role := range []auth.Role{auth.RoleSupport, auth.RoleManager} {
		c := env.As(role, "")
		if r := c.Get("/api/v1/sources"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET /api/v1/sources = %d", role, r.StatusCode)
		}
		if r := c.Get("/sources"); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: GET /sources = %d", role, r.StatusCode)
		}
	}
	if r := env.Bearer(env.SourceToken("pushed")).Get("/api/v1/sources"); r.StatusCode != http.StatusForbidden {
		t.Errorf("source token: %d", r.StatusCode)
	}

	// API: create, invalid input named by field, get, update, poll.
	r := admin.SendJSON("POST", "/api/v1/sources", map[string]any{"name": "feed", "kind": "http-feed", "url": "ftp://nope"})
	var bad web.ErrorBody
	r.JSON(t, &bad)
	if r.StatusCode != 400 || len(bad.Fields) != 1 || bad.Fields[0].Field != "url" {
		t.Errorf("bad url: %d %s", r.StatusCode, r.Body)
	}
	r = admin.SendJSON("POST", "/api/v1/sources", map[string]any{"name": "feed", "kind": "http-feed", "url": "http://127.0.0.1:1/events", "colour": "red"})
	if r.StatusCode != 400 || !strings.Contains(r.Body, "colour") {
		t.Errorf("unknown field: %d %s", r.StatusCode, r.Body)
	}
	r = admin.SendJSON("POST", "/api/v1/sources", map[string]any{"name": "feed", "kind": "http-feed", "url": "http://127.0.0.1:1/events", "interval_seconds": 30})
	var src sources.Source
	r.JSON(t, &src)
	if r.StatusCode != 201 || src.ID == 0 || src.IntervalSeconds != 30 || !src.Enabled {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.SendJSON("POST", "/api/v1/sources", map[string]any{"name": "feed", "kind": "directory", "directory": t.TempDir()}); r.StatusCode != 400 {
		t.Errorf("duplicate name: %d %s", r.StatusCode, r.Body)
	}
	path := "/api/v1/sources/" + strconv.FormatInt(src.ID, 10)
	r = admin.SendJSON("PUT", path, map[string]any{"enabled": false, "batch_limit": 50})
	r.JSON(t, &src)
	if r.StatusCode != 200 || src.Enabled || src.BatchLimit != 50 || src.IntervalSeconds != 30 {
		t.Errorf("update: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.Get("/api/v1/sources/999"); r.StatusCode != 404 {
		t.Errorf("missing: %d", r.StatusCode)
	}
	if r := admin.SendJSON("POST", path+"/poll", nil); r.StatusCode != 200 {
		t.Errorf("poll: %d %s", r.StatusCode, r.Body)
	}
	var list []sources.Source
	admin.Get("/api/v1/sources").JSON(t, &list)
	if len(list) != 2 || list[0].Name != "feed" || list[1].Name != "pushed" || list[1].Kind != "push" {
		t.Errorf("list: %+v", list)
	}

	// Pages: create through the form, errors on their fields (in the
	// admin's language, here English), enable, poll now.
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose English: %d", r.StatusCode)
	}
	if r := admin.Get("/sources/new"); r.StatusCode != 200 || !strings.Contains(r.Body, `name="url"`) {
		t.Fatalf("new page: %d", r.StatusCode)
	}
	dir := t.TempDir()
	r = admin.PostForm("/sources", url.Values{"name": {"<b>exports</b>"}, "kind": {"directory"}, "directory": {dir + "/missing"}, "interval_seconds": {"5m"}, "enabled": {"1"}})
	if r.StatusCode != 400 || !strings.Contains(r.Body, "does not exist") {
		t.Errorf("bad folder: %d", r.StatusCode)
	}
	r = admin.PostForm("/sources", url.Values{"name": {"<b>exports</b>"}, "kind": {"directory"}, "directory": {dir}, "interval_seconds": {"5m"}, "enabled": {"1"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create form: %d %s", r.StatusCode, r.Body)
	}
	loc := r.Header.Get("Location")
	page := admin.Get(loc)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "&lt;b&gt;exports&lt;/b&gt;") || strings.Contains(page.Body, "<b>exports</b>") || !strings.Contains(page.Body, `value="300"`) {
		t.Errorf("source page: %d", page.StatusCode)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/sources/"), "?saved=1")
	r = admin.PostForm("/sources/"+id, url.Values{"directory": {dir}, "interval_seconds": {"x"}})
	if r.StatusCode != 400 || !strings.Contains(r.Body, "must be a number of seconds") {
		t.Errorf("bad interval: %d", r.StatusCode)
	}
	r = admin.PostForm("/sources/"+id, url.Values{"directory": {dir}, "interval_seconds": {"45"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Errorf("update form: %d %s", r.StatusCode, r.Body)
	}
	got, err := sources.NewSources(env.App.DB).ByName(t.Context(), "<b>exports</b>")
	if err != nil || got.IntervalSeconds != 45 || got.Enabled {
		t.Errorf("after the edit (no enabled box: off): %+v %v", got, err)
	}
	if r := admin.PostForm("/sources/"+id+"/enable", nil); r.StatusCode != http.StatusSeeOther {
		t.Errorf("enable: %d", r.StatusCode)
	}
	if r := admin.PostForm("/sources/"+id+"/poll", nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/sources?polled=1" {
		t.Errorf("poll now: %d", r.StatusCode)
	}
	list1 := admin.Get("/sources?polled=1")
	if list1.StatusCode != 200 || !strings.Contains(list1.Body, "pushed") || !strings.Contains(list1.Body, "/sources/"+id+"/poll") {
		t.Errorf("list page: %d", list1.StatusCode)
	}
	// Without the CSRF token, a form post is refused.
	if r := admin.PostForm("/sources/"+id+"/disable", url.Values{"_csrf": {"wrong"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("no CSRF: %d", r.StatusCode)
	}
	// /metrics shows each pulled source's status (read from the registry:
	// the frame's own request metrics may fail the whole page).
	families, _ := env.Web.Metrics.Gather()
	found := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			v := m.GetGauge().GetValue() + m.GetCounter().GetValue()
			found[f.GetName()+"/"+labels["source"]+"/"+labels["kind"]] = v
		}
	}
	if v, ok := found["pilotpulse_source_consecutive_failures/feed/http-feed"]; !ok || v != 0 {
		t.Errorf("metrics: %v", found)
	}
	if _, ok := found["pilotpulse_source_events_pulled_total/<b>exports</b>/directory"]; !ok {
		t.Errorf("metrics: %v", found)
	}
	entries, err := env.App.Audit.List(t.Context(), audit.Filter{Action: audit.RecordCreated})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Target, "source ") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d source creations audited, want 2", n)
	}
}
