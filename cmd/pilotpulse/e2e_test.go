package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports/officetest"
)

// TestEndToEndDemoPilot is the newcomer's tour as a test (issue 12 #5): the
// real binary loads the demo pilot (`pilotpulse demo`) and serves it on a
// real ClickHouse, as `make run` does; then, in headless Chromium, each demo
// user signs in with the login `make run` printed: the admin publishes a
// questionnaire version and opens this week's wave; a respondent answers
// through the personal link of the invitation list on a phone; support logs
// a call for the respondent's company with the keyboard alone; the manager
// finds the answer and the call on the overview of the week and on the
// company's timeline, and downloads the weekly workbook; each authority user
// sees its own volume and never the other authority's, not even by editing
// addresses. Each step has its own browser; a step needs the ones before.
// The answer and the call belong to the ISO week the test starts in
// (Europe/Copenhagen): a run across Sunday midnight fails.
func TestEndToEndDemoPilot(t *testing.T) {
	bin := buildBinary(t)
	_, dsn := warehousetest.NewDatabase(t)
	dataDir := t.TempDir()
	p := &tour{week: week.Of(time.Now()).String(), logins: loadDemo(t, bin, dataDir, dsn)}
	s := startServe(t, bin, dataDir, "PILOTPULSE_CLICKHOUSE_DSN="+dsn)
	p.base = "http://" + s.addr
	p.logins = append(p.logins, adminLogin(t, s, dataDir))
	for _, step := range []struct {
		name string
		run  func(*testing.T)
	}{
		{"admin publishes a version and opens the week's wave", p.adminOpensWave},
		{"respondent answers on a phone", p.respondentAnswers},
		{"support logs a call by keyboard", p.supportLogsCall},
		{"manager finds the answer and the call", p.managerReads},
		{"authority users see only their own volume", p.authoritiesScoped},
	} {
		if !t.Run(step.name, step.run) {
			t.Fatalf("stopped at the failed step %q (each step builds on the ones before)", step.name)
		}
	}
}

// demoLogin is a demo user's login as `pilotpulse demo` prints it.
type demoLogin struct {
	Role, Authority, Email, Password string
}

// tour is what the steps hand on to each other.
type tour struct {
	base, week string
	logins     []demoLogin
	// Set by the admin's step.
	version     string            // the published questionnaire version
	invitations int               // the wave's invitations
	link        string            // the respondent's personal link
	respondent  company           // the respondent's company
	authorities map[string]string // name -> CVR
	// Set by the respondent's and support's steps.
	comment, callText string
}

type company struct{ CVR, Name string }

// loadDemo runs `pilotpulse demo` on dataDir (as `make run` does) and
// returns the demo logins it printed, each of them checked against the
// data dir's demo-logins file.
func loadDemo(t *testing.T, bin, dataDir, dsn string) []demoLogin {
	t.Helper()
	cmd := exec.Command(bin, "demo")
	cmd.Env = append(os.Environ(), "PILOTPULSE_DATA_DIR="+dataDir, "PILOTPULSE_CLICKHOUSE_DSN="+dsn)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "demo pilot loaded") {
		t.Fatalf("pilotpulse demo: %v\n%s\n%s", err, out, stderr.String())
	}
	kept, err := os.ReadFile(filepath.Join(dataDir, app.DemoLoginsFile))
	if err != nil {
		t.Fatal(err)
	}
	var logins []demoLogin
	for _, line := range strings.Split(string(out), "\n") {
		// "  authority, Fredericia Kommune: fredericia@pilotpulse.local / PASSWORD"
		who, login, _ := strings.Cut(strings.TrimSpace(line), ": ")
		email, pw, ok := strings.Cut(login, " / ")
		role, authority, _ := strings.Cut(who, ", ")
		if !ok || !slices.Contains([]string{"support", "manager", "authority"}, role) {
			continue
		}
		if !strings.Contains(string(kept), email+" / "+pw+"\n") {
			t.Errorf("printed login %q is not the one kept in %s", line, app.DemoLoginsFile)
		}
		logins = append(logins, demoLogin{Role: role, Authority: authority, Email: email, Password: pw})
	}
	roles := map[string]int{}
	for _, l := range logins {
		roles[l.Role]++
	}
	if roles["support"] != 1 || roles["manager"] != 1 || roles["authority"] != 2 {
		t.Fatalf("demo logins printed %+v:\n%s", logins, out)
	}
	return logins
}

