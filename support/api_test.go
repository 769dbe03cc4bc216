package support_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

// validCVR makes a modulus-11-valid CVR from a 7-digit prefix.
func validCVR(t testing.TB, prefix string) string {
	t.Helper()
	c, ok := registry.CompleteCVR(prefix)
	if !ok {
		t.Fatalf("prefix %s has no check digit", prefix)
	}
	return c
}

// company adds a company to the registry.
func company(env *apptest.Env, cvr, name string) string {
	env.T.Helper()
	if _, err := env.App.DB.Exec(`INSERT INTO companies (cvr, name, kind, cohort, created_at, updated_at) VALUES (?, ?, 'company', 'pilot', ?, ?)`,
		cvr, name, time.Now().UTC(), time.Now().UTC()); err != nil {
		env.T.Fatal(err)
	}
	return cvr
}

func countCalls(env *apptest.Env) int {
	var n int
	env.App.DB.QueryRow(`SELECT count(*) FROM support_calls`).Scan(&n)
	return n
}

func callBody(cvr string) map[string]any {
	return map[string]any{"company_cvr": cvr, "caller_name": "Anna Hansen", "caller_role": "IT-ansvarlig",
		"received_at": "2026-11-10T09:15:00+01:00", "desk": "portal", "channel": "phone", "category": "mailbox_creation",
		"description": "Kan ikke oprette postkassen", "resolution": "not_resolved", "duration_minutes": 12,
		"follow_up_needed": true, "follow_up_by": "2026-11-12"}
}

