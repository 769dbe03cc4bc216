package dashboards_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/registry"
)

// adoptionFixture is the overview's replayed pilot (newOverviewFixture)
// with the adoption events added (Copenhagen times):
//
//   - A (cohort "hold-2"): setup started Mon 5 Nov, completed Tue 6 Nov,
//     first login Sunday 11 Nov 23:30 (2012-W45), first message read Monday
//     12 Nov 00:30 (W46, Sunday 23:30 UTC);
//   - B: setup started Sunday 11 Nov 23:30 (W45), completed Monday 12 Nov
//     00:30 (W46); never logs in;
//   - C: a login Wed 14 Nov (W46) and no setup event (a later step implies
//     the earlier ones);
//   - D: nothing (stuck in the pilot since the pilot's first day with
//     data, as it was registered after the replayed data);
//   - M (municipality): setup started and a login on Monday 29 Oct 00:30,
//     the Monday after summer time ended (Sunday 23:30 UTC: 2012-W44, the
//     pilot's first week with events).
//
// The whole batch is sent twice (the second time all duplicates).
type adoptionFixture struct {
	overviewFixture
}

func newAdoptionFixture(t *testing.T) adoptionFixture {
	t.Helper()
	f := adoptionFixture{newOverviewFixture(t)}
	ctx := context.Background()
	f.changeCompany(t, f.a, func(co *registry.Company) { co.Cohort = "hold-2" })
	var events []event.Event
	add := func(typ, company, at string) {
		ts := cph(at).UTC()
		events = append(events, event.Event{EventID: fmt.Sprintf("adoption-%d", len(events)), OccurredAt: ts, ReceivedAt: ts, Type: typ, CompanyCVR: company})
	}
	add(event.TypeSetupStarted, f.a, "2012-11-05 10:00")
	add(event.TypeSetupCompleted, f.a, "2012-11-06 10:00")
	add(event.TypeLogin, f.a, "2012-11-11 23:30")
	add(event.TypeMessageRead, f.a, "2012-11-12 00:30")
	add(event.TypeSetupStarted, f.b, "2012-11-11 23:30")
	add(event.TypeSetupCompleted, f.b, "2012-11-12 00:30")
	add(event.TypeLogin, f.c, "2012-11-14 10:00")
	add(event.TypeSetupStarted, f.m, "2012-10-29 00:30")
	add(event.TypeLogin, f.m, "2012-10-29 00:30")
	for range 2 {
		if _, _, err := f.env.App.Ingester.Store(ctx, "test", events); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// changeCompany changes a company of the registry.
func (f adoptionFixture) changeCompany(t *testing.T, cvr string, change func(*registry.Company)) {
	t.Helper()
	ctx := context.Background()
	co, err := f.env.App.Registry.Company(ctx, cvr)
	if err != nil {
		t.Fatal(err)
	}
	change(&co)
	if _, err := f.env.App.Registry.UpdateCompany(ctx, cvr, co); err != nil {
		t.Fatal(err)
	}
}

func getAdoption(t *testing.T, f adoptionFixture, role auth.Role, query string) dashboards.Adoption {
	t.Helper()
	r := f.env.As(role, "").Get("/api/v1/metrics/adoption" + query)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("adoption%s as %s: %d %.500s", query, role, r.StatusCode, r.Body)
	}
	var a dashboards.Adoption
	r.JSON(t, &a)
	return a
}

// funnel writes the counts of the steps: "4 3 3 2 1 / 4 2 1 1 0 / +0 +1 +2 +1 +1".
func funnel(a dashboards.Adoption) string {
	var now, before, change []string
	for _, s := range a.Steps {
		now = append(now, fmt.Sprint(s.Reached.Part))
		before = append(before, fmt.Sprint(s.Previous.Part))
		change = append(change, fmt.Sprintf("%+d", s.Change))
	}
	return strings.Join(now, " ") + " / " + strings.Join(before, " ") + " / " + strings.Join(change, " ")
}

// stuck writes who is stuck where: "in_pilot: D since 2012-10-29 (joined) 20 days; ...".
func stuck(f adoptionFixture, a dashboards.Adoption) string {
	names := map[string]string{f.a: "A", f.b: "B", f.c: "C", f.d: "D", f.m: "M"}
	var out []string
	for _, s := range a.Steps {
		for _, c := range s.Stuck {
			joined := ""
			if c.SinceJoined {
				joined = " (joined)"
			}
			out = append(out, fmt.Sprintf("%s: %s since %s%s %d days", s.Step, names[c.CVR], c.Since, joined, c.Days))
		}
	}
	return strings.Join(out, "; ")
}

func weeksOf(a dashboards.Adoption) string {
	var out []string
	for _, w := range a.Weeks {
		out = append(out, fmt.Sprintf("%s %v", w.Week, w.Companies))
	}
	return strings.Join(out, " ")
}

// Every figure of the adoption funnel on the JSON route, with known
// answers: the latest week with data by default (2012-W46, against the end
// of W45: the Sunday 23:30 / Monday 00:30 boundary decides B's and A's
// steps), resent duplicates counting once, a four-week period with the DST
// week, an empty week after the data, each filter and bad parameters.
func TestAdoptionFigures(t *testing.T) {
	f := newAdoptionFixture(t)
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleSupport} {
		a := getAdoption(t, f, role, "")
		if a.Period.From.String() != "2012-W46" || a.Period.To.String() != "2012-W46" || a.AsOf != "2012-11-18" || a.PreviousAsOf != "2012-11-11" || a.Companies != 4 {
			t.Fatalf("%s: period %s–%s as of %s (previous %s), %d companies", role, a.Period.From, a.Period.To, a.AsOf, a.PreviousAsOf, a.Companies)
		}
		if got := funnel(a); got != "4 3 3 2 1 / 4 2 1 1 0 / +0 +1 +2 +1 +1" {
			t.Errorf("%s: funnel %s", role, got)
		}
		if got := stuck(f, a); got != "in_pilot: D since 2012-10-29 (joined) 20 days; setup_completed: B since 2012-11-12 6 days; first_login: C since 2012-11-14 4 days" {
			t.Errorf("%s: stuck %s", role, got)
		}
		if got := weeksOf(a); got != "2012-W46 [4 3 3 2 1]" {
			t.Errorf("%s: weeks %s", role, got)
		}
		if s := a.Steps[1].Reached; s.Whole != 4 || s.Share != 0.75 {
			t.Errorf("%s: setup started share %+v", role, s)
		}
	}
	checks := []struct{ query, funnel, weeks string }{
		// Four weeks with the DST week 44; the previous four weeks had no events.
		{"?period=4w", "4 3 3 2 1 / 4 0 0 0 0 / +0 +3 +3 +2 +1", "2012-W43 [4 0 0 0 0] 2012-W44 [4 0 0 0 0] 2012-W45 [4 2 1 1 0] 2012-W46 [4 3 3 2 1]"},
		{"?period=pilot", "4 3 3 2 1 / 4 0 0 0 0 / +0 +3 +3 +2 +1", "2012-W44 [4 0 0 0 0] 2012-W45 [4 2 1 1 0] 2012-W46 [4 3 3 2 1]"},
		// The week before: Sunday 23:30 counts in W45, Monday 00:30 does not.
		{"?from=2012-W45&to=2012-W45", "4 2 1 1 0 / 4 0 0 0 0 / +0 +2 +1 +1 +0", "2012-W45 [4 2 1 1 0]"},
		// An empty week after the data: nothing new, nothing lost.
		{"?from=2012-W48&to=2012-W48", "4 3 3 2 1 / 4 3 3 2 1 / +0 +0 +0 +0 +0", "2012-W48 [4 3 3 2 1]"},
		// The municipality: setup started Monday 29 Oct 00:30, in W44 (not W43).
		{"?kind=municipality&from=2012-W43&to=2012-W44", "1 1 1 1 0 / 1 0 0 0 0 / +0 +1 +1 +1 +0", "2012-W43 [1 0 0 0 0] 2012-W44 [1 1 1 1 0]"},
		{"?kind=all", "5 4 4 3 1 / 5 3 2 2 0 / +0 +1 +2 +1 +1", "2012-W46 [5 4 4 3 1]"},
		{"?cohort=hold-2", "1 1 1 1 1 / 1 1 1 1 0 / +0 +0 +0 +0 +1", "2012-W46 [1 1 1 1 1]"},
	}
	for _, c := range checks {
		a := getAdoption(t, f, auth.RoleAdmin, c.query)
		if got := funnel(a); got != c.funnel {
			t.Errorf("%s: funnel %s, want %s", c.query, got, c.funnel)
		}
		if got := weeksOf(a); got != c.weeks {
			t.Errorf("%s: weeks %s, want %s", c.query, got, c.weeks)
		}
	}
	if a := getAdoption(t, f, auth.RoleAdmin, "?from=2012-W48&to=2012-W48"); stuck(f, a) != "in_pilot: D since 2012-10-29 (joined) 34 days; setup_completed: B since 2012-11-12 20 days; first_login: C since 2012-11-14 18 days" {
		t.Errorf("W48 stuck: %s", stuck(f, a))
	}
	admin := f.env.As(auth.RoleAdmin, "")
	for query, field := range map[string]string{"?kind=nope": "kind", "?period=year": "period", "?from=2012-W60": "from", "?from=2012-W46&to=2012-W45": "to"} {
		if r := admin.Get("/api/v1/metrics/adoption" + query); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", query, r.StatusCode, r.Body)
		}
		if r := admin.Get("/dashboards/adoption" + query); r.StatusCode != http.StatusBadRequest {
			t.Errorf("page %s: %d", query, r.StatusCode)
		}
	}
	// Authority users see no company figures.
	x := f.env.As(auth.RoleAuthority, f.x)
	for _, path := range []string{"/api/v1/metrics/adoption", "/dashboards/adoption", "/api/v1/metrics/legal-notice", "/dashboards/legal-notice.csv", "/companies/" + f.a, "/api/v1/companies/" + f.a + "/timeline"} {
		if r := x.Get(path); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s as an authority user: %d", path, r.StatusCode)
		}
	}
}

