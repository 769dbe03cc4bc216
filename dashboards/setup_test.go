package dashboards_test

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// setupFixture is a replayed 2012 pilot with known setup problems:
//
//   - companies A, B, C (cohort hold-1), D, E (hold-2; E is named like a
//     script), all of kind company, and the municipality M (hold-1);
//   - 2012-W42 (the previous period of 4w): a mailbox_creation call of A;
//     a setup_failed event of B (technical_error); A's setup started
//     Monday 10:00 and completed Tuesday 12:00 (26 h);
//   - 2012-W43: a setup_failed event of C (rights_assignment) on Sunday
//     28 October 23:30, the night summer time ended (22:30 UTC: still W43);
//   - 2012-W44: nothing at all;
//   - 2012-W45: B's employee_signature call (not resolved) on Sunday 23:30;
//     the wave: A setup problem yes (employee signature, rights and roles),
//     B no; setups: B 48 h, C 6 h (completed twice: the first counts);
//   - 2012-W46: D's setup_failed (employee_signature_missing) on Monday
//     00:30 (Sunday 23:30 UTC); C's rights_and_roles call (escalated) and a
//     finding_mail call (no setup category); E's deleted_mail call
//     (deleted_mail: no setup category; resolved, follow-up needed, not done); M's mailbox_creation call;
//     the wave: A yes (employee signature), C no; D started setup Monday
//     08:00, not completed; E completed without a start; C interviewed.
//
// Every event is sent twice.
type setupFixture struct {
	env                 *apptest.Env
	a, b, c, d, e, m, x string
}

func newSetupFixture(t *testing.T) setupFixture {
	t.Helper()
	env := apptest.New(t)
	f := setupFixture{env: env}
	f.a = addCompany(t, env, "5100001", "Firma A", "company", "hold-1")
	f.b = addCompany(t, env, "5100002", "Firma B", "company", "hold-1")
	f.c = addCompany(t, env, "5100007", "Firma C", "company", "hold-1")
	f.d = addCompany(t, env, "5100004", "Firma D", "company", "hold-2")
	f.e = addCompany(t, env, "5100005", scriptName, "company", "hold-2")
	f.m = addCompany(t, env, "5100006", "Kommune M", "municipality", "hold-1")
	f.x = env.Authority(cvr(t, "5200001"), "Styrelsen X")

	call := func(company, category, resolution string, at string, followUp bool) support.Call {
		t.Helper()
		when := cph(at)
		in := support.Input{CompanyCVR: company, ReceivedAt: &when, Desk: "portal", Category: category, Resolution: resolution}
		if followUp {
			in.FollowUpNeeded, in.FollowUpBy = true, "2012-11-16"
		}
		return logCall(t, env, in)
	}
	call(f.a, "mailbox_creation", "resolved", "2012-10-17 10:00", false)
	call(f.b, "employee_signature", "not_resolved", "2012-11-11 23:30", false)
	call(f.c, "rights_and_roles", "escalated", "2012-11-13 10:00", false)
	call(f.c, "finding_mail", "resolved", "2012-11-13 11:00", false)
	call(f.e, "deleted_mail", "resolved", "2012-11-14 10:00", true)
	call(f.m, "mailbox_creation", "resolved", "2012-11-14 11:00", false)

	var log eventLog
	log.add(event.TypeSetupFailed, f.b, "", "technical_error", cph("2012-10-18 09:00"))
	log.add(event.TypeSetupStarted, f.a, "", "", cph("2012-10-15 10:00"))
	log.add(event.TypeSetupCompleted, f.a, "", "", cph("2012-10-16 12:00"))
	log.add(event.TypeSetupFailed, f.c, "", "rights_assignment", cph("2012-10-28 23:30"))
	log.add(event.TypeSetupStarted, f.b, "", "", cph("2012-11-05 09:00"))
	log.add(event.TypeSetupCompleted, f.b, "", "", cph("2012-11-07 09:00"))
	log.add(event.TypeSetupStarted, f.c, "", "", cph("2012-11-06 10:00"))
	log.add(event.TypeSetupCompleted, f.c, "", "", cph("2012-11-06 16:00"))
	log.add(event.TypeSetupCompleted, f.c, "", "", cph("2012-11-08 16:00"))
	log.add(event.TypeSetupFailed, f.d, "", "employee_signature_missing", cph("2012-11-12 00:30"))
	log.add(event.TypeSetupStarted, f.d, "", "", cph("2012-11-12 08:00"))
	log.add(event.TypeSetupCompleted, f.e, "", "", cph("2012-11-13 08:00"))
	log.add(event.TypeMessageSent, f.a, f.x, "", cph("2012-11-13 09:00"))
	if accepted, duplicates := log.store(t, env); accepted != len(log) || duplicates != 0 {
		t.Fatalf("stored %d new, %d duplicates of %d", accepted, duplicates, len(log))
	}
	if accepted, duplicates := log.store(t, env); accepted != 0 || duplicates != len(log) {
		t.Fatalf("re-sent: %d new, %d duplicates of %d", accepted, duplicates, len(log))
	}

	setup := func(kinds string) map[string]string {
		v := map[string]string{survey.KeyUsedMailbox: "yes", survey.KeySetupProblem: "no", survey.KeyEase: "4", survey.KeyContactedSupport: "no", survey.KeyThirdPartyAccess: "no"}
		if kinds != "" {
			v[survey.KeySetupProblem], v[survey.KeySetupProblemKinds] = "yes", kinds
		}
		return v
	}
	answerWave(t, env, "2012-W45", map[string]map[string]string{f.a: setup(`["employee_signature","rights_roles"]`), f.b: setup("")})
	answerWave(t, env, "2012-W46", map[string]map[string]string{f.a: setup(`["employee_signature"]`), f.c: setup("")})
	if _, err := env.App.Survey.Store.AddInterview(context.Background(), survey.Interview{CompanyCVR: f.c, HeldOn: "2012-11-13", Interviewer: "Ida"}, "test"); err != nil {
		t.Fatal(err)
	}
	return f
}