func TestAPIRolesHistoryAndDelete(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	cvr := company(env, validCVR(t, "3141592"), "Firma <Test> A/S")
	authority := env.Authority(validCVR(t, "2718282"), "Styrelsen")
	supportUser := env.User(auth.RoleSupport, "")
	sup := env.SignIn(supportUser)
	admin := env.As(auth.RoleAdmin, "")
	manager := env.As(auth.RoleManager, "")
	auth1 := env.Bearer(env.TokenFor(env.User(auth.RoleAuthority, authority)))
	managerToken := env.Bearer(env.TokenFor(env.User(auth.RoleManager, "")))

	resp := sup.SendJSON("POST", "/api/v1/support/calls", callBody(cvr))
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %s", resp.StatusCode, resp.Body)
	}
	var call support.Call
	resp.JSON(t, &call)
	if call.Version != 1 || call.HandledBy != supportUser.Email || call.Week != "2026-W46" || call.CompanyName != "Firma <Test> A/S" {
		t.Fatalf("created: %+v", call)
	}
	path := fmt.Sprintf("/api/v1/support/calls/%d", call.ID)

	for _, sc := range []struct {
		name   string
		c      *apptest.Client
		method string
		path   string
		body   any
		status int
	}{
		{"manager lists", manager, "GET", "/api/v1/support/calls?week=2026-W46", nil, 200},
		{"manager reads", manager, "GET", path, nil, 200},
		{"manager reads history", manager, "GET", path + "/versions", nil, 200},
		{"manager reads figures", managerToken, "GET", "/api/v1/support/figures?week=2026-W46", nil, 200},
		{"manager cannot create", manager, "POST", "/api/v1/support/calls", callBody(cvr), 403},
		{"manager cannot change", manager, "PUT", path, callBody(cvr), 403},
		{"authority sees no calls", auth1, "GET", "/api/v1/support/calls", nil, 403},
		{"authority sees no call", auth1, "GET", path, nil, 403},
		{"authority sees no figures", auth1, "GET", "/api/v1/support/figures", nil, 403},
		{"support sees no figures", sup, "GET", "/api/v1/support/figures", nil, 403},
		{"support cannot delete", sup, "DELETE", path, map[string]any{"reason": "x"}, 403},
		{"support cannot list deleted", sup, "GET", "/api/v1/support/calls?deleted=include", nil, 400},
		{"bad week", sup, "GET", "/api/v1/support/calls?week=2026-W60", nil, 400},
		{"unknown filter value", sup, "GET", "/api/v1/support/calls?desk=helpdesk", nil, 400},
		{"no such call", sup, "GET", "/api/v1/support/calls/424242", nil, 404},
		{"figures: unknown kind", manager, "GET", "/api/v1/support/figures?kind=bank", nil, 400},
		{"figures: to before from", manager, "GET", "/api/v1/support/figures?from=2026-W47&to=2026-W46", nil, 400},
		{"figures: too many weeks", manager, "GET", "/api/v1/support/figures?from=2020-W01&to=2026-W46", nil, 400},
		{"figures: of companies", manager, "GET", "/api/v1/support/figures?kind=company&as_of=2026-11-20", nil, 200},
	} {
		var r apptest.Response
		if sc.method == "GET" {
			r = sc.c.Get(sc.path)
		} else {
			r = sc.c.SendJSON(sc.method, sc.path, sc.body)
		}
		if r.StatusCode != sc.status {
			t.Errorf("%s: %d, want %d: %.300s", sc.name, r.StatusCode, sc.status, r.Body)
		}
		if r.StatusCode >= 400 && !strings.Contains(r.Body, `"error"`) {
			t.Errorf("%s: error without {\"error\"}: %s", sc.name, r.Body)
		}
	}

	// A change is a new version; a change of an old version is refused.
	body := callBody(cvr)
	body["resolution"], body["version"] = "resolved", 1
	if r := sup.SendJSON("PUT", path, body); r.StatusCode != 200 || !strings.Contains(r.Body, `"version":2`) {
		t.Fatalf("update: %d %s", r.StatusCode, r.Body)
	}
	body["description"] = "overwrite from a stale page"
	if r := sup.SendJSON("PUT", path, body); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "siden du åbnede det") {
		t.Fatalf("stale update: %d %s", r.StatusCode, r.Body)
	}
	delete(body, "version")
	if r := sup.SendJSON("PUT", path, body); r.StatusCode != 400 || !strings.Contains(r.Body, `"field":"version","error":"skal udfyldes`) {
		t.Fatalf("update without version: %d %s", r.StatusCode, r.Body)
	}
	var vs []support.Version
	sup.Get(path+"/versions").JSON(t, &vs)
	if len(vs) != 2 || vs[1].Actor != supportUser.Email || strings.Join(vs[1].Changed, ",") != "resolution" || vs[0].Snapshot.Resolution != "not_resolved" {
		t.Fatalf("versions: %+v", vs)
	}

	// Soft delete: admins only, with a reason; then gone for everyone else and from the figures.
	if r := admin.SendJSON("DELETE", path, map[string]any{}); r.StatusCode != 400 || !strings.Contains(r.Body, `"field":"reason","error":"skal udfyldes"`) {
		t.Fatalf("delete without reason: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.SendJSON("DELETE", path, map[string]any{"reason": "test call"}); r.StatusCode != 200 || !strings.Contains(r.Body, `"reason":"test call"`) {
		t.Fatalf("delete: %d %s", r.StatusCode, r.Body)
	}
	if r := sup.Get(path); r.StatusCode != 404 {
		t.Errorf("support reads a deleted call: %d", r.StatusCode)
	}
	if r := manager.Get("/api/v1/support/calls"); r.Body != "[]" {
		t.Errorf("manager lists a deleted call: %s", r.Body)
	}
	if r := admin.Get("/api/v1/support/calls?deleted=only"); !strings.Contains(r.Body, "test call") {
		t.Errorf("admin does not see the deleted call: %s", r.Body)
	}
	var rep support.Report
	managerToken.Get("/api/v1/support/figures?from=2026-W46&to=2026-W46").JSON(t, &rep)
	if len(rep.Weeks) != 1 || rep.Weeks[0].Calls != 0 || rep.PilotCompanies != 1 {
		t.Errorf("figures count a deleted call: %+v", rep)
	}
	if r := admin.SendJSON("POST", path+"/restore", nil); r.StatusCode != 200 {
		t.Fatalf("restore: %d %s", r.StatusCode, r.Body)
	}
	managerToken.Get("/api/v1/support/figures?week=2026-W46").JSON(t, &rep)
	if rep.Weeks[0].Calls != 1 || rep.Weeks[0].CallingCompanies.Part != 1 || rep.Weeks[0].NotSolvedByDesk["portal"].Whole != 1 {
		t.Errorf("figures after restore: %+v", rep.Weeks[0])
	}
	sup.Get(path+"/versions").JSON(t, &vs)
	if len(vs) != 4 || vs[2].Action != "deleted" || vs[2].Reason != "test call" || vs[3].Action != "restored" {
		t.Errorf("history after delete and restore: %+v", vs)
	}
}

