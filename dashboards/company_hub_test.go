package dashboards_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/survey"
)

func getTimeline(t *testing.T, c *apptest.Client, path string) dashboards.CompanyTimeline {
	t.Helper()
	r := c.Get(path)
	if r.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d %.500s", path, r.StatusCode, r.Body)
	}
	var tl dashboards.CompanyTimeline
	r.JSON(t, &tl)
	return tl
}

// dayLines writes a timeline's days: "2012-11-12 W46: events message.read 1 | ...".
func dayLines(tl dashboards.CompanyTimeline) []string {
	var out []string
	for _, d := range tl.Days {
		var parts []string
		for _, s := range d.Answers {
			parts = append(parts, fmt.Sprintf("answers %s %d", s.Wave, len(s.Answers)))
		}
		for _, iv := range d.Interviews {
			parts = append(parts, "interview "+iv.Interviewer)
		}
		for _, c := range d.Calls {
			parts = append(parts, "call "+c.Category)
		}
		for _, e := range d.Events {
			parts = append(parts, fmt.Sprintf("%s %d", e.Type, e.Events))
		}
		out = append(out, d.Day+" "+d.Week+": "+strings.Join(parts, ", "))
	}
	return out
}

// The company hub's timeline on its JSON route: company A's answers (with
// question texts and answer labels in the reader's language), interview,
// call and usage events per day and type, newest first, on the Copenhagen
// calendar (Sunday 23:30 and Monday 00:30 are two days of two weeks),
// resent events counted once; each role gets its parts; the period filter
// narrows the days.
func TestCompanyTimeline(t *testing.T) {
	f := newAdoptionFixture(t)
	ctx := context.Background()
	if _, err := f.env.App.Survey.Store.AddInterview(ctx, survey.Interview{CompanyCVR: f.a, HeldOn: "2012-11-13", Interviewer: "Ida", Notes: "Svært at finde <posten>"}, "test"); err != nil {
		t.Fatal(err)
	}
	// The waves' answers are submitted an hour after the waves open.
	answered := map[string]string{}
	for _, id := range []string{"2012-W45", "2012-W46"} {
		w, err := f.env.App.Survey.Store.Wave(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		answered[id] = w.OpensAt.Add(time.Hour).In(week.Copenhagen).Format(time.DateOnly)
	}
	admin := f.env.As(auth.RoleAdmin, "")
	tl := getTimeline(t, admin, "/api/v1/companies/"+f.a+"/timeline")
	if tl.Company.CVR != f.a || tl.Company.Name != "Firma A" || len(tl.Company.Contacts) != 1 || strings.Join(tl.Parts, " ") != "answers interviews calls events" || tl.Period.Preset != "pilot" {
		t.Fatalf("company %+v, parts %v, period %+v", tl.Company, tl.Parts, tl.Period)
	}
	want := map[string][]string{
		"2012-11-05": {"mailbox.setup_started 1"},
		"2012-11-06": {"mailbox.setup_completed 1", "message.sent 4"},
		"2012-11-07": {"call mailbox_creation"},
		"2012-11-11": {"message.sent 1", "user.login 1"}, // Sunday 23:30
		"2012-11-12": {"message.read 1"},                 // Monday 00:30
		"2012-11-13": {"interview Ida"},
	}
	// Company A's answers in the shared fixture (pilotdata_test.go): in W45
	// the three yes/no questions, ease, missing features and a comment; in
	// W46 the three and ease.
	for wave, n := range map[string]string{"2012-W46": "4", "2012-W45": "6"} { // answers come first in a day
		want[answered[wave]] = append([]string{"answers " + wave + " " + n}, want[answered[wave]]...)
	}
	var wantLines []string
	for day, parts := range want {
		wantLines = append(wantLines, day+" "+week.Of(mustDate(t, day)).String()+": "+strings.Join(parts, ", "))
	}
	slices.Sort(wantLines)
	slices.Reverse(wantLines)
	if got := dayLines(tl); strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("timeline:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"))
	}
	// The answers read as text, in Danish, then in English.
	readable := func(tl dashboards.CompanyTimeline) string {
		for _, d := range tl.Days {
			for _, s := range d.Answers {
				if s.Wave == "2012-W46" {
					return fmt.Sprint(s.Answers[1].Question, " = ", s.Answers[1].Answer)
				}
			}
		}
		return ""
	}
	if got := readable(tl); got != "Har I haft problemer med at oprette eller opsætte postkassen i denne uge? = Ja" {
		t.Errorf("answers in Danish: %q", got)
	}
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode >= 400 {
		t.Fatal(r.StatusCode)
	}
	if got := readable(getTimeline(t, admin, "/api/v1/companies/"+f.a+"/timeline")); got != "Have you had problems creating or setting up the mailbox this week? = Yes" {
		t.Errorf("answers in English: %q", got)
	}

	// Support staff: calls and events, no questionnaire; the latest week only.
	sup := getTimeline(t, f.env.As(auth.RoleSupport, ""), "/api/v1/companies/"+f.a+"/timeline?period=latest")
	if strings.Join(sup.Parts, " ") != "calls events" || sup.Period.From != sup.Period.To {
		t.Errorf("support: parts %v, period %+v", sup.Parts, sup.Period)
	}
	for _, d := range sup.Days {
		if len(d.Answers)+len(d.Interviews) > 0 || d.Week != sup.Period.To.String() {
			t.Errorf("support's latest week: %+v", d)
		}
	}
	// A period without anything, a bad one, an unknown company.
	if empty := getTimeline(t, admin, "/api/v1/companies/"+f.a+"/timeline?from=2012-W50&to=2012-W50"); len(empty.Days) != 0 {
		t.Errorf("an empty week: %v", dayLines(empty))
	}
	if r := admin.Get("/api/v1/companies/" + f.a + "/timeline?from=2012-W99"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"from"`) {
		t.Errorf("a bad week: %d %s", r.StatusCode, r.Body)
	}
	for _, path := range []string{"/api/v1/companies/" + cvr(t, "4999999") + "/timeline", "/companies/" + cvr(t, "4999999")} {
		if r := admin.Get(path); r.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", path, r.StatusCode)
		}
	}
}

func mustDate(t *testing.T, day string) time.Time {
	t.Helper()
	d, err := time.ParseInLocation(time.DateOnly, day, week.Copenhagen)
	if err != nil {
		t.Fatal(err)
	}
	return d.Add(12 * time.Hour)
}

// The hub page: the register data, the timeline with question texts and
// answer labels (never keys), links to the register form, the calls and
// the answer history; a company named like a script is text.
func TestCompanyHubPage(t *testing.T) {
	f := newAdoptionFixture(t)
	f.changeCompany(t, f.a, func(co *registry.Company) { co.Name = scriptName })
	admin := f.env.As(auth.RoleAdmin, "")
	page := admin.Get("/companies/" + f.a)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("hub: %d %.500s", page.StatusCode, page.Body)
	}
	if strings.Contains(page.Body, scriptName) || !strings.Contains(page.Body, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the company's name is not text on its hub")
	}
	body := html.UnescapeString(page.Body)
	for _, want := range []string{"Har I haft problemer med at oprette eller opsætte postkassen i denne uge?", "Ja", "oprettelse påbegyndt 1", "meddelelser læst 1",
		`href="/companies/` + f.a + `/edit"`, `href="/survey/companies/` + f.a + `"`, `href="/support/calls?company=` + f.a + `"`, "k0@firma.test", "2012-W46"} {
		if !strings.Contains(body, want) {
			t.Errorf("the hub lacks %q", want)
		}
	}
	if strings.Contains(body, ">setup_problem<") || strings.Contains(body, ">yes<") {
		t.Error("the hub shows a question key or an answer value")
	}
	// Support: no questionnaire part, the register form read-only.
	sup := f.env.As(auth.RoleSupport, "")
	if body := sup.Get("/companies/" + f.a).Body; strings.Contains(body, "/survey/companies/") || strings.Contains(body, "Har I haft problemer") || !strings.Contains(body, "meddelelser læst") {
		t.Error("support's hub shows the questionnaire or lacks the events")
	}
	if r := sup.Get("/companies/" + f.a + "/edit"); r.StatusCode != http.StatusOK || !strings.Contains(r.Body, "<fieldset disabled") {
		t.Errorf("the register form for support: %d", r.StatusCode)
	}
	// Saving the register form returns to it.
	form := url.Values{"cvr": {f.a}, "name": {"Firma A"}, "kind": {"company"}, "contact_rows": {"0"}}
	if r := admin.PostForm("/companies/"+f.a, form); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/companies/"+f.a+"/edit?saved=1" {
		t.Errorf("saving: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
}
