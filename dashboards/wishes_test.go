package dashboards_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/support"
)

func getWishes(t *testing.T, c *apptest.Client, query string) dashboards.Wishes {
	t.Helper()
	return getJSON[dashboards.Wishes](t, c, "/api/v1/metrics/wishes"+query)
}

// wishCounts writes each wish's figures for comparing: "mentions/previous
// companies choice,answer_text,interview,call per-week".
func wishCounts(w dashboards.Wishes) []string {
	var out []string
	for _, wf := range w.Wishes {
		var src []string
		for _, s := range dashboards.WishSources {
			src = append(src, fmt.Sprint(wf.BySource[s]))
		}
		out = append(out, fmt.Sprintf("%d/%d %d %s %v", wf.Mentions, wf.PreviousMentions, wf.Companies, strings.Join(src, ","), wf.PerWeek))
	}
	return out
}

// quoteText is a quote with its marks in brackets.
func quoteText(q dashboards.WishQuote) string {
	var b strings.Builder
	for _, p := range q.Parts {
		if p.Mark {
			b.WriteString("[" + p.Text + "]")
		} else {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

// Every wish figure of the seeded rules on the constructed data (see
// overviewFixture): the latest week with data against the week before,
// the Sunday 23:30 / Monday 00:30 boundary of calls, an interview on a
// Sunday, multiple-choice answers, free text and its whole-word rule, the
// quotes newest first with their marks, the filters and an empty week.
func TestWishesFigures(t *testing.T) {
	f := newOverviewFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	w := getWishes(t, admin, "")
	if w.Period.From.String() != "2012-W46" || w.Period.PreviousFrom.String() != "2012-W45" || strings.Join(w.Weeks, " ") != "2012-W45 2012-W46" || w.Language != "da" {
		t.Fatalf("period %+v, weeks %v", w.Period, w.Weeks)
	}
	names := []string{}
	for _, wf := range w.Wishes {
		names = append(names, wf.Name)
	}
	if strings.Join(names, "|") != "Søgning på tværs af mapper|Se hvem der har gjort hvad|Genfinde slettet post" {
		t.Fatalf("the seeded rules: %v", names)
	}
	// Search: W45 A's choice, A's comment, A's call (M is a municipality);
	// W46 D's choice and C's Sunday interview.
	// Audit trail: W45 B's choice and D's Sunday 23:30 call; W46 C's comment
	// ("Log." is a word, D's "Blogindlæg om login" has none).
	// Recover deleted: W45 B's choice; W46 B's Monday 00:30 call, C's interview.
	want := []string{"2/3 2 1,0,1,0 [3 2]", "1/2 1 0,1,0,0 [2 1]", "2/1 2 0,0,1,1 [1 2]"}
	if got := wishCounts(w); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("wishes of 2012-W46:\n got %v\nwant %v", got, want)
	}
	var quotes []string
	for _, q := range w.Wishes[2].Quotes {
		quotes = append(quotes, q.Date+" "+q.Source+" "+q.CompanyCVR+": "+quoteText(q))
	}
	if want := []string{"2012-11-18 interview " + f.c + ": Ønsker [fortryd sletning] og Søgning på tværs af mapper.",
		"2012-11-12 call " + f.b + ": Kunden vil gerne kunne [gendanne slettet post]"}; fmt.Sprint(quotes) != fmt.Sprint(want) {
		t.Errorf("recover-deleted quotes:\n got %q\nwant %q", quotes, want)
	}
	if q := w.Wishes[1].Quotes[0]; q.Source != dashboards.WishSourceAnswer || q.Question != "Kommentarer" ||
		quoteText(q) != "Det ville være rart at se [HVEM DER HAR GJORT HVAD] <b>nu</b>, og en [Log]." {
		t.Errorf("the audit-trail comment: %+v %q", q, quoteText(q))
	}
	if q := w.Wishes[0].Quotes; len(q) != 2 || q[1].Source != dashboards.WishSourceChoice || quoteText(q[1]) != "[Søgning på tværs af mapper]" ||
		q[1].Question != "Hvad savner I i postkassen?" || q[1].CompanyCVR != f.d {
		t.Errorf("the search choice: %+v", q)
	}

	// The four weeks: everything, counted once; the previous four weeks are empty.
	if got := wishCounts(getWishes(t, admin, "?period=4w")); fmt.Sprint(got) != fmt.Sprint([]string{"5/0 3 2,1,1,1 [0 0 0 0 0 0 3 2]", "3/0 3 1,1,0,1 [0 0 0 0 0 0 2 1]", "3/0 2 1,0,1,1 [0 0 0 0 0 0 1 2]"}) {
		t.Errorf("four weeks: %v", got)
	}
	// An empty week after the data.
	empty := getWishes(t, admin, "?from=2012-W50&to=2012-W50")
	if got := wishCounts(empty); fmt.Sprint(got) != fmt.Sprint([]string{"0/0 0 0,0,0,0 [0 0]", "0/0 0 0,0,0,0 [0 0]", "0/0 0 0,0,0,0 [0 0]"}) {
		t.Errorf("an empty week: %v", got)
	}
	if page := admin.Get("/dashboards/wishes?from=2012-W50&to=2012-W50").Body; !strings.Contains(page, "Ingen ønsker nævnt i 2012-W50") || !strings.Contains(page, `href="/survey"`) {
		t.Error("the empty week's page does not say what is missing")
	}
	// The kind filter: M's call counts for municipalities, and for everyone.
	if got := wishCounts(getWishes(t, admin, "?from=2012-W45&to=2012-W45&kind=municipality")); got[0] != "1/0 1 0,0,0,1 [0 1]" {
		t.Errorf("municipalities in W45: %v", got)
	}
	if got := wishCounts(getWishes(t, admin, "?from=2012-W45&to=2012-W45&kind=all")); got[0] != "4/0 2 1,1,0,2 [0 4]" {
		t.Errorf("everyone in W45: %v", got)
	}
	// The cohort filter: nobody is in cohort 2013.
	if got := wishCounts(getWishes(t, admin, "?period=pilot&cohort=2013")); got[0] != "0/0 0 0,0,0,0 [0 0 0 0]" {
		t.Errorf("cohort 2013: %v", got)
	}
	// Bad parameters name the field.
	for q, field := range map[string]string{"?period=week": "period", "?kind=firm": "kind", "?from=2012-W47&to=2012-W45": "to"} {
		if r := admin.Get("/api/v1/metrics/wishes" + q); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"`+field+`"`) {
			t.Errorf("%s: %d %s", q, r.StatusCode, r.Body)
		}
	}

	// The page: the same counts, the change, the quotes with the match
	// marked and the text escaped, each company linking to its page.
	page := admin.Get("/dashboards/wishes").Body
	for _, want := range []string{"2 omtaler", "-1 siden uge 45", "fra 2 virksomheder", "1 i spørgeskemaets valgmuligheder; 1 i interviewnoter",
		"Kunden vil gerne kunne <mark>gendanne slettet post</mark>", "<mark>HVEM DER HAR GJORT HVAD</mark> &lt;b&gt;nu&lt;/b&gt;, og en <mark>Log</mark>.",
		`<a href="/companies/` + f.c + `">Firma C</a>, 2012-11-18, interviewnoter`, `id="wishes-chart"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the wishes page lacks %q", want)
		}
	}
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode >= 400 {
		t.Fatal(r.StatusCode)
	}
	en := getWishes(t, admin, "")
	if en.Language != "en" || en.Wishes[0].Name != "Search across folders" || en.Wishes[0].Quotes[1].Question != "What do you miss in the mailbox?" ||
		quoteText(en.Wishes[0].Quotes[1]) != "[Search across folders]" {
		t.Errorf("in English: %+v", en.Wishes[0])
	}
	if page := html.UnescapeString(admin.Get("/dashboards/wishes").Body); !strings.Contains(page, "2 mentions") || !strings.Contains(page, "-1 since week 45") {
		t.Error("the English page lacks its counts")
	}
}

// Calls around the end of daylight saving time (Sunday 2012-10-28, a
// 25-hour day): 23:30 that Sunday is week 43, 00:30 the Monday after week 44.
func TestWishesAcrossDST(t *testing.T) {
	f := newOverviewFixture(t)
	ctx := context.Background()
	for _, c := range []struct {
		at   string
		text string
	}{{"2012-10-28 02:30", "undelete"}, {"2012-10-28 23:30", "undelete please"}, {"2012-10-29 00:30", "Recover deleted mail"}} {
		at := cph(c.at)
		if _, err := f.env.App.Support.Create(ctx, support.Input{CompanyCVR: f.a, CallerName: "Anna", ReceivedAt: &at, Desk: "portal", Channel: "phone",
			Category: "deleted_mail", Description: c.text, Resolution: "resolved"}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	w := getWishes(t, f.env.As(auth.RoleManager, ""), "?from=2012-W44&to=2012-W44")
	if got := wishCounts(w)[2]; got != "1/2 1 0,0,0,1 [2 1]" {
		t.Errorf("recover deleted, W44 against W43: %s", got)
	}
	if q := w.Wishes[2].Quotes; len(q) != 1 || q[0].Date != "2012-10-29" || quoteText(q[0]) != "[Recover deleted mail]" {
		t.Errorf("the Monday 00:30 call: %+v", q)
	}
}

// Admins edit the rules (CSRF-protected forms, audited); the wishes count
// by the new rules at once; a bad rule is shown again with its errors;
// managers may read the wishes, not edit the rules; support and authority
// users see neither.
func TestWishRulesAdmin(t *testing.T) {
	f := newOverviewFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	page := admin.Get("/admin/wishes")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "Søgning på tværs af mapper") || !strings.Contains(page.Body, `name="_csrf"`) {
		t.Fatalf("the rules page: %d", page.StatusCode)
	}
	// A new rule: notifications, in Danish and English, with a prefix.
	r := admin.PostForm("/admin/wishes", url.Values{"name_da": {"Advisering <i>"}, "name_en": {"Notifications"}, "keywords_da": {"ønsk*\nkunne"}, "keywords_en": {""}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add a rule: %d %.500s", r.StatusCode, r.Body)
	}
	w := getWishes(t, admin, "")
	last := w.Wishes[len(w.Wishes)-1]
	// "Ønsker fortryd …" (C's interview) and "kunne" (B's call) in W46.
	if last.Name != "Advisering <i>" || last.Mentions != 2 || last.BySource[dashboards.WishSourceInterview] != 1 || last.BySource[dashboards.WishSourceCall] != 1 {
		t.Errorf("the new rule: %+v", last)
	}
	if page := admin.Get("/admin/wishes").Body; strings.Contains(page, "Advisering <i>") || !strings.Contains(page, "Advisering &lt;i&gt;") {
		t.Error("the rule's name is not escaped")
	}
	// A bad change is refused, shown again as typed, naming the field.
	id := fmt.Sprint(last.RuleID)
	bad := admin.PostForm("/admin/wishes/"+id, url.Values{"name_da": {""}, "name_en": {"Notifications"}, "keywords_da": {"ønsk*"}, "option_key": {"Not A Key"}})
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, "Not A Key") || strings.Count(bad.Body, `class="field-error"`) != 2 {
		t.Errorf("a bad change: %d", bad.StatusCode)
	}
	// Changed to an option only, then deleted.
	if r := admin.PostForm("/admin/wishes/"+id, url.Values{"name_da": {"Andet"}, "name_en": {"Other"}, "option_key": {"other"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d", r.StatusCode)
	}
	if w := getWishes(t, admin, "?period=pilot"); w.Wishes[3].Name != "Andet" || w.Wishes[3].Mentions != 0 {
		t.Errorf("after the change: %+v", w.Wishes[3])
	}
	if r := admin.PostForm("/admin/wishes/"+id+"/delete", url.Values{}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if w := getWishes(t, admin, ""); len(w.Wishes) != 3 {
		t.Errorf("after the delete: %d wishes", len(w.Wishes))
	}
	if r := admin.PostForm("/admin/wishes/"+id+"/delete", url.Values{}); r.StatusCode != http.StatusNotFound {
		t.Errorf("deleting it again: %d", r.StatusCode)
	}
	// Every change is in the audit log.
	audit := admin.Get("/api/v1/audit?action=record_deleted").Body
	if !strings.Contains(audit, "wish rule "+id) {
		t.Errorf("the audit log lacks the deletion: %.500s", audit)
	}
	created := admin.Get("/api/v1/audit?action=record_created").Body
	if !strings.Contains(created, "wish rule "+id) || !strings.Contains(created, "Advisering") {
		t.Errorf("the audit log lacks the new rule: %.500s", created)
	}
	// With a wrong CSRF token: refused, nothing added.
	if r := admin.PostForm("/admin/wishes", url.Values{"_csrf": {"forged"}, "name_da": {"x"}, "name_en": {"x"}, "option_key": {"x"}}); r.StatusCode != http.StatusForbidden {
		t.Errorf("a post without the token: %d", r.StatusCode)
	}
	manager := f.env.As(auth.RoleManager, "")
	if r := manager.Get("/dashboards/wishes"); r.StatusCode != http.StatusOK || strings.Contains(r.Body, `href="/admin/wishes"`) {
		t.Errorf("the manager's wishes page: %d", r.StatusCode)
	}
	for _, c := range []*apptest.Client{manager, f.env.As(auth.RoleSupport, ""), f.env.As(auth.RoleAuthority, f.x)} {
		if r := c.PostForm("/admin/wishes", url.Values{"name_da": {"x"}, "name_en": {"x"}, "option_key": {"x"}}); r.StatusCode != http.StatusForbidden {
			t.Errorf("a non-admin adds a rule: %d", r.StatusCode)
		}
	}
	for _, c := range []*apptest.Client{f.env.As(auth.RoleSupport, ""), f.env.As(auth.RoleAuthority, f.x)} {
		if r := c.Get("/api/v1/metrics/wishes"); r.StatusCode != http.StatusForbidden {
			t.Errorf("wishes for support or an authority: %d", r.StatusCode)
		}
	}
}