func TestAPIBadInputSavesNothing(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	cvr := company(env, validCVR(t, "1122334"), "Firma A/S")
	sup := env.As(auth.RoleSupport, "")
	for _, tc := range []struct {
		name   string
		change func(map[string]any)
		want   string
	}{
		{"unknown company", func(b map[string]any) { b["company_cvr"] = validCVR(t, "9988776") }, "ukendt virksomhed"},
		{"end before start", func(b map[string]any) { b["ended_at"] = "2026-11-10T09:00:00+01:00" }, `"field":"ended_at","error":"ligger før modtagelsen`},
		{"negative duration", func(b map[string]any) { b["duration_minutes"] = -3 }, `"field":"duration_minutes","error":"skal være 0 minutter eller mere`},
		{"unknown category", func(b map[string]any) { b["category"] = "printer" }, `"field":"category","error":"ukendt kategori \"printer\"`},
		{"1 MB description", func(b map[string]any) { b["description"] = strings.Repeat("å", 1<<20) }, `"field":"description","error":"må højst være 10000 tegn`},
		{"unknown field", func(b map[string]any) { b["is_admin"] = true }, "is_admin"},
		{"time without zone", func(b map[string]any) { b["received_at"] = "2026-11-10 09:15" }, "RFC 3339"},
		{"duration not a number", func(b map[string]any) { b["duration_minutes"] = "ten" }, `"field":"duration_minutes","error":"skal være et tal`},
	} {
		b := callBody(cvr)
		tc.change(b)
		r := sup.SendJSON("POST", "/api/v1/support/calls", b)
		if r.StatusCode != 400 || !strings.Contains(r.Body, tc.want) {
			t.Errorf("%s: %d %.300s, want 400 with %q", tc.name, r.StatusCode, r.Body, tc.want)
		}
	}
	if n := countCalls(env); n != 0 {
		t.Fatalf("%d calls saved from bad input", n)
	}
}

var idInPath = regexp.MustCompile(`/support/calls/(\d+)\?saved=1`)