func getSetup(t *testing.T, c *apptest.Client, query string) dashboards.SetupProblems {
	t.Helper()
	return getJSON[dashboards.SetupProblems](t, c, "/api/v1/metrics/setup-problems"+query)
}

func getFollowUps(t *testing.T, c *apptest.Client, query string) dashboards.FollowUps {
	t.Helper()
	return getJSON[dashboards.FollowUps](t, c, "/api/v1/metrics/follow-ups"+query)
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

type check struct {
	name      string
	got, want any
}

// eventCount is a known count of companies with setup events.
func eventCount(n int) *int { return &n }

func checkAll(t *testing.T, checks []check) {
	t.Helper()
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
}

// Every figure of the setup problems route over the last four weeks with
// data, against the four weeks before: the DST Sunday, the empty week, the
// Sunday 23:30 / Monday 00:30 boundary, events sent twice.
func TestSetupProblemsFigures(t *testing.T) {
	f := newSetupFixture(t)
	sp := getSetup(t, f.env.As(auth.RoleAdmin, ""), "?period=4w")
	p := sp.Period
	if p.From.String() != "2012-W43" || p.To.String() != "2012-W46" || p.PreviousFrom.String() != "2012-W39" || p.PreviousTo.String() != "2012-W42" || len(sp.Weeks) != 4 {
		t.Fatalf("period %+v, %d weeks", p, len(sp.Weeks))
	}
	w43, w44, w45, w46 := sp.Weeks[0], sp.Weeks[1], sp.Weeks[2], sp.Weeks[3]
	checkAll(t, []check{
		{"companies", sp.Companies, 5},
		{"filters", sp.Filters, dashboards.Filters{Kind: "company"}},
		// C's failure on the DST Sunday 23:30 is in W43; W44 is empty.
		{"W43 problems", w43.Problems, share(1, 5)},
		{"W43 sources", w43.Sources, dashboards.SetupSources{Events: eventCount(1)}},
		{"W43 reasons", w43.EventReasons, map[string]int{"employee_signature_missing": 0, "rights_assignment": 1}},
		{"W44 problems", w44.Problems, share(0, 5)},
		{"W44 sources", w44.Sources, dashboards.SetupSources{Events: eventCount(0)}},
		{"W44 calls", w44.CallCategories, map[string]int{"employee_signature": 0, "folders_and_rules": 0, "mailbox_creation": 0, "notifications": 0, "rights_and_roles": 0}},
		// B's call on Sunday 23:30 is in W45; D's failure on Monday 00:30 in W46.
		{"W45 problems", w45.Problems, share(2, 5)},
		{"W45 sources", w45.Sources, dashboards.SetupSources{Answers: 1, Calls: 1, Events: eventCount(0)}},
		{"W45 kinds", w45.AnswerKinds["employee_signature"]*10 + w45.AnswerKinds["rights_roles"], 11},
		{"W45 calls", w45.CallCategories["employee_signature"], 1},
		{"W45 reasons", w45.EventReasons, map[string]int{"employee_signature_missing": 0, "rights_assignment": 0}},
		{"W46 problems", w46.Problems, share(3, 5)},
		{"W46 sources", w46.Sources, dashboards.SetupSources{Answers: 1, Calls: 1, Events: eventCount(1)}},
		{"W46 kinds", w46.AnswerKinds["employee_signature"]*10 + w46.AnswerKinds["rights_roles"], 10},
		{"W46 calls", w46.CallCategories, map[string]int{"employee_signature": 0, "folders_and_rules": 0, "mailbox_creation": 0, "notifications": 0, "rights_and_roles": 1}},
		{"W46 reasons", w46.EventReasons, map[string]int{"employee_signature_missing": 1, "rights_assignment": 0}},
		{"total", sp.Total.Problems, share(4, 5)},
		{"total sources", sp.Total.Sources, dashboards.SetupSources{Answers: 1, Calls: 2, Events: eventCount(2)}},
		{"total calls and events", [2]int{sp.Total.Calls, sp.Total.FailedEvents}, [2]int{2, 2}},
		{"previous", sp.Previous.Problems, share(2, 5)},
		{"previous sources", sp.Previous.Sources, dashboards.SetupSources{Calls: 1, Events: eventCount(1)}},
		{"previous calls and events", [2]int{sp.Previous.Calls, sp.Previous.FailedEvents}, [2]int{1, 1}},
		// Setup times: B 48 h and C 6 h in the period (median 27), A 26 h before.
		{"median", *sp.Total.MedianSetupHours, 27.0},
		{"previous median", *sp.Previous.MedianSetupHours, 26.0},
	})
	var companies []string
	for _, c := range sp.Problems {
		companies = append(companies, fmt.Sprintf("%s %v%v%v %v %s", c.Name, c.Answer, c.Call, c.Event, c.Weeks, c.Path))
	}
	checkAll(t, []check{{"companies with problems", strings.Join(companies, "; "), strings.Join([]string{
		"Firma A truefalsefalse [2012-W45 2012-W46] /companies/" + f.a,
		"Firma B falsetruefalse [2012-W45] /companies/" + f.b,
		"Firma C falsetruetrue [2012-W43 2012-W46] /companies/" + f.c,
		"Firma D falsefalsetrue [2012-W46] /companies/" + f.d}, "; ")}})
	// Labels: the questionnaire's texts, the categories' and the reasons' names.
	kinds := map[string]string{}
	for _, l := range sp.Labels.AnswerKinds {
		kinds[l.Key] = l.Text
	}
	checkAll(t, []check{
		{"kind label", kinds["employee_signature"], "Medarbejdersignaturer (NemID)"},
		{"kind label", kinds["rights_roles"], "Rettigheder og roller"},
		{"reasons", sp.Labels.EventReasons, []dashboards.Label{{Key: "employee_signature_missing", Text: "Medarbejdersignatur mangler"}, {Key: "rights_assignment", Text: "Tildeling af rettigheder"}}},
		{"categories", len(sp.Labels.CallCategories), len(support.SetupCategories)},
	})
	var completed, waiting []string
	for _, s := range sp.Time.Completed {
		completed = append(completed, fmt.Sprintf("%s %.1f", s.Name, s.Hours))
	}
	for _, s := range sp.Time.Waiting {
		waiting = append(waiting, fmt.Sprintf("%s %.1f", s.Name, s.Hours))
	}
	// D waits from Monday 12 November 08:00 to the end of W46 (Monday 19th 00:00): 160 h.
	checkAll(t, []check{{"completed", completed, []string{"Firma B 48.0", "Firma C 6.0"}}, {"waiting", waiting, []string{"Firma D 160.0"}}})

	// Managers and support staff get the same figures, events included.
	for _, role := range []auth.Role{auth.RoleManager, auth.RoleSupport} {
		got := getSetup(t, f.env.As(role, ""), "?period=4w")
		if a, b := jsonOf(t, got), jsonOf(t, sp); a != b {
			t.Errorf("%s: %s\nwant %s", role, a, b)
		}
	}
}

// The default period is the latest week with data; a custom period
// compares with the weeks right before it; an empty period has zeros.
func TestSetupProblemsPeriods(t *testing.T) {
	f := newSetupFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	sp := getSetup(t, admin, "")
	checkAll(t, []check{
		{"latest", sp.Period.From.String() + " " + sp.Period.To.String() + " " + sp.Period.Previous().From.String(), "2012-W46 2012-W46 2012-W45"},
		{"latest total", sp.Total.Problems, share(3, 5)},
		{"latest previous", sp.Previous.Problems, share(2, 5)},
	})
	sp = getSetup(t, admin, "?from=2012-W45&to=2012-W46")
	checkAll(t, []check{
		{"custom total", sp.Total.Problems, share(4, 5)},
		{"custom previous (W43-W44)", sp.Previous.Problems, share(1, 5)},
		{"custom previous sources", sp.Previous.Sources, dashboards.SetupSources{Events: eventCount(1)}},
		{"custom median", *sp.Total.MedianSetupHours, 27.0},
		{"custom previous median", sp.Previous.MedianSetupHours == nil, true},
	})
	sp = getSetup(t, admin, "?from=2012-W50&to=2012-W50")
	checkAll(t, []check{
		{"empty week", sp.Total, dashboards.SetupTotal{Problems: share(0, 5), Sources: dashboards.SetupSources{Events: eventCount(0)}}},
		{"empty week companies", len(sp.Problems), 0},
		// By the end of W50 D is still waiting: from 12 November 08:00 to 17 December 00:00.
		{"empty week waiting", len(sp.Time.Waiting), 1},
		{"empty week waiting hours", sp.Time.Waiting[0].Hours, 35*24.0 - 8},
	})
	page := html.UnescapeString(admin.Get("/dashboards/setup-problems?from=2012-W50&to=2012-W50").Body)
	for _, want := range []string{"Ingen spørgeskemasvar om opsætningsproblemer i perioden", `href="/survey"`, "Ingen supportopkald i opsætningskategorier i perioden",
		`href="/support/calls"`, "Ingen hændelser om fejlet opsætning i perioden", `href="/sources"`, "Ingen virksomheder med opsætningsproblemer i perioden."} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty period's page lacks %q", want)
		}
	}
	for _, bad := range []string{"?period=week", "?from=46", "?period=4w&from=2012-W45", "?kind=firm", "?authority=" + f.x} {
		r := admin.Get("/api/v1/metrics/setup-problems" + bad)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field"`) {
			t.Errorf("%s: %d %s", bad, r.StatusCode, r.Body)
		}
		if r := admin.Get("/dashboards/setup-problems" + bad); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `class="field-error"`) {
			t.Errorf("page %s: %d", bad, r.StatusCode)
		}
	}
}

