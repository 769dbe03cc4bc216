package dashboards_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// A bad period on any dashboard page is the reader's mistake: 400 with the
// page's filter form and the error next to the field at fault, never a bare
// error page; each JSON twin answers 400 naming the field.
func TestBadPeriodOnEveryDashboardPage(t *testing.T) {
	env := apptest.New(t)
	company := addCompany(t, env, "6100001", "Periode A/S", registry.KindCompany, "")
	authority := env.Authority(cvr(t, "6100003"), "Periodestyrelsen")
	admin := env.As(auth.RoleAdmin, "")
	pages := []struct{ page, api string }{
		{"/", "/api/v1/metrics/overview"},
		{"/dashboards/setup-problems", "/api/v1/metrics/setup-problems"},
		{"/dashboards/follow-ups", "/api/v1/metrics/follow-ups"},
		{"/dashboards/volume", "/api/v1/metrics/volume"},
		{"/dashboards/volume/authorities/" + authority, "/api/v1/metrics/volume/authorities/" + authority},
		{"/dashboards/adoption", "/api/v1/metrics/adoption"},
		{"/dashboards/legal-notice", "/api/v1/metrics/legal-notice"},
		{"/dashboards/wishes", "/api/v1/metrics/wishes"},
		{"/dashboards/week-in-review", "/api/v1/metrics/week-in-review"},
		{"/companies/" + company, "/api/v1/companies/" + company + "/timeline"},
	}
	queries := []struct{ query, field, want string }{
		{"from=2012-W60", "from", "skal være en ISO-uge som 2012-W46 eller en dato som 2012-11-12"},
		{"from=2012-W47&to=2012-W46", "to", "uge 2012-W46 ligger før fra-ugen 2012-W47"},
		{"to=9999-12-31", "to", "uge 9999-W52 ligger uden for årene 2000 til 2099"},
	}
	for _, p := range pages {
		for _, q := range queries {
			sep := "?"
			if strings.Contains(p.page, "?") {
				sep = "&"
			}
			r := admin.Get(p.page + sep + q.query)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `<form method="get"`) ||
				!strings.Contains(r.Body, `name="`+q.field+`"`) ||
				!strings.Contains(r.Body, `<p class="field-error" role="alert">`+html.EscapeString(q.want)+`</p>`) {
				t.Errorf("GET %s?%s: %d, want 400 with the filter form and %s: %q: %.400s", p.page, q.query, r.StatusCode, q.field, q.want, pageMain(r.Body))
			}
			api := admin.Get(p.api + "?" + q.query)
			var body web.ErrorBody
			api.JSON(t, &body)
			if api.StatusCode != http.StatusBadRequest || len(body.Fields) != 1 || body.Fields[0] != (web.ErrorField{Field: q.field, Error: q.want}) {
				t.Errorf("GET %s?%s: %d %s, want 400 naming %s", p.api, q.query, api.StatusCode, api.Body, q.field)
			}
		}
	}
	if strings.Contains(env.Logs.String(), `"level":"ERROR"`) {
		t.Errorf("bad periods were logged as errors: %s", env.Logs.String())
	}
}

// pageMain is the main part of a page, for a failure message.
func pageMain(body string) string {
	if i := strings.Index(body, "<main"); i >= 0 {
		return body[i:]
	}
	return body
}

var _ = apptest.Password
