package dashboards_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// overviewFixture is a replayed 2012 pilot with known answers:
//
//   - companies A, B, C, D (kind company) and the municipality M;
//   - authorities X (weekly target 1000) and Y, named like a script;
//   - 2012-W45: calls A mailbox_creation (portal, resolved), M other
//     (operator, not resolved), D other (portal, resolved) on Sunday
//     23:30 Copenhagen; a mailbox.setup_failed of B on Sunday 23:30; X sends
//     4 messages, and one more on Sunday 23:30; the wave's answers: A setup
//     problem yes, B third-party access yes (2 of 5 invitations);
//   - 2012-W46: calls B finding_mail (portal, partly) on Monday 00:30
//     Copenhagen (Sunday 23:30 UTC), C rights_and_roles (portal, resolved),
//     C other (operator, escalated); access.third_party_granted of C on
//     Monday 00:30; mailbox.setup_failed of D and of a company outside the
//     registry; X sends 11 messages and one on Monday 00:30, Y 3; the wave's
//     answers: A and C setup problem yes, D no (3 of 5 invitations).
//
// The wishes and the ease of use (docs/figures.md#wishes), in the same data:
//
//   - 2012-W45: A chose search_folders and wrote "Vi savner søgning på tværs
//     af mapper."; A's call says "Kan ikke søge i alle mapper"; M's call
//     "savner søgning på tværs af mapper" (a municipality); B chose
//     audit_trail and recover_deleted; D's Sunday 23:30 call asks "Hvem
//     gjorde hvad?"; ease A 3, B 4;
//   - 2012-W46: D chose search_folders and wrote "Blogindlæg om login" (no
//     whole word "log"); C wrote "…HVEM DER HAR GJORT HVAD <b>nu</b>, og en
//     Log."; B's Monday 00:30 call "…gendanne slettet post"; C's interview
//     of Sunday 2012-11-18 "…fortryd sletning og Søgning på tværs af
//     mapper."; ease A 4, C 2, D 5.
type overviewFixture struct {
	env                 *apptest.Env
	a, b, c, d, m, x, y string
}

// cph is a wall-clock time in Copenhagen.
func cph(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, week.Copenhagen)
	if err != nil {
		panic(err)
	}
	return t
}