// adminLogin is the first admin's login, as serve printed it and keeps it
// in the data dir.
func adminLogin(t *testing.T, s *served, dataDir string) demoLogin {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, app.InitialAdminFile))
	if err != nil {
		t.Fatal(err)
	}
	email, pw, _ := strings.Cut(strings.TrimSpace(string(b)), " / ")
	if !strings.Contains(s.stdout.String(), "Admin login: "+email+" / "+pw) {
		t.Fatalf("serve did not print the kept admin login: %s", s.stdout.String())
	}
	return demoLogin{Role: "admin", Email: email, Password: pw}
}

func (p *tour) login(t *testing.T, role string) demoLogin {
	t.Helper()
	for _, l := range p.logins {
		if l.Role == role {
			return l
		}
	}
	t.Fatalf("no %s login", role)
	return demoLogin{}
}

// signIn starts a browser for the user and signs it in through the login
// form, landing on next.
func (p *tour) signIn(t *testing.T, l demoLogin, next string) context.Context {
	t.Helper()
	ctx := browsertest.New(t)
	browsertest.SignIn(t, ctx, p.base, l.Email, l.Password, next)
	if who := eval[string](t, ctx, `document.querySelector("a.who")?.textContent ?? ""`); !strings.Contains(who, l.Email) {
		t.Fatalf("%s did not sign in: %s", l.Email, text(t, ctx, "main"))
	}
	return ctx
}

// The admin changes the questionnaire's introduction in the builder and
// publishes it, sets the schedule so that this week's wave is open all
// week, opens the wave of this week and takes the invitation list (CSV),
// as an admin does when no mail server is configured.
func (p *tour) adminOpensWave(t *testing.T) {
	ctx := p.signIn(t, p.login(t, "admin"), "/survey/questionnaire/builder")
	intro := eval[string](t, ctx, `document.querySelector("#intro_da").value`)
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#intro_da"), intro+" Ny i denne version: et spørgsmål mindre at tænke over."),
		chromedp.Click(chromedp.CSS(`form[action="/survey/questionnaire/builder"] button.primary`)), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	flash := text(t, ctx, "p.flash")
	if !strings.HasPrefix(flash, "Version ") || !strings.HasSuffix(flash, " er udgivet.") {
		t.Fatalf("publishing from the builder: %q", flash)
	}
	p.version = strings.TrimSuffix(strings.TrimPrefix(flash, "Version "), " er udgivet.")

	// The schedule: waves open on Monday at 00:00 for 7 days, so the wave
	// of this week is open whatever day the test runs.
	browsertest.Open(t, ctx, p.base+"/survey", "#open_weekday")
	do(t, ctx, chromedp.SetValue(chromedp.CSS("#open_weekday"), "1"), chromedp.SetValue(chromedp.CSS("#open_time"), "00:00"), chromedp.SetValue(chromedp.CSS("#close_after_days"), "7"),
		chromedp.Click(chromedp.CSS(`form[action="/survey/schedule"] button.primary`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if wk := eval[string](t, ctx, `document.querySelector("#week").value`); wk != p.week {
		t.Fatalf("the new wave's week field offers %q, want this week %s", wk, p.week)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS(`form[action="/survey/waves"] button.primary`)), chromedp.WaitVisible(chromedp.CSS(`a[href$="/invitations.csv"]`)))
	if loc := eval[string](t, ctx, `location.pathname`); loc != "/survey/waves/"+p.week {
		t.Fatalf("creating the wave landed on %s", loc)
	}
	if head := text(t, ctx, "main p.muted"); !strings.Contains(head, "Version "+p.version) || !strings.HasSuffix(head, "åben") {
		t.Errorf("the wave's page: %q (want version %s, open)", head, p.version)
	}

	// The invitation list and the register, with the admin's session.
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(fetchText(t, ctx, "/survey/waves/"+p.week+"/invitations.csv"), "\uFEFF"))).ReadAll()
	if err != nil || len(rows) < 2 || !slices.Equal(rows[0], []string{"wave", "company_cvr", "company", "contact", "email", "language", "status", "link", "closes_at"}) {
		t.Fatalf("invitation list: %v %q", err, rows)
	}
	p.invitations = len(rows) - 1
	var companies []struct{ CVR, Name, Kind string }
	fetchJSON(t, ctx, "/api/v1/companies", &companies)
	kind := map[string]string{}
	for _, c := range companies {
		kind[c.CVR] = c.Kind
	}
	for _, r := range rows[1:] { // a Danish contact of one of the pilot's companies
		if kind[r[1]] == "company" && r[5] == "da" && r[6] == "invited" {
			p.respondent, p.link = company{CVR: r[1], Name: r[2]}, r[7]
			break
		}
	}
	if !strings.HasPrefix(p.link, p.base+"/q/") {
		t.Fatalf("no personal link for a Danish contact of a company in %q", rows)
	}
	var authorities []struct{ CVR, Name string }
	fetchJSON(t, ctx, "/api/v1/authorities", &authorities)
	p.authorities = map[string]string{}
	for _, a := range authorities {
		p.authorities[a.Name] = a.CVR
	}
}