// The adoption page shows the same figures in Danish (and English), the
// chart with its table, and each stuck company linking to its hub.
func TestAdoptionPage(t *testing.T) {
	f := newAdoptionFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	page := admin.Get("/dashboards/adoption")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("page: %d %.500s", page.StatusCode, page.Body)
	}
	body := html.UnescapeString(page.Body)
	for _, want := range []string{"Oprettelse fuldført", "75,0 %", "+2 siden 2012-11-11", `id="adoption-funnel"`, `href="/companies/` + f.d + `"`,
		"Står ved „Oprettelse fuldført“, ikke nået „Første login“ (1)", "2012-10-29 (kom med i piloten)", `href="/dashboards/legal-notice?`} {
		if !strings.Contains(body, want) {
			t.Errorf("the adoption page lacks %q", want)
		}
	}
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode >= 400 {
		t.Fatal(r.StatusCode)
	}
	en := html.UnescapeString(admin.Get("/dashboards/adoption?period=4w").Body)
	for _, want := range []string{"Setup completed", "75.0%", "+3 since 2012-10-21", "2012-W43"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
	// No companies of the kind: the page says where to get them.
	if body := admin.Get("/dashboards/adoption?kind=region").Body; !strings.Contains(body, `href="/companies"`) || !strings.Contains(body, "No participants of the chosen kind") {
		t.Error("the empty state does not say where to add companies")
	}
}

