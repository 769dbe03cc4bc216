package survey_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/survey"
)

// TestResponseRateExact builds a wave with known statuses: 3 companies, 6
// contacts; 2 submitted (companies A and B), 1 draft, 1 opened, 2 invited.
func TestResponseRateExact(t *testing.T) {
	f := newFixture(t)
	f.company("2000001", "A", "a1:a1@a.dk", "a2:a2@a.dk")
	f.company("2000002", "B", "b1:b1@b.dk", "b2:b2@b.dk")
	f.company("2000003", "C", "c1:c1@c.dk", "c2:c2@c.dk")
	ctx := context.Background()
	w := f.openWave()
	save := func(email string, final bool) {
		if err := f.store.Save(ctx, f.invitation(w.ID, email), w, map[string]string{"ease": "3"}, final); err != nil {
			t.Fatal(err)
		}
	}
	save("a1@a.dk", true)
	save("a2@a.dk", true) // same company as a1: companies answered stays 2
	save("b1@b.dk", false)
	save("b1@b.dk", true)
	save("c1@c.dk", false)
	if err := f.store.MarkOpened(ctx, f.invitation(w.ID, "c2@c.dk").ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	// b2 invited only.
	fig, err := f.store.FigWaveResponse(ctx, w, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := survey.WaveFigures{Wave: w.ID, State: "open", Invitations: 6, Invited: 1, Opened: 1, Draft: 1, Submitted: 3,
		ResponseRate: 0.5, Companies: 3, CompaniesAnswered: 2, CompanyRate: 2.0 / 3.0}
	if fig != want {
		t.Errorf("figures\n got %+v\nwant %+v", fig, want)
	}
	nr, err := f.store.FigNonRespondents(ctx, w.ID)
	if err != nil {
		t.Fatal(err)
	}
	var emails []string
	for _, i := range nr {
		emails = append(emails, i.ContactEmail)
	}
	slices.Sort(emails)
	if fmt.Sprint(emails) != "[b2@b.dk c1@c.dk c2@c.dk]" {
		t.Errorf("non-respondents %v", emails)
	}
	// The API and the page show the same figures.
	m := f.env.As(auth.RoleManager, "")
	var st struct {
		Figures        survey.WaveFigures `json:"figures"`
		NonRespondents []struct {
			Email string `json:"email"`
		} `json:"non_respondents"`
	}
	m.Get("/api/v1/survey/waves/"+w.ID).JSON(t, &st)
	if st.Figures != want || len(st.NonRespondents) != 3 {
		t.Errorf("API figures %+v, %d non-respondents", st.Figures, len(st.NonRespondents))
	}
	page := m.Get("/survey/waves/" + w.ID)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "50 %") || !strings.Contains(page.Body, "(3/6)") {
		t.Errorf("wave page: %d %.500s", page.StatusCode, page.Body)
	}
}

func TestCompanyHistoryFlagsChanges(t *testing.T) {
	f := newFixture(t)
	cvrA := f.company("2100001", "Hist A/S", "h1:h1@h.dk", "h2:h2@h.dk")
	ctx := context.Background()
	if err := f.store.SetSchedule(ctx, survey.Schedule{OpenWeekday: 1, OpenTime: "09:00", CloseAfterDays: 5, ReminderAfterDays: 2, MaxReminders: 2}); err != nil {
		t.Fatal(err)
	}
	// Three waves (open while answering: the store's clock is set inside each).
	answers := []struct {
		week   string
		email  string
		values map[string]string
	}{
		{"2012-W45", "h1@h.dk", map[string]string{"ease": "4", "setup_problem": "no", "third_party_access": "no"}},
		{"2012-W46", "h1@h.dk", map[string]string{"ease": "2", "setup_problem": "yes", "setup_problem_kinds": `["rights_roles"]`, "third_party_access": "no"}},
		{"2012-W48", "h2@h.dk", map[string]string{"ease": "3", "setup_problem": "yes", "setup_problem_kinds": `["rights_roles","notifications"]`, "third_party_access": "no"}},
	}
	for _, a := range answers {
		w, _, err := f.store.CreateWave(ctx, a.week, "test")
		if err != nil {
			t.Fatal(err)
		}
		f.store.Now = func() time.Time { return w.OpensAt.Add(time.Hour) }
		if err := f.store.Save(ctx, f.invitation(w.ID, a.email), w, a.values, true); err != nil {
			t.Fatal(err)
		}
	}
	// A wave the company did not answer sits between W46 and W48.
	if _, _, err := f.store.CreateWave(ctx, "2012-W47", "test"); err != nil {
		t.Fatal(err)
	}
	id, _, _ := f.store.CompanyID(ctx, cvrA)
	hist, err := f.store.FigCompanyHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(hist) != 4 {
		t.Fatalf("%d waves in history, want 4", len(hist))
	}
	got := map[string]string{}
	for _, h := range hist {
		got[h.Wave] = fmt.Sprintf("%v %v", h.Answered, h.Flags)
	}
	want := map[string]string{
		"2012-W45": "true []",
		"2012-W46": "true [{ease fell 4 2} {setup_problem first_reported no yes}]",
		"2012-W47": "false []",
		"2012-W48": `true [{ease rose 2 3} {setup_problem_kinds changed ["rights_roles"] ["rights_roles","notifications"]}]`,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %s\n   want %s", k, got[k], v)
		}
	}
	// The company page shows the flags (escaped), the API the same history.
	admin := f.env.As(auth.RoleAdmin, "")
	page := admin.Get("/survey/companies/" + cvrA)
	if page.StatusCode != 200 || !strings.Contains(page.Body, "faldt 4 → 2") || !strings.Contains(page.Body, "første gang") {
		t.Errorf("company page: %d %.3000s", page.StatusCode, page.Body)
	}
	var api []survey.HistoryWave
	admin.Get("/api/v1/survey/companies/"+cvrA+"/history").JSON(t, &api)
	if len(api) != 4 || len(api[1].Flags) != 2 {
		t.Errorf("history API %+v", api)
	}
	// The same flags per wave: the wave page and its JSON twin.
	var changes []survey.CompanyFlags
	admin.Get("/api/v1/survey/waves/2012-W46/changes").JSON(t, &changes)
	if len(changes) != 1 || changes[0].CompanyCVR != cvrA || fmt.Sprint(changes[0].Flags) != "[{ease fell 4 2} {setup_problem first_reported no yes}]" {
		t.Errorf("wave changes %+v", changes)
	}
	admin.Get("/api/v1/survey/waves/2012-W47/changes").JSON(t, &changes)
	if len(changes) != 0 {
		t.Errorf("a wave nobody answered has changes %+v", changes)
	}
	if p := admin.Get("/survey/waves/2012-W46"); !strings.Contains(p.Body, "faldt 4 → 2") {
		t.Errorf("wave page lacks the change")
	}
	// Reopen through the API: only a submitted invitation.
	inv := f.invitation("2012-W46", "h1@h.dk")
	if r := admin.SendJSON("POST", fmt.Sprintf("/api/v1/survey/invitations/%d/reopen", inv.ID), nil); r.StatusCode != 200 || !strings.Contains(r.Body, `"status":"draft"`) {
		t.Errorf("reopen API: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.SendJSON("POST", fmt.Sprintf("/api/v1/survey/invitations/%d/reopen", inv.ID), nil); r.StatusCode != http.StatusConflict {
		t.Errorf("reopen a draft: %d %s", r.StatusCode, r.Body)
	}
}

func TestInterviewsSearchable(t *testing.T) {
	f := newFixture(t)
	cvrA := f.company("2200001", "Interview A/S", "i:i@i.dk")
	admin := f.env.As(auth.RoleAdmin, "")
	r := admin.PostForm("/survey/companies/"+cvrA+"/interviews", map[string][]string{
		"held_on": {"2012-11-20"}, "interviewer": {"Kirsten"}, "topics": {"setup_problem", "missing_features"},
		"notes": {"Ledelsen skal beslutte oprettelsen; ønsker søgning på tværs af mapper."}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("add interview: %d %.500s", r.StatusCode, r.Body)
	}
	bad := admin.PostForm("/survey/companies/"+cvrA+"/interviews", map[string][]string{"held_on": {"20-11-2012"}, "interviewer": {""}, "topics": {"nope"}})
	if bad.StatusCode != http.StatusBadRequest || !strings.Contains(bad.Body, "skal være en dato som 2026-11-30") || !strings.Contains(bad.Body, "er ikke et spørgsmål i spørgeskemaet") {
		t.Errorf("bad interview: %d %.500s", bad.StatusCode, bad.Body)
	}
	var ivs []survey.Interview
	admin.Get("/api/v1/survey/interviews?search=tværs").JSON(t, &ivs)
	if len(ivs) != 1 || ivs[0].Interviewer != "Kirsten" || fmt.Sprint(ivs[0].Topics) != "[setup_problem missing_features]" {
		t.Errorf("search: %+v", ivs)
	}
	admin.Get("/api/v1/survey/interviews?topic=ease").JSON(t, &ivs)
	if len(ivs) != 0 {
		t.Errorf("topic filter: %+v", ivs)
	}
	admin.Get("/api/v1/survey/interviews?topic=setup_problem").JSON(t, &ivs)
	if len(ivs) != 1 {
		t.Errorf("topic filter: %+v", ivs)
	}
	if p := admin.Get("/survey/interviews?search=Ledelsen"); !strings.Contains(p.Body, "Interview A/S") {
		t.Errorf("interviews page: %.500s", p.Body)
	}
	if n := f.count(`SELECT count(*) FROM survey_interviews`); n != 1 {
		t.Errorf("%d interviews stored", n)
	}
}

func TestRolesAndInvitationListNeutralised(t *testing.T) {
	f := newFixture(t)
	f.company("2300001", "=HYPERLINK(\"http://evil\")", "+Mallory:mal@evil.dk", "Ok:ok@ok.dk:en")
	w := f.openWave()
	admin := f.env.As(auth.RoleAdmin, "")
	for _, path := range []string{"/survey", "/survey/waves/" + w.ID, "/survey/questionnaire", "/survey/interviews", "/api/v1/survey/waves",
		"/api/v1/survey/questionnaires", "/api/v1/survey/answers", "/survey/questionnaire/export?format=json"} {
		if r := admin.Get(path); r.StatusCode != 200 {
			t.Errorf("admin %s: %d %.300s", path, r.StatusCode, r.Body)
		}
	}
	manager := f.env.As(auth.RoleManager, "")
	if r := manager.Get("/survey/waves/" + w.ID); r.StatusCode != 200 {
		t.Errorf("manager wave page: %d", r.StatusCode)
	}
	if r := manager.Get("/survey/waves/" + w.ID + "/invitations.csv"); r.StatusCode != http.StatusForbidden {
		t.Errorf("manager may not download links: %d", r.StatusCode)
	}
	for _, role := range []auth.Role{auth.RoleSupport} {
		c := f.env.As(role, "")
		for _, path := range []string{"/api/v1/survey/waves", "/api/v1/survey/answers", "/survey"} {
			if r := c.Get(path); r.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s: %d", role, path, r.StatusCode)
			}
		}
	}
	authCVR := f.env.Authority(cvr(t, "9000001"), "Styrelsen")
	ac := f.env.Bearer(f.env.TokenFor(f.env.User(auth.RoleAuthority, authCVR)))
	for _, path := range []string{"/api/v1/survey/waves", "/api/v1/survey/answers", "/api/v1/survey/interviews"} {
		if r := ac.Get(path); r.StatusCode != http.StatusForbidden {
			t.Errorf("authority %s: %d", path, r.StatusCode)
		}
	}

	// CSV: formula-like cells neutralised; each link opens the form.
	r := admin.Get("/survey/waves/" + w.ID + "/invitations.csv")
	if r.StatusCode != 200 {
		t.Fatalf("csv: %d %s", r.StatusCode, r.Body)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\uFEFF"))).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("csv: %v, %d rows", err, len(recs))
	}
	toks := f.tokens(w.ID)
	for _, rec := range recs[1:] {
		if rec[2] != `'=HYPERLINK("http://evil")` {
			t.Errorf("company cell %q", rec[2])
		}
		if rec[4] == "mal@evil.dk" && rec[3] != "'+Mallory" {
			t.Errorf("contact cell %q", rec[3])
		}
		if !strings.HasSuffix(rec[7], "/q/"+toks[rec[4]]) {
			t.Errorf("link %q", rec[7])
		}
	}
	// XLSX the same.
	r = admin.Get("/survey/waves/" + w.ID + "/invitations.xlsx")
	x, err := excelize.OpenReader(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("xlsx: %v", err)
	}
	// The text as given, in a string cell (internal/spreadsheet): shown as
	// text, never evaluated.
	v, _ := x.GetCellValue("Invitations", "C2")
	if v != `=HYPERLINK("http://evil")` {
		t.Errorf("xlsx company cell %q", v)
	}
	if typ, _ := x.GetCellType("Invitations", "C2"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Errorf("xlsx company cell is of type %v, want a string", typ)
	}
	if fm, _ := x.GetCellFormula("Invitations", "C2"); fm != "" {
		t.Errorf("xlsx cell has a formula %q", fm)
	}
	// Every listing is logged as a send and in the audit log.
	if n := f.count(`SELECT count(*) FROM survey_sends WHERE channel = 'list'`); n != 4 {
		t.Errorf("%d list sends logged, want 4", n)
	}
	if n := f.count(`SELECT count(*) FROM audit_log WHERE action = 'export' AND target LIKE 'survey invitation list%'`); n != 2 {
		t.Errorf("%d exports audited, want 2", n)
	}
	// The company name is escaped on the pages.
	if p := admin.Get("/survey/waves/" + w.ID); strings.Contains(p.Body, `=HYPERLINK("http`) {
		t.Errorf("company name not escaped on the wave page")
	}
}