// The kind and cohort filters narrow the companies and the denominator.
func TestSetupProblemsFilters(t *testing.T) {
	f := newSetupFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	all := getSetup(t, admin, "?period=4w&kind=all")
	checkAll(t, []check{
		{"all: companies", all.Companies, 6},
		{"all: W46", all.Weeks[3].Problems, share(4, 6)},
		{"all: W46 calls", all.Weeks[3].CallCategories["mailbox_creation"], 1},
		{"all: total", all.Total.Problems, share(5, 6)},
	})
	municipalities := getSetup(t, admin, "?period=4w&kind=municipality")
	checkAll(t, []check{{"municipality: total", municipalities.Total.Problems, share(1, 1)}, {"municipality: median", municipalities.Total.MedianSetupHours == nil, true}})
	hold2 := getSetup(t, admin, "?period=4w&cohort=hold-2")
	checkAll(t, []check{
		{"hold-2: companies", hold2.Companies, 2},
		{"hold-2: total", hold2.Total.Problems, share(1, 2)},
		{"hold-2: sources", hold2.Total.Sources, dashboards.SetupSources{Events: eventCount(1)}},
		{"hold-2: waiting", len(hold2.Time.Waiting), 1},
		{"hold-2: completed", len(hold2.Time.Completed), 0},
	})
	page := html.UnescapeString(admin.Get("/dashboards/setup-problems?period=4w&cohort=hold-2").Body)
	for _, want := range []string{"Andele er af 2 deltagere (deltagertype: virksomheder, hold \"hold-2\").", "1 af 2 virksomheder (50,0 %)", "Firma D", "/companies/" + f.d} {
		if !strings.Contains(page, want) {
			t.Errorf("the hold-2 page lacks %q", want)
		}
	}
	if strings.Contains(page, "Firma C") {
		t.Error("the hold-2 page shows a company of hold-1")
	}
}