// The legal-notice list: companies with no login on or after the date,
// never-logged-in first, with contacts, last login and days since; the
// Monday 00:30 login after summer time counts on Monday; CSV for a mail
// merge, neutralised and audited.
func TestLegalNotice(t *testing.T) {
	f := newAdoptionFixture(t)
	ctx := context.Background()
	f.changeCompany(t, f.b, func(co *registry.Company) {
		co.Contacts = append(co.Contacts, registry.Contact{Name: `=HYPERLINK("http://x","klik")`, Email: "b2@firma.test", Language: "en"})
	})
	get := func(role auth.Role, query string) dashboards.LegalNotice {
		t.Helper()
		r := f.env.As(role, "").Get("/api/v1/metrics/legal-notice" + query)
		if r.StatusCode != http.StatusOK {
			t.Fatalf("legal notice%s: %d %.300s", query, r.StatusCode, r.Body)
		}
		var ln dashboards.LegalNotice
		r.JSON(t, &ln)
		return ln
	}
	names := map[string]string{f.a: "A", f.b: "B", f.c: "C", f.d: "D", f.m: "M"}
	list := func(ln dashboards.LegalNotice) string {
		var out []string
		for _, c := range ln.NotLoggedIn {
			days := "-"
			if c.DaysSince != nil {
				days = fmt.Sprint(*c.DaysSince)
			}
			out = append(out, fmt.Sprintf("%s %s %s %d", names[c.CVR], c.LastLogin, days, len(c.Contacts)))
		}
		return strings.Join(out, "; ")
	}
	for _, c := range []struct{ query, since, asOf, want string }{
		// Default: the period's first day, Monday 12 Nov; A's Sunday 23:30 login is before it.
		{"", "2012-11-12", "2012-11-18", "B  - 2; D  - 1; A 2012-11-11 7 1"},
		{"?since=2012-11-11", "2012-11-11", "2012-11-18", "B  - 2; D  - 1"},
		{"?since=2012-12-01", "2012-12-01", "2012-11-30", "B  - 2; D  - 1; A 2012-11-11 19 1; C 2012-11-14 16 1"},
		{"?period=4w", "2012-10-22", "2012-11-18", "B  - 2; D  - 1"},
		// The municipality's login Monday 29 Oct 00:30 (Sunday 23:30 UTC) is on the 29th.
		{"?kind=municipality&since=2012-10-29", "2012-10-29", "2012-11-18", ""},
		{"?kind=municipality&since=2012-10-30", "2012-10-30", "2012-11-18", "M 2012-10-29 20 1"},
		{"?cohort=hold-2&since=2012-11-12", "2012-11-12", "2012-11-18", "A 2012-11-11 7 1"},
	} {
		ln := get(auth.RoleSupport, c.query)
		if ln.Since != c.since || ln.AsOf != c.asOf || list(ln) != c.want {
			t.Errorf("%s: since %s as of %s: %q, want since %s as of %s: %q", c.query, ln.Since, ln.AsOf, list(ln), c.since, c.asOf, c.want)
		}
	}
	admin := f.env.As(auth.RoleAdmin, "")
	for _, path := range []string{"/api/v1/metrics/legal-notice?since=2012-13-01", "/dashboards/legal-notice.csv?since=yesterday", "/dashboards/legal-notice?since=12-11-2012"} {
		r := admin.Get(path)
		if r.StatusCode != http.StatusBadRequest || (strings.Contains(path, "/api/") && !strings.Contains(r.Body, `"field":"since"`)) {
			t.Errorf("%s: %d %.300s", path, r.StatusCode, r.Body)
		}
	}

	manager := f.env.As(auth.RoleManager, "")
	file := manager.Get("/dashboards/legal-notice.csv?since=2012-11-12")
	if file.StatusCode != http.StatusOK || !strings.HasPrefix(file.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(file.Header.Get("Content-Disposition"), "legal-notice-2012-11-12.csv") {
		t.Fatalf("csv: %d %v", file.StatusCode, file.Header)
	}
	wantCSV := "\uFEFFcompany_cvr,company,contact,email,language,last_login,days_since\n" +
		f.b + ",Firma B,Kontakt,k1@firma.test,da,,\n" +
		f.b + `,Firma B,"'=HYPERLINK(""http://x"",""klik"")",b2@firma.test,en,,` + "\n" +
		f.d + ",Firma D,Kontakt,k3@firma.test,da,,\n" +
		f.a + ",Firma A,Kontakt,k0@firma.test,da,2012-11-11,7\n"
	if file.Body != wantCSV {
		t.Errorf("csv:\n%s\nwant:\n%s", file.Body, wantCSV)
	}
	entries, err := f.env.App.Audit.List(ctx, audit.Filter{Action: audit.Export})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Target != "legal-notice list" || !strings.Contains(entries[0].Detail, "since 2012-11-12") || !strings.Contains(entries[0].Detail, "3 companies, 4 rows") {
		t.Errorf("audit log: %+v", entries)
	}

	page := html.UnescapeString(admin.Get("/dashboards/legal-notice").Body)
	for _, want := range []string{"3 af 4 deltagere (Virksomheder) har ikke logget ind den 2012-11-12 eller senere", "Aldrig", `href="/companies/` + f.b + `"`,
		`=HYPERLINK("http://x","klik") <b2@firma.test> (engelsk)`, `href="/dashboards/legal-notice.csv?since=2012-11-12"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the legal-notice page lacks %q", want)
		}
	}
	if page := admin.Get("/dashboards/legal-notice?kind=municipality&since=2012-10-29").Body; !strings.Contains(page, "Alle har logget ind den 2012-10-29 eller senere.") {
		t.Error("an empty list does not say so")
	}
}