// The respondent opens the personal link on a phone (390 x 844, mobile
// emulation), sees the published version, answers and submits.
func (p *tour) respondentAnswers(t *testing.T) {
	p.comment = "E2E " + p.week + ": vi savner søgning på tværs af mapper"
	ctx := browsertest.New(t)
	do(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
	browsertest.Open(t, ctx, p.link, "form.survey-form")
	if intro := text(t, ctx, "section.survey"); !strings.Contains(intro, "Ny i denne version") || !strings.Contains(intro, p.respondent.Name) {
		t.Errorf("the respondent's page does not show the published version for %s: %q", p.respondent.Name, intro)
	}
	if eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
		t.Errorf("the questionnaire scrolls sideways on a phone (scrollWidth %d)", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	for _, sel := range []string{"#q_used_mailbox-yes", "#q_setup_problem-no", "#q_ease-4", "#q_contacted_support-no", "#q_third_party_access-no"} {
		do(t, ctx, chromedp.Click(chromedp.CSS(sel)))
	}
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#q_comments"), p.comment), chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".flash")))
	if txt := text(t, ctx, "main"); !strings.Contains(txt, "Dine svar er indsendt") {
		t.Fatalf("after submitting: %s", txt)
	}
}

// Support logs a call for the respondent's company with the keyboard
// alone: the form opens with the focus on the company, Tab walks the
// fields in their order to the save button, Enter saves; the call is then
// on the company's timeline.
func (p *tour) supportLogsCall(t *testing.T) {
	ctx := p.signIn(t, p.login(t, "support"), "/support/calls/new")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#call-form")))
	if id := focused(t, ctx); id != "company" {
		t.Fatalf("the form opens with the focus on #%q, want #company", id)
	}
	p.callText = "E2E " + p.week + ": medarbejdersignaturen virker ikke i postkassen"
	for _, step := range []struct{ typed, next string }{
		{p.respondent.CVR, "caller_name"},
		{"Camilla Demo", "caller_role"},
		{"Bogholder", "desk"},
		{"Post", "channel"}, // desk: Postkasseoperatørens support
		{"", "category"},    // channel: phone, the default
		{"Med", "description"},
		{p.callText, "resolution"},
		{"Ikke", "duration_minutes"}, // resolution: Ikke løst
		{"7", "follow_up_needed"},
	} {
		keys(t, ctx, step.typed, kb.Tab)
		if id := focused(t, ctx); id != step.next {
			t.Fatalf("after typing %q and Tab the focus is on #%s, want #%s", step.typed, id, step.next)
		}
	}
	// The rest of the form in order, then the save button: no trap, no skip.
	order := []string{"follow_up_needed"}
	for range 40 {
		if order[len(order)-1] == "save" {
			break
		}
		keys(t, ctx, kb.Tab)
		if id := focused(t, ctx); id != order[len(order)-1] { // a date field's parts keep the focus on it
			order = append(order, id)
		}
	}
	if want := []string{"follow_up_needed", "follow_up_by", "received_at", "ended_at", "handled_by", "save"}; !slices.Equal(order, want) {
		t.Fatalf("Tab order after the duration: %v, want %v", order, want)
	}
	keys(t, ctx, kb.Enter)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#saved")))
	if h := text(t, ctx, "h1"); !strings.Contains(h, p.respondent.Name) {
		t.Errorf("the saved call's page names %q, want %s", h, p.respondent.Name)
	}
	browsertest.Open(t, ctx, p.base+"/companies/"+p.respondent.CVR, ".timeline-call")
	if calls := text(t, ctx, "main"); !strings.Contains(calls, p.callText) {
		t.Errorf("the call is not on the company's timeline: %s", calls)
	}
}

// The manager (English) reads the overview of this week, finds the answer
// and the call there and on the company's timeline, and downloads the
// weekly workbook.
func (p *tour) managerReads(t *testing.T) {
	ctx := p.signIn(t, p.login(t, "manager"), "/?week="+p.week)
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#overview-response")))
	wk, _ := week.Parse(p.week)
	if h := text(t, ctx, "h1"); h != "Pilot overview, week "+strconv.Itoa(wk.Number())+" ("+p.week+")" {
		t.Errorf("overview heading %q", h)
	}
	for sel, want := range map[string]string{
		"#overview-response .overview-value": "1 of " + strconv.Itoa(p.invitations) + " invitations answered",
		"#overview-ease .overview-value":     "4.0 of 5 on average (1 answers)",
		"#overview-callers .overview-value":  "1 of 30 companies",
		"#overview-callers .overview-line":   "1 calls in all",
	} {
		if got := text(t, ctx, sel); !strings.HasPrefix(got, want) {
			t.Errorf("%s: %q, want %q…", sel, got, want)
		}
	}
	browsertest.Open(t, ctx, p.base+"/companies/"+p.respondent.CVR, ".timeline-call")
	answers, calls := text(t, ctx, ".timeline-answers"), text(t, ctx, ".timeline-call")
	if !strings.Contains(answers, p.week) || !strings.Contains(answers, p.comment) {
		t.Errorf("the newest answers on the company's timeline: %q, want the wave %s with the comment", answers, p.week)
	}
	if !strings.Contains(calls, p.callText) || !strings.Contains(calls, "Employee signature") {
		t.Errorf("the newest call on the company's timeline: %q", calls)
	}
	checkWeeklyWorkbook(t, ctx, p.base, p.week)
}

// Each authority user (in a browser of its own) sees its own name and
// figures; no page it reaches from the menu (or from links on those pages)
// names the other authority, and the other's drill-down and figures answer
// 404 when it edits the address.
func (p *tour) authoritiesScoped(t *testing.T) {
	var users []demoLogin
	for _, l := range p.logins {
		if l.Role == "authority" {
			users = append(users, l)
		}
	}
	for i, own := range users {
		other := users[1-i]
		t.Run(own.Email, func(t *testing.T) { p.authorityScoped(t, own, other) })
	}
}

func (p *tour) authorityScoped(t *testing.T, own, other demoLogin) {
	ownCVR, otherCVR := p.authorities[own.Authority], p.authorities[other.Authority]
	if ownCVR == "" || otherCVR == "" {
		t.Fatalf("authorities %q and %q not in the register %v", own.Authority, other.Authority, p.authorities)
	}
	ctx := p.signIn(t, own, "/")
	do(t, ctx, chromedp.WaitVisible(chromedp.CSS("#overview-authority")))
	if name := text(t, ctx, ".overview-authority"); name != own.Authority {
		t.Errorf("the overview names %q, want %q", name, own.Authority)
	}
	if v := text(t, ctx, "#overview-authority .overview-value"); !strings.ContainsAny(v, "123456789") {
		t.Errorf("the overview's figure: %q", v)
	}
	pages := links(t, ctx, "header nav a")
	for _, nav := range slices.Clone(pages) {
		for _, l := range linksOf(t, ctx, nav, "main a") {
			if !slices.Contains(pages, l) {
				pages = append(pages, l)
			}
		}
	}
	for _, path := range pages {
		if strings.Contains(path, otherCVR) {
			t.Errorf("a link to the other authority: %s", path)
		}
		if body := withoutRecipients(t, ctx, path); strings.Contains(body, other.Authority) || strings.Contains(body, otherCVR) {
			t.Errorf("%s names the other authority %s", path, other.Authority)
		}
	}
	t.Logf("%d pages reachable from the menu checked", len(pages))
	for _, path := range []string{"/dashboards/volume/authorities/" + otherCVR, "/authorities/" + otherCVR, "/?authority=" + otherCVR} {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(p.base+path))
		if err != nil {
			t.Fatal(err)
		}
		if body := text(t, ctx, "body"); resp.Status != 404 || strings.Contains(body, other.Authority) {
			t.Errorf("%s: %d, want 404 without the other authority's name: %s", path, resp.Status, body)
		}
	}
	for _, path := range []string{"/api/v1/metrics/volume?authority=" + otherCVR, "/api/v1/metrics/volume/authorities/" + otherCVR} {
		if st, body := fetchStatus(t, ctx, path); st != 404 || strings.Contains(body, other.Authority) {
			t.Errorf("%s: %d %s, want 404", path, st, body)
		}
	}
}

// withoutRecipients is the page at path (fetched with the session of ctx)
// without the list of the companies the user's authority reached: those
// are participants, and the demo's municipality, region and state
// institution are authorities and participants at once (Fredericia
// Kommune receives the tax agency's messages), so the tax agency's
// drill-down rightly names Fredericia Kommune as a recipient. Everything
// else on the page is checked.
func withoutRecipients(t *testing.T, ctx context.Context, path string) string {
	t.Helper()
	st, body := fetchIn(t, ctx, path, `((type, body) => {
		if (type.startsWith("text/html")) {
			const doc = new DOMParser().parseFromString(body, "text/html");
			doc.querySelectorAll(".volume-companies").forEach(e => e.remove());
			return doc.documentElement.outerHTML;
		}
		if (type.includes("json")) {
			const v = JSON.parse(body);
			if (v && !Array.isArray(v)) delete v.companies;
			return JSON.stringify(v);
		}
		return body;
	})`)
	if st != 200 {
		t.Fatalf("GET %s: %d %.300s", path, st, body)
	}
	return body
}

// checkWeeklyWorkbook follows the overview's download button of week wk
// (GET /api/v1/reports/weekly?week=W) with the session of the browser ctx
// and opens the workbook with excelize and with LibreOffice.
func checkWeeklyWorkbook(t *testing.T, ctx context.Context, base, wk string) {
	t.Helper()
	const button = `.overview-workbook a[href^="/api/v1/reports/weekly"]`
	browsertest.Open(t, ctx, base+"/?week="+url.QueryEscape(wk), button)
	href := eval[string](t, ctx, `document.querySelector(`+"`"+button+"`"+`).getAttribute("href")`)
	if want := "/api/v1/reports/weekly?week=" + wk; href != want {
		t.Fatalf("the overview's workbook button links to %q, want %q", href, want)
	}
	status, body := fetchBytes(t, ctx, href)
	if status != 200 {
		t.Fatalf("weekly workbook: %d %.300s", status, body)
	}
	openWorkbook(t, body, "weekly-"+wk+".xlsx")
}

// openWorkbook opens a downloaded workbook with excelize and with
// LibreOffice (reports/officetest): every sheet has rows in both.
func openWorkbook(t *testing.T, b []byte, name string) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s does not open with excelize: %v", name, err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		t.Fatalf("%s has no sheet", name)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	shown := officetest.Sheets(t, path)
	for _, s := range sheets {
		rows, err := f.GetRows(s)
		if err != nil || len(rows) == 0 || len(shown[s]) == 0 {
			t.Errorf("%s: sheet %q has %d rows in excelize (%v), %d in LibreOffice", name, s, len(rows), err, len(shown[s]))
		}
	}
}