func newOverviewFixture(t *testing.T) overviewFixture {
	t.Helper()
	env := apptest.New(t)
	ctx := context.Background()
	f := overviewFixture{env: env, a: cvr(t, "4100001"), b: cvr(t, "4100002"), c: cvr(t, "4100003"), d: cvr(t, "4100006"), m: cvr(t, "4100007"),
		x: cvr(t, "4200001"), y: cvr(t, "4200002")}
	for i, co := range []struct{ cvr, kind string }{{f.a, "company"}, {f.b, "company"}, {f.c, "company"}, {f.d, "company"}, {f.m, "municipality"}} {
		c := registry.Company{CVR: co.cvr, Name: fmt.Sprintf("Firma %c", 'A'+i), Kind: co.kind,
			Contacts: []registry.Contact{{Name: "Kontakt", Email: fmt.Sprintf("k%d@firma.test", i), Language: "da"}}}
		if _, err := env.App.Registry.CreateCompany(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	target := int64(1000)
	for _, au := range []registry.Authority{{CVR: f.x, Name: "Styrelsen X", Kind: "state", WeeklyTarget: &target}, {CVR: f.y, Name: scriptName, Kind: "municipality"}} {
		if _, err := env.App.Registry.CreateAuthority(ctx, au); err != nil {
			t.Fatal(err)
		}
	}
	call := func(company, category, desk, resolution string, at time.Time, description string) {
		t.Helper()
		logCall(t, env, support.Input{CompanyCVR: company, ReceivedAt: &at, Desk: desk, Category: category, Description: description, Resolution: resolution})
	}
	call(f.a, "mailbox_creation", "portal", "resolved", cph("2012-11-07 10:00"), "Kan ikke søge i alle mapper")
	call(f.m, "other", "mailbox_operator", "not_resolved", cph("2012-11-08 10:00"), "savner søgning på tværs af mapper")
	call(f.d, "other", "portal", "resolved", cph("2012-11-11 23:30"), "Hvem gjorde hvad?")
	call(f.b, "finding_mail", "portal", "partly", cph("2012-11-12 00:30"), "Kunden vil gerne kunne gendanne slettet post")
	call(f.c, "rights_and_roles", "portal", "resolved", cph("2012-11-13 10:00"), "test")
	call(f.c, "other", "mailbox_operator", "escalated", cph("2012-11-14 10:00"), "test")

	var events []event.Event
	add := func(typ, company, authority string, at time.Time) {
		ev := event.Event{EventID: fmt.Sprintf("ev-%d", len(events)), OccurredAt: at.UTC(), ReceivedAt: at.UTC(), Type: typ, CompanyCVR: company, AuthorityCVR: authority}
		if typ == event.TypeMessageSent {
			ev.Channel, ev.MessageRef = "digital", ev.EventID
		}
		events = append(events, ev)
	}
	add(event.TypeSetupFailed, f.b, "", cph("2012-11-11 23:30"))
	add(event.TypeThirdParty, f.c, "", cph("2012-11-12 00:30"))
	add(event.TypeSetupFailed, f.d, "", cph("2012-11-15 09:00"))
	add(event.TypeSetupFailed, cvr(t, "4900001"), "", cph("2012-11-15 09:00")) // not in the registry
	for range 4 {
		add(event.TypeMessageSent, f.a, f.x, cph("2012-11-06 09:00"))
	}
	add(event.TypeMessageSent, f.a, f.x, cph("2012-11-11 23:30"))
	for range 11 {
		add(event.TypeMessageSent, f.b, f.x, cph("2012-11-13 09:00"))
	}
	add(event.TypeMessageSent, f.b, f.x, cph("2012-11-12 00:30"))
	for range 3 {
		add(event.TypeMessageSent, f.c, f.y, cph("2012-11-14 09:00"))
	}
	if _, _, err := env.App.Ingester.Store(ctx, "test", events); err != nil {
		t.Fatal(err)
	}

	answer := func(wave string, answers map[string]map[string]string) { t.Helper(); answerWave(t, env, wave, answers) }
	yesNo := func(setup, third string) map[string]string {
		return map[string]string{survey.KeyUsedMailbox: "yes", survey.KeySetupProblem: setup, survey.KeyThirdPartyAccess: third}
	}
	with := func(m map[string]string, kv ...string) map[string]string {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	answer("2012-W45", map[string]map[string]string{
		f.a: with(yesNo("yes", "no"), survey.KeyEase, "3", survey.KeyMissingFeatures, `["search_folders"]`, survey.KeyComments, "Vi savner søgning på tværs af mapper."),
		f.b: with(yesNo("no", "yes"), survey.KeyEase, "4", survey.KeyMissingFeatures, `["audit_trail","recover_deleted"]`)})
	answer("2012-W46", map[string]map[string]string{
		f.a: with(yesNo("yes", "no"), survey.KeyEase, "4"),
		f.c: with(yesNo("yes", "no"), survey.KeyEase, "2", survey.KeyComments, "Det ville være rart at se HVEM DER HAR GJORT HVAD <b>nu</b>, og en Log."),
		f.d: with(yesNo("no", "no"), survey.KeyEase, "5", survey.KeyMissingFeatures, `["search_folders"]`, survey.KeyComments, "Blogindlæg om login")})
	if _, err := env.App.Survey.Store.AddInterview(context.Background(), survey.Interview{CompanyCVR: f.c, HeldOn: "2012-11-18", Interviewer: "Ida",
		Notes: "Ønsker fortryd sletning og Søgning på tværs af mapper."}, "test"); err != nil {
		t.Fatal(err)
	}
	return f
}

// getJSON reads a JSON route's answer, failing the test unless it is 200.
func getOverview(t *testing.T, c *apptest.Client, query string) dashboards.Overview {
	t.Helper()
	return getJSON[dashboards.Overview](t, c, "/api/v1/metrics/overview"+query)
}

func share(part, whole int) dashboards.Share { return support.NewShare(part, whole) }

// sources writes the setup-problem sources for comparing ("events -" when
// the events are unavailable).
func sources(s dashboards.SetupSources) string {
	events := "-"
	if s.Events != nil {
		events = fmt.Sprint(*s.Events)
	}
	return fmt.Sprintf("answers %d, calls %d, events %s", s.Answers, s.Calls, events)
}

// Every figure of the pilot view on the JSON route, for the latest week
// with data (the default: not today's week) and the week before it, with
// the Sunday 23:30 / Monday 00:30 Copenhagen boundary for calls and events.
func TestOverviewPilotFigures(t *testing.T) {
	f := newOverviewFixture(t)
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleManager} {
		ov := getOverview(t, f.env.As(role, ""), "")
		if ov.Week != "2012-W46" || ov.Latest != "2012-W46" || ov.Previous != "2012-W45" || strings.Join(ov.Weeks, " ") != "2012-W45 2012-W46" {
			t.Fatalf("%s: weeks %s (latest %s, previous %s): %v, want the latest week with data 2012-W46", role, ov.Week, ov.Latest, ov.Previous, ov.Weeks)
		}
		if ov.Authority != nil || ov.Support != nil || ov.Pilot == nil {
			t.Fatalf("%s: sections %+v", role, ov)
		}
	}
	ov := getOverview(t, f.env.As(auth.RoleAdmin, ""), "")
	p := ov.Pilot
	if p.Companies != 4 || fmt.Sprint(p.OtherParticipants) != "map[municipality:1 region:0 state_institution:0]" {
		t.Errorf("participants: %d companies, others %v", p.Companies, p.OtherParticipants)
	}
	if len(p.Weeks) != 2 {
		t.Fatalf("pilot weeks: %+v", p.Weeks)
	}
	w45, w46 := p.Weeks[0], p.Weeks[1]
	checks := []struct {
		name      string
		got, want any
	}{
		// Setup problems: W45 A (answer, call) and B (event at Sunday 23:30); W46 A, C (answers), C (call), D (event).
		{"setup W45", w45.SetupProblems, share(2, 4)},
		{"setup W46", w46.SetupProblems, share(3, 4)},
		{"setup cumulative W45", w45.SetupProblemsCumulative, share(2, 4)},
		{"setup cumulative W46", w46.SetupProblemsCumulative, share(4, 4)},
		{"setup sources W45", sources(w45.SetupProblemSources), "answers 1, calls 1, events 1"},
		{"setup sources W46", sources(w46.SetupProblemSources), "answers 2, calls 1, events 1"},
		// Calls: D's Sunday 23:30 call is in W45, B's Monday 00:30 call in W46; M is no company.
		{"calls W45", w45.Calls, 3},
		{"calls W46", w46.Calls, 3},
		{"calling companies W45", w45.CallingCompanies, share(2, 4)},
		{"calling companies W46", w46.CallingCompanies, share(2, 4)},
		{"by category W46", fmt.Sprint(w46.CallsByCategory), "map[deleted_mail:0 employee_signature:0 finding_mail:1 folders_and_rules:0 mailbox_creation:0 notifications:0 other:1 rights_and_roles:1 third_party_access:0]"},
		{"not solved W46", fmt.Sprint(w46.NotSolvedByDesk), fmt.Sprint(map[string]dashboards.Share{"portal": share(1, 2), "mailbox_operator": share(1, 1)})},
		{"not solved W45", fmt.Sprint(w45.NotSolvedByDesk), fmt.Sprint(map[string]dashboards.Share{"portal": share(0, 2), "mailbox_operator": share(1, 1)})},
		{"response W45", *w45.ResponseRate, share(2, 5)},
		{"response W46", *w46.ResponseRate, share(3, 5)},
		// Third-party access by the end of the week: B (answer W45), C (event Monday 00:30, W46).
		{"third party W45", w45.ThirdPartyAccess, share(1, 4)},
		{"third party W46", w46.ThirdPartyAccess, share(2, 4)},
		{"third party sources W46", fmt.Sprint(w46.ThirdPartyAccessSources.Answers, *w46.ThirdPartyAccessSources.Events), "1 1"},
		{"messages W45", *w45.Messages, uint64(5)},
		{"messages W46", *w46.Messages, uint64(15)},
	}
	for _, c := range checks {
		if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
			t.Errorf("%s: %v, want %v", c.name, c.got, c.want)
		}
	}
	volume := map[string]string{}
	for _, v := range p.Volume {
		volume[v.AuthorityCVR] = fmt.Sprint(v.Messages)
	}
	if len(volume) != 2 || volume[f.x] != "[5 12]" || volume[f.y] != "[0 3]" {
		t.Errorf("volume per authority: %v", volume)
	}

	// The page shows the same figures, in Danish, with their denominators and changes.
	page := f.env.As(auth.RoleAdmin, "").Get("/")
	for _, want := range []string{
		"Pilotoverblik, uge 46 (2012-W46)", "3 af 4 virksomheder (75,0 %)", "+1 siden uge 45", "Til og med ugen i alt: 4 af 4 virksomheder (100,0 %)",
		"2 af 4 virksomheder (50,0 %)", "3 af 5 invitationer besvaret (60,0 %)", "+20,0 procentpoint siden uge 45",
		"Portalens support: 50,0 % (1 af 2 opkald ikke løst)", "15 meddelelser i ugen", "+10 siden uge 45", "Desuden deltager: 1 kommune",
		`id="overview-setup-chart"`, `id="overview-volume-chart"`,
	} {
		if !strings.Contains(html.UnescapeString(page.Body), want) {
			t.Errorf("the admin's start page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, scriptName) {
		t.Error("an authority's name reached the page unescaped")
	}
}

// A week asked for: the week before shows its own figures against the
// week before it; an empty week (after the data, or before the pilot) has
// zeros, no wave, and the page says what is missing and where to get it.
func TestOverviewWeeks(t *testing.T) {
	f := newOverviewFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	ov := getOverview(t, admin, "?week=2012-W45")
	if ov.Week != "2012-W45" || ov.Previous != "2012-W44" || ov.Latest != "2012-W46" || strings.Join(ov.Weeks, " ") != "2012-W44 2012-W45" {
		t.Errorf("week 45: %s %s %s %v", ov.Week, ov.Previous, ov.Latest, ov.Weeks)
	}
	if w := ov.Pilot.Weeks[1]; w.SetupProblems != share(2, 4) || w.Calls != 3 || ov.Pilot.Weeks[0].Calls != 0 {
		t.Errorf("week 45 figures: %+v", ov.Pilot.Weeks)
	}

	ov = getOverview(t, admin, "?week=2012-W50")
	if len(ov.Weeks) != 6 || ov.Weeks[0] != "2012-W45" || ov.Week != "2012-W50" {
		t.Fatalf("an empty week after the data: trend %v", ov.Weeks)
	}
	w50 := ov.Pilot.Weeks[5]
	if w50.SetupProblems != share(0, 4) || w50.SetupProblemsCumulative != share(4, 4) || w50.Calls != 0 || w50.ResponseRate != nil ||
		w50.ThirdPartyAccess != share(2, 4) || *w50.Messages != 0 {
		t.Errorf("empty week 50: %+v", w50)
	}
	page := admin.Get("/?week=2012-W50").Body
	for _, want := range []string{"Ingen supportopkald registreret i 2012-W50", "Ingen spørgeskemarunde i 2012-W50: åbn en runde på siden Spørgeskemaer.",
		"Ingen meddelelser i 2012-W50", `href="/survey"`, "Den seneste uge med data er 2012-W46."} {
		if !strings.Contains(page, want) {
			t.Errorf("the empty week's page lacks %q", want)
		}
	}

	ov = getOverview(t, admin, "?week=2012-W40")
	if strings.Join(ov.Weeks, " ") != "2012-W39 2012-W40" || ov.Pilot.Weeks[1].SetupProblemsCumulative != share(0, 4) {
		t.Errorf("a week before the pilot: %v %+v", ov.Weeks, ov.Pilot.Weeks)
	}
	// A date means its week; anything else is refused naming the field.
	if ov := getOverview(t, admin, "?week=2012-11-18"); ov.Week != "2012-W46" {
		t.Errorf("a date: week %s", ov.Week)
	}
	if r := admin.Get("/api/v1/metrics/overview?week=46"); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `"field":"week"`) {
		t.Errorf("a bad week: %d %s", r.StatusCode, r.Body)
	}

	// In English: the other separators and words.
	if r := admin.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/"}}); r.StatusCode >= 400 {
		t.Fatal(r.StatusCode)
	}
	en := html.UnescapeString(admin.Get("/").Body)
	for _, want := range []string{"Pilot overview, week 46 (2012-W46)", "3 of 4 companies (75.0%)", "+1 since week 45", "+20.0 percentage points since week 45"} {
		if !strings.Contains(en, want) {
			t.Errorf("the English page lacks %q", want)
		}
	}
}

// An app without any data shows today's week and says what is missing.
func TestOverviewNoData(t *testing.T) {
	env := apptest.New(t)
	admin := env.As(auth.RoleAdmin, "")
	ov := getOverview(t, admin, "")
	if now := week.Of(time.Now()); ov.Week != now.String() || ov.Pilot.Companies != 0 {
		t.Errorf("no data: week %s, want %s; %+v", ov.Week, now, ov.Pilot)
	}
	if page := admin.Get("/").Body; !strings.Contains(page, "Ingen virksomheder i registret endnu: importér dem på siden Virksomheder.") {
		t.Error("the empty start page does not say how to add companies")
	}
}

// An authority user sees only its own authority: its messages per week
// against its target; naming another authority is 404, as is a support
// user naming one. An admin may ask for an authority's view.
func TestOverviewAuthorityScope(t *testing.T) {
	f := newOverviewFixture(t)
	x := f.env.As(auth.RoleAuthority, f.x)
	ov := getOverview(t, x, "")
	if ov.Pilot != nil || ov.Support != nil || ov.Authority == nil {
		t.Fatalf("sections: %+v", ov)
	}
	a := ov.Authority
	if ov.Week != "2012-W46" || a.AuthorityCVR != f.x || fmt.Sprint(a.Messages) != "[5 12]" || a.ThisWeek != 12 || a.PreviousWeek != 5 ||
		a.OfTarget == nil || *a.OfTarget != 0.012 || *a.WeeklyTarget != 1000 {
		t.Errorf("authority X: %s %+v", ov.Week, a)
	}
	if got := getOverview(t, x, "?authority="+f.x); fmt.Sprint(got.Authority.Messages) != "[5 12]" {
		t.Errorf("naming its own authority: %+v", got.Authority)
	}
	for _, path := range []string{"/api/v1/metrics/overview?authority=" + f.y, "/?authority=" + f.y} {
		if r := x.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "alert(1)") {
			t.Errorf("%s as authority X: %d", path, r.StatusCode)
		}
	}
	page := x.Get("/").Body
	if strings.Contains(page, scriptName) || strings.Contains(page, f.y) || strings.Contains(page, "Firma") {
		t.Error("the authority's start page shows another authority or the companies")
	}
	for _, want := range []string{"12 meddelelser i ugen", "+7 siden uge 45", "Ugemål: 1.000 meddelelser (1,2 % nået).", "Styrelsen X"} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the authority's start page lacks %q", want)
		}
	}
	if r := f.env.As(auth.RoleSupport, "").Get("/api/v1/metrics/overview?authority=" + f.x); r.StatusCode != http.StatusNotFound {
		t.Errorf("a support user naming an authority: %d", r.StatusCode)
	}
	// An admin asks for Y's view: its name is text on the page.
	admin := f.env.As(auth.RoleAdmin, "")
	if got := getOverview(t, admin, "?authority="+f.y); got.Authority == nil || fmt.Sprint(got.Authority.Messages) != "[0 3]" || got.Authority.OfTarget != nil {
		t.Errorf("Y for an admin: %+v", got.Authority)
	}
	if page := admin.Get("/?authority=" + f.y).Body; strings.Contains(page, scriptName) || !strings.Contains(page, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("Y's name is not shown as text")
	}
}