// The setup page shows the figures in the reader's language, each company
// linking to its page, the script-like name as text; authority users are
// refused.
func TestSetupProblemsPage(t *testing.T) {
	f := newSetupFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	body := admin.Get("/dashboards/setup-problems?period=4w").Body
	page := html.UnescapeString(body)
	for _, want := range []string{"4 af 5 virksomheder (80,0 %)", "+2 siden uge 42", "27,0 timer", "+1,0 timer siden uge 42", "6,7 dage",
		"Medarbejdersignaturer (NemID)", "Medarbejdersignatur mangler", `href="/companies/` + f.c + `"`, `id="setup-answers"`, `id="setup-calls"`, `id="setup-events"`,
		"Andele er af 5 deltagere (deltagertype: virksomheder).", "Virksomheder at interviewe i uge 2012-W46"} {
		if !strings.Contains(page, want) {
			t.Errorf("the setup page lacks %q", want)
		}
	}
	if strings.Contains(body, scriptName) || !strings.Contains(body, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the script-like company name is not shown as text")
	}
	authority := f.env.As(auth.RoleAuthority, f.x)
	for _, path := range []string{"/dashboards/setup-problems", "/api/v1/metrics/setup-problems", "/dashboards/follow-ups", "/api/v1/metrics/follow-ups"} {
		if r := authority.Get(path); r.StatusCode != http.StatusForbidden || strings.Contains(r.Body, "Firma") {
			t.Errorf("%s as an authority user: %d", path, r.StatusCode)
		}
	}
	if strings.Contains(authority.Get("/").Body, "/dashboards/setup-problems") {
		t.Error("the authority user's nav shows the setup problems page")
	}
	// In English.
	en := f.env.As(auth.RoleManager, "")
	en.PostForm("/lang", map[string][]string{"lang": {"en"}, "next": {"/"}})
	page = html.UnescapeString(en.Get("/dashboards/setup-problems?period=4w").Body)
	for _, want := range []string{"4 of 5 companies (80.0%)", "+2 since week 42", "27.0 hours", "Employee signatures (NemID)", "Employee signature missing", "Shares are of 5 participants (kind: companies)."} {
		if !strings.Contains(page, want) {
			t.Errorf("the English setup page lacks %q", want)
		}
	}
}