// Helpers for the steps: browser actions that fail the test.

func do(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		t.Fatalf("at %s: %v", loc, err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// linksJS is a JavaScript function of (document, selector) giving the
// same-site addresses (path and query) of the links under the selector.
const linksJS = `((doc, sel) => Array.from(new Set(Array.from(doc.querySelectorAll(sel))
	.map(a => new URL(a.getAttribute("href"), location.href)).filter(u => u.origin === location.origin).map(u => u.pathname + u.search))))`

// links are the addresses of the shown page's links under sel.
func links(t *testing.T, ctx context.Context, sel string) []string {
	t.Helper()
	js, _ := json.Marshal(sel)
	return eval[[]string](t, ctx, linksJS+`(document, `+string(js)+`)`)
}

// linksOf are the addresses of the links under sel on the page at path,
// fetched with the session of ctx.
func linksOf(t *testing.T, ctx context.Context, path, sel string) []string {
	t.Helper()
	body := fetchText(t, ctx, path)
	b, _ := json.Marshal(body)
	js, _ := json.Marshal(sel)
	return eval[[]string](t, ctx, linksJS+`(new DOMParser().parseFromString(`+string(b)+`, "text/html"), `+string(js)+`)`)
}

// fetchStatus fetches path in the page, with its session.
func fetchStatus(t *testing.T, ctx context.Context, path string) (int, string) {
	t.Helper()
	return fetchIn(t, ctx, path, `((type, body) => body)`)
}

// fetchIn fetches path in the page, with its session, and returns the
// status and the body as the JavaScript function of (content type, body)
// keep turns it.
func fetchIn(t *testing.T, ctx context.Context, path, keep string) (int, string) {
	t.Helper()
	js, _ := json.Marshal(path)
	r := eval[struct {
		Status int
		Body   string
	}](t, ctx, `fetch(`+string(js)+`).then(async r => ({status: r.status, body: (`+keep+`)(r.headers.get("Content-Type") || "", await r.text())}))`)
	return r.Status, r.Body
}

func fetchText(t *testing.T, ctx context.Context, path string) string {
	t.Helper()
	st, body := fetchStatus(t, ctx, path)
	if st != 200 {
		t.Fatalf("GET %s: %d %.300s", path, st, body)
	}
	return body
}

func fetchJSON(t *testing.T, ctx context.Context, path string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(fetchText(t, ctx, path)), v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// fetchBytes fetches path in the page, with its session, as bytes.
func fetchBytes(t *testing.T, ctx context.Context, path string) (int, []byte) {
	t.Helper()
	js, _ := json.Marshal(path)
	r := eval[struct {
		Status int
		Data   string // base64
	}](t, ctx, `fetch(`+string(js)+`).then(async r => {
		const blob = await r.blob();
		const url = await new Promise((ok, fail) => { const f = new FileReader(); f.onload = () => ok(f.result); f.onerror = fail; f.readAsDataURL(blob); });
		return {status: r.status, data: url.slice(url.indexOf(",") + 1)};
	})`)
	b, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return r.Status, b
}

// focused is the id of the element that has the keyboard focus.
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.activeElement ? document.activeElement.id : ""`)
}

// keys types on the keyboard into whatever has the focus.
func keys(t *testing.T, ctx context.Context, ks ...string) {
	t.Helper()
	for _, k := range ks {
		if k != "" {
			do(t, ctx, chromedp.KeyEvent(k))
		}
	}
}