// Support staff see today's calls, the week's calls and the open follow-ups,
// each linking to its call.
func TestOverviewSupport(t *testing.T) {
	f := newOverviewFixture(t)
	ctx := context.Background()
	now := time.Now().Truncate(time.Minute)
	yesterday := now.In(week.Copenhagen).AddDate(0, 0, -1).Format(time.DateOnly)
	today, err := f.env.App.Support.Create(ctx, support.Input{CompanyCVR: f.a, CallerName: "Bo <b>", ReceivedAt: &now, Desk: "portal", Channel: "phone",
		Category: "notifications", Description: "i dag", Resolution: "partly", FollowUpNeeded: true, FollowUpBy: yesterday}, "test")
	if err != nil {
		t.Fatal(err)
	}
	u := f.env.As(auth.RoleSupport, "")
	ov := getOverview(t, u, "")
	s := ov.Support
	if ov.Pilot != nil || ov.Authority != nil || s == nil {
		t.Fatalf("sections: %+v", ov)
	}
	if ov.Week != week.Of(now).String() || len(s.CallsToday) != 1 || s.CallsToday[0].ID != today.ID || s.CallsWeek != 1 ||
		len(s.OpenFollowUps) != 1 || !s.OpenFollowUps[0].PastDue || s.OpenFollowUps[0].Path != fmt.Sprintf("/support/calls/%d", today.ID) {
		t.Errorf("support view: %s %+v", ov.Week, s)
	}
	if ov := getOverview(t, u, "?week=2012-W46"); ov.Support.CallsWeek != 3 || ov.Support.CallsPrevious != 3 {
		t.Errorf("support, week 46: %+v", ov.Support)
	}
	page := u.Get("/").Body
	if !strings.Contains(page, fmt.Sprintf(`href="/support/calls/%d"`, today.ID)) || !strings.Contains(page, "Bo &lt;b&gt;") || !strings.Contains(page, "overskredet") {
		t.Errorf("the support start page lacks the call's link: %.3000s", page)
	}
}