// The follow-up list of the latest week: every reason that applies, the
// unresolved calls, the last interview and, for admins, where to record one.
func TestFollowUps(t *testing.T) {
	f := newSetupFixture(t)
	fu := getFollowUps(t, f.env.As(auth.RoleAdmin, ""), "")
	var rows []string
	for _, r := range fu.Rows {
		rows = append(rows, fmt.Sprintf("%s %v calls=%d interview=%s %s", r.CVR, r.Reasons, len(r.Calls), r.LastInterview, r.InterviewPath))
	}
	checkAll(t, []check{
		{"week", fu.Week + " " + fu.Previous, "2012-W46 2012-W45"},
		{"waves", fu.Waves, []string{"2012-W46", "2012-W45"}},
		{"count", fu.Count, map[string]int{"new_problem": 2, "no_answer": 2, "unresolved_call": 3}},
		{"rows", strings.Join(rows, "; "), strings.Join([]string{
			// Most reasons first, then by name: E's name starts with "<".
			f.e + " [unresolved_call no_answer] calls=1 interview= /survey/companies/" + f.e + "#interview-form",
			f.c + " [new_problem unresolved_call] calls=1 interview=2012-11-13 /survey/companies/" + f.c + "#interview-form",
			f.d + " [new_problem no_answer] calls=0 interview= /survey/companies/" + f.d + "#interview-form",
			f.b + " [unresolved_call] calls=1 interview= /survey/companies/" + f.b + "#interview-form"}, "; ")},
		{"C's new problem", *fu.Rows[1].NewProblem, dashboards.SetupSourceFlags{Call: true}},
		{"D's new problem", *fu.Rows[2].NewProblem, dashboards.SetupSourceFlags{Event: true}},
		{"E's call", fu.Rows[0].Calls[0].Category, "deleted_mail"},
	})
	// Support staff get the list without the admin's recording link.
	for _, role := range []auth.Role{auth.RoleManager, auth.RoleSupport} {
		got := getFollowUps(t, f.env.As(role, ""), "")
		if len(got.Rows) != 4 || got.Rows[0].InterviewPath != "" || got.Rows[0].Calls[0].Path == "" {
			t.Errorf("%s: %+v", role, got.Rows)
		}
	}
	// A week earlier: W45 against W44; one wave only, so nobody missed two.
	fu = getFollowUps(t, f.env.As(auth.RoleAdmin, ""), "?to=2012-W45")
	rows = nil
	for _, r := range fu.Rows {
		rows = append(rows, fmt.Sprintf("%s %v", r.CVR, r.Reasons))
	}
	checkAll(t, []check{{"W45 rows", rows, []string{f.b + " [new_problem unresolved_call]", f.a + " [new_problem]"}}, {"W45 waves", fu.Waves, []string{"2012-W45"}}})
	// Every participant: the municipality missed both waves too.
	fu = getFollowUps(t, f.env.As(auth.RoleAdmin, ""), "?kind=all")
	checkAll(t, []check{{"all: no answer", fu.Count["no_answer"], 3}})
	fu = getFollowUps(t, f.env.As(auth.RoleAdmin, ""), "?cohort=hold-1")
	checkAll(t, []check{{"hold-1: rows", len(fu.Rows), 2}})

	page := html.UnescapeString(f.env.As(auth.RoleAdmin, "").Get("/dashboards/follow-ups").Body)
	for _, want := range []string{"Nyt opsætningsproblem (ikke i uge 45), meldt af: Supportopkald", "1 uløste supportopkald", "Intet svar i runderne 2012-W46, 2012-W45",
		`href="/survey/companies/` + f.c + `#interview-form"`, `href="/companies/` + f.e + `"`, "2012-11-13"} {
		if !strings.Contains(page, want) {
			t.Errorf("the follow-up page lacks %q", want)
		}
	}
	if page := f.env.As(auth.RoleAdmin, "").Get("/dashboards/follow-ups?from=2012-W30&to=2012-W30").Body; !strings.Contains(page, "Ingen virksomheder skal følges op i 2012-W30.") {
		t.Error("the empty follow-up list does not say so")
	}
}