func TestFormKeepsWhatWasTypedAndShowsHistory(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	cvr := company(env, validCVR(t, "5566778"), "Ærø Rederi A/S")
	sup := env.As(auth.RoleSupport, "")
	if p := sup.Get("/support/calls/new?company=" + cvr); !strings.Contains(p.Body, `value="Ærø Rederi A/S — `+cvr+`"`) {
		t.Errorf("the form does not start with the company asked for")
	}
	page := sup.Get("/support/calls/new")
	if page.StatusCode != 200 || !strings.Contains(page.Body, `<option value="Ærø Rederi A/S — `+cvr+`">`) || !strings.Contains(page.Body, "autofocus") {
		t.Fatalf("new-call form: %d %.2000s", page.StatusCode, page.Body)
	}
	form := url.Values{"company": {"Bornholm Fragt"}, "caller_name": {"Kirsten <Ø>"}, "desk": {"portal"}, "channel": {"phone"},
		"category": {"printer"}, "description": {"Notifikationer kommer ikke frem"}, "resolution": {"resolved"},
		"duration_minutes": {"-4"}, "received_at": {"2026-11-10T09:15"}, "ended_at": {"2026-11-10T09:00"}}
	r := sup.PostForm("/support/calls", form)
	if r.StatusCode != 400 {
		t.Fatalf("bad form: %d", r.StatusCode)
	}
	for _, want := range []string{
		`value="Bornholm Fragt"`, `value="Kirsten &lt;Ø&gt;"`, ">Notifikationer kommer ikke frem</textarea>", `value="-4"`, `value="2026-11-10T09:00"`,
		"ukendt virksomhed", "skal være 0 minutter eller mere", "ligger før modtagelsen", "ukendt kategori",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the failed form lacks %q", want)
		}
	}
	if countCalls(env) != 0 {
		t.Fatal("a call was saved from a bad form")
	}

	form.Set("company", "Ærø Rederi A/S — "+cvr)
	form.Set("category", "notifications")
	form.Set("duration_minutes", "")
	form.Set("ended_at", "2026-11-10T09:37")
	r = sup.PostForm("/support/calls", form)
	m := idInPath.FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("good form: %d %s %.500s", r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	callPage := "/support/calls/" + m[1]
	form.Set("resolution", "partly")
	form.Set("version", "1")
	form.Set("duration_minutes", "7")
	if r := sup.PostForm(callPage, form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d %.500s", r.StatusCode, r.Body)
	}
	// The same form again (version 1) is a conflict that keeps what was typed.
	form.Set("description", "typed on a stale page")
	if r := sup.PostForm(callPage, form); r.StatusCode != http.StatusConflict || !strings.Contains(r.Body, "typed on a stale page") || !strings.Contains(r.Body, "siden du åbnede det") {
		t.Fatalf("stale change: %d %.500s", r.StatusCode, r.Body)
	}
	p := sup.Get(callPage)
	for _, want := range []string{"<td>2</td><td>", "Udfald</strong>: Løst → Delvist løst", "Varighed (minutter)</strong>: 22 → 7", `value="2026-11-10T09:15"`, "Kirsten &lt;Ø&gt;"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("call page lacks %q", want)
		}
	}
	list := sup.Get("/support/calls?company=" + url.QueryEscape(cvr))
	if !strings.Contains(list.Body, "Notifikationer kommer ikke frem") || !strings.Contains(list.Body, `href="/companies/`+cvr+`"`) {
		t.Errorf("company's call list: %.1500s", list.Body)
	}
	if r := sup.Get("/support/calls?company=Nobody"); r.StatusCode != 400 || !strings.Contains(r.Body, "ukendt virksomhed") {
		t.Errorf("unknown company filter: %d", r.StatusCode)
	}
	manager := env.As(auth.RoleManager, "")
	if r := manager.Get(callPage); r.StatusCode != 200 || !strings.Contains(r.Body, "<fieldset disabled") {
		t.Errorf("manager's call page is not read-only: %d", r.StatusCode)
	}
	if r := manager.Get("/support/figures?from=2026-W45&to=2026-W47"); r.StatusCode != 200 || !strings.Contains(r.Body, "2026-W46") {
		t.Errorf("figures page: %d %.500s", r.StatusCode, r.Body)
	}
}

func TestImport(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	a := company(env, validCVR(t, "4433221"), "Alfa A/S")
	company(env, validCVR(t, "4433222"), "Beta ApS")
	sup := env.As(auth.RoleSupport, "")

	bad := "company;caller_name;received_at;desk;channel;category;description;resolution;duration_minutes\n" +
		a + ";Anna;2026-11-10 09:15;portal;phone;mailbox_creation;ok;resolved;5\n" +
		"Gamma A/S;Bo;2026-11-10 10:00;portal;phone;other;ok;resolved;5\n" +
		a + ";Carl;2026-11-10 11:00;helpdesk;phone;other;ok;resolved;-1\n" +
		"\n" +
		a + ";Dina;10/11 kl 12;portal;phone;printer;ok;resolved;x\n"
	r := sup.Upload("/api/v1/support/calls/import", "calls.csv", []byte(bad))
	if r.StatusCode != 400 {
		t.Fatalf("bad file: %d %s", r.StatusCode, r.Body)
	}
	for _, want := range []string{
		`calls.csv, række 3, kolonne company: ukendt virksomhed \"Gamma A/S\"`,
		"række 4, kolonne desk: ukendt support",
		"række 4, kolonne duration_minutes: skal være 0 minutter eller mere",
		"række 6, kolonne received_at: skal være dato og klokkeslæt",
		"række 6, kolonne category: ukendt kategori",
		"række 6, kolonne duration_minutes: skal være et helt antal minutter",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("import errors lack %q: %s", want, r.Body)
		}
	}
	if n := countCalls(env); n != 0 {
		t.Fatalf("half an import: %d calls", n)
	}

	good := "Company,Caller Name,Received At,Desk,Channel,Category,Description,Resolution,Follow-up by\n" +
		a + ",Anna,2026-11-10 09:15,Portalens support,Telefon,Oprettelse af postkasse,\"Kunne ikke, men nu\",Løst,\n" +
		"Beta ApS,Bo,2026-11-16 00:30,mailbox operator,e-mail,Deleted mail,Slettet post,not resolved,2026-11-20\n"
	r = sup.Upload("/api/v1/support/calls/import", "calls.csv", []byte(good))
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":2`) {
		t.Fatalf("good file: %d %s", r.StatusCode, r.Body)
	}
	r = sup.Upload("/api/v1/support/calls/import", "calls.csv", []byte(good))
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":0,"skipped":2`) {
		t.Fatalf("the same file again: %d %s", r.StatusCode, r.Body)
	}
	var calls []support.Call
	sup.Get("/api/v1/support/calls?week=2026-W47").JSON(t, &calls)
	if len(calls) != 1 || calls[0].CallerName != "Bo" || calls[0].Desk != "mailbox_operator" || calls[0].Channel != "email" ||
		calls[0].Category != "deleted_mail" || !calls[0].FollowUpNeeded || calls[0].FollowUpBy != "2026-11-20" {
		t.Fatalf("imported call: %+v", calls)
	}

	// XLSX with a real date cell.
	f := excelize.NewFile()
	sh := f.GetSheetName(0)
	for i, v := range []any{"company", "caller_name", "received_at", "desk", "channel", "category", "description", "resolution", "duration_minutes"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		f.SetCellValue(sh, cell, v)
	}
	for i, v := range []any{a, "Eva", time.Date(2026, 11, 11, 14, 30, 0, 0, time.UTC), "portal", "chat", "notifications", "=HYPERLINK(\"x\")", "partly", 9} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 2)
		f.SetCellValue(sh, cell, v)
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 22})
	f.SetCellStyle(sh, "C2", "C2", style)
	var buf bytes.Buffer
	f.WriteTo(&buf)
	r = sup.Upload("/api/v1/support/calls/import", "calls.xlsx", buf.Bytes())
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":1`) {
		t.Fatalf("xlsx: %d %s", r.StatusCode, r.Body)
	}
	sup.Get("/api/v1/support/calls?search=hyperlink").JSON(t, &calls)
	if len(calls) != 1 || calls[0].ReceivedAt.In(week.Copenhagen).Format("2006-01-02 15:04") != "2026-11-11 14:30" || *calls[0].DurationMinutes != 9 {
		t.Fatalf("xlsx call: %+v", calls)
	}

	// The page form shows row errors too.
	r = sup.Upload("/support/calls/import", "calls.csv", []byte(bad))
	if r.StatusCode != 400 || !strings.Contains(r.Body, "række 3, kolonne company") {
		t.Errorf("import page: %d", r.StatusCode)
	}
}

func TestListPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	cvr := company(env, validCVR(t, "6655443"), "Mange Opkald A/S")
	st := support.NewStore(env.App.DB)
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	for i := range 105 {
		at := start.Add(time.Duration(i) * time.Hour)
		if _, err := st.Create(t.Context(), support.Input{CompanyCVR: cvr, CallerName: "Anna", ReceivedAt: &at, Desk: "portal",
			Channel: "phone", Category: "other", Description: fmt.Sprintf("opkald nummer %d", i), Resolution: "resolved"}, "test"); err != nil {
			t.Fatal(err)
		}
	}
	sup := env.As(auth.RoleSupport, "")
	rows := func(body string) int { return strings.Count(body, `<td><a href="/support/calls/`) }
	p1 := sup.Get("/support/calls?category=other")
	if n := rows(p1.Body); n != 100 || !strings.Contains(p1.Body, `href="/support/calls?category=other&amp;offset=100"`) || strings.Contains(p1.Body, `rel="prev"`) {
		t.Fatalf("page 1: %d rows", n)
	}
	p2 := sup.Get("/support/calls?category=other&offset=100")
	if n := rows(p2.Body); n != 5 || strings.Contains(p2.Body, `rel="next"`) || !strings.Contains(p2.Body, "opkald nummer 0") ||
		!strings.Contains(p2.Body, `href="/support/calls?category=other&amp;offset=0"`) {
		t.Fatalf("page 2: %d rows", n)
	}
}
