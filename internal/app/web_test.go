package app_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

func auditActions(t *testing.T, env *apptest.Env, action string) []audit.Entry {
	t.Helper()
	es, err := env.App.Audit.List(context.Background(), audit.Filter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestSignInRenewsSessionAndSignOutEndsIt(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	u := env.User(auth.RoleManager, "")
	c := env.Anonymous()
	c.Get("/login")
	// A session cookie planted before sign-in (session fixation) is not kept.
	c.Header.Set("Cookie", "pp_session=attacker-chosen")
	resp := c.PostForm("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}, "next": {"/companies"}})
	c.Header.Del("Cookie")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/companies" {
		t.Fatalf("sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	var cookie string
	for _, v := range resp.Header.Values("Set-Cookie") {
		if strings.HasPrefix(v, "pp_session=") {
			cookie = v
		}
	}
	if cookie == "" || strings.Contains(cookie, "attacker-chosen") {
		t.Fatalf("no fresh session cookie: %q", cookie)
	}
	for _, attr := range []string{"HttpOnly", "SameSite=Lax"} {
		if !strings.Contains(strings.ToLower(cookie), strings.ToLower(attr)) {
			t.Errorf("session cookie lacks %s: %s", attr, cookie)
		}
	}
	if r := c.Get("/companies"); r.StatusCode != 200 {
		t.Fatalf("signed-in page: %d", r.StatusCode)
	}
	// An open redirect through next is refused.
	c2 := env.Anonymous()
	c2.Get("/login")
	r2 := c2.PostForm("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}, "next": {"//evil.example/x"}})
	if loc := r2.Header.Get("Location"); loc != "/" {
		t.Errorf("next=//evil.example redirected to %q", loc)
	}
	page := c.Get("/")
	c.CSRF = csrfOf(t, page.Body)
	if r := c.PostForm("/logout", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-out: %d", r.StatusCode)
	}
	if r := c.Get("/api/v1/companies"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after sign-out: %d, want 401", r.StatusCode)
	}
	if len(auditActions(t, env, audit.SignIn)) != 2 || len(auditActions(t, env, audit.SignOut)) != 1 {
		t.Error("sign-in/out not audited")
	}
}

func csrfOf(t *testing.T, body string) string {
	t.Helper()
	const marker = `name="_csrf" value="`
	i := strings.Index(body, marker)
	if i < 0 {
		t.Fatal("no CSRF field on the page")
	}
	rest := body[i+len(marker):]
	return rest[:strings.Index(rest, `"`)]
}

func TestCSRFRejectsFormsWithoutTheToken(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.As(auth.RoleAdmin, "")
	form := url.Values{"cvr": {validCVR(t, "2222222")}, "name": {"Stat X"}, "kind": {"state"}}
	noToken := url.Values{"_csrf": {""}}
	for k, v := range form {
		noToken[k] = v
	}
	if r := admin.PostForm("/authorities", noToken); r.StatusCode != http.StatusForbidden || !strings.Contains(r.Body, "CSRF") {
		t.Fatalf("form without token: %d, want 403 naming CSRF", r.StatusCode)
	}
	first := "x"
	if strings.HasPrefix(admin.CSRF, first) { // else the "wrong" token would be the right one
		first = "y"
	}
	wrong := url.Values{"_csrf": {first + admin.CSRF[1:]}}
	for k, v := range form {
		wrong[k] = v
	}
	if r := admin.PostForm("/authorities", wrong); r.StatusCode != http.StatusForbidden {
		t.Fatalf("form with a wrong token: %d, want 403", r.StatusCode)
	}
	// Anonymous sign-in form too (login CSRF): without the double-submit cookie's token.
	anon := env.Anonymous()
	if r := anon.PostForm("/login", url.Values{"email": {"x@y.dk"}, "password": {"whatever-long"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("sign-in without a CSRF token: %d, want 403", r.StatusCode)
	}
	var n int
	env.App.DB.QueryRow(`SELECT count(*) FROM authorities`).Scan(&n)
	if n != 0 {
		t.Fatal("a refused form stored something")
	}
	if r := admin.PostForm("/authorities", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("form with the token: %d, want 303: %.300s", r.StatusCode, r.Body)
	}
	// A bearer token needs no CSRF token.
	tok := env.Bearer(env.TokenFor(env.User(auth.RoleAdmin, "")))
	if r := tok.SendJSON("POST", "/api/v1/authorities", map[string]any{"cvr": validCVR(t, "2222223"), "name": "Stat Y", "kind": "state"}); r.StatusCode != http.StatusCreated {
		t.Fatalf("bearer POST: %d %s", r.StatusCode, r.Body)
	}
}

func TestSignInThrottleEngages(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	u := env.User(auth.RoleSupport, "")
	c := env.Anonymous()
	c.Get("/login")
	for i := 0; i < 5; i++ {
		if r := c.PostForm("/login", url.Values{"email": {u.Email}, "password": {"wrong password " + string(rune('a'+i))}}); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i, r.StatusCode)
		}
	}
	r := c.PostForm("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}})
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: %d (Retry-After %q), want 429 with Retry-After", r.StatusCode, r.Header.Get("Retry-After"))
	}
	if len(auditActions(t, env, audit.SignInFailed)) != 5 || len(auditActions(t, env, audit.SignInBlocked)) != 1 {
		t.Error("failures and the throttled attempt are not all audited")
	}
	for _, e := range auditActions(t, env, "") {
		if strings.Contains(e.Detail+e.Target+e.Actor, "wrong password") {
			t.Fatal("a password reached the audit log")
		}
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	r := env.Anonymous().Get("/login")
	csp := r.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "default-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP allows unsafe-inline: %q", csp)
	}
	if r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Header.Get("X-Frame-Options") != "DENY" {
		t.Error("nosniff / frame options missing")
	}
	if q := env.Anonymous().Get("/q/anything"); q.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("questionnaire links: Referrer-Policy %q, want no-referrer", q.Header.Get("Referrer-Policy"))
	}
	if css := env.Anonymous().Get("/static/app.css"); css.StatusCode != 200 || !strings.Contains(css.Header.Get("Content-Type"), "css") {
		t.Errorf("embedded stylesheet: %d %s", css.StatusCode, css.Header.Get("Content-Type"))
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no request id header")
	}
}

func TestUserTextIsEscapedInPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.As(auth.RoleAdmin, "")
	evil := `<script>alert(1)</script>`
	cvr := validCVR(t, "4444444")
	r := admin.PostForm("/companies", url.Values{"cvr": {cvr}, "name": {evil}, "kind": {"company"}, "contact_rows": {"1"},
		"contact_name_0": {`"><img src=x onerror=alert(2)>`}, "contact_email_0": {"a@b.dk"}})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.300s", r.StatusCode, r.Body)
	}
	for _, path := range []string{"/companies", "/companies/" + cvr} {
		body := admin.Get(path).Body
		if strings.Contains(body, evil) || strings.Contains(body, "<img src=x") {
			t.Fatalf("%s shows user text unescaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;") {
			t.Fatalf("%s lacks the escaped name", path)
		}
	}
}

func TestRegistryImportIsAllOrNothingAndReimportUpdates(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.As(auth.RoleAdmin, "")
	a, b := validCVR(t, "5555555"), validCVR(t, "5555556")
	good := "cvr,name,kind,cohort,contact_name,contact_email\n" +
		a + ",Alfa A/S,company,pilot,Ann,ann@alfa.dk\n" +
		a + ",Alfa A/S,company,pilot,Bo,bo@alfa.dk\n" +
		b + ",Beta ApS,company,pilot,Cy,cy@beta.dk\n"
	bad := good + "12345678,Bad CVR,company,pilot,,\n"
	r := admin.Upload("/api/v1/companies/import", "firms.csv", []byte(bad))
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "firms.csv, række 5, kolonne cvr: fejler modulus 11-kontrollen") {
		t.Fatalf("bad file: %d %s", r.StatusCode, r.Body)
	}
	var n int
	env.App.DB.QueryRow(`SELECT count(*) FROM companies`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d companies stored from a rejected file", n)
	}
	r = admin.Upload("/api/v1/companies/import", "firms.csv", []byte(good))
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"created":2`) {
		t.Fatalf("good file: %d %s", r.StatusCode, r.Body)
	}
	r = admin.Upload("/api/v1/companies/import", "firms.csv", []byte(good))
	if !strings.Contains(r.Body, `"created":0,"updated":0,"unchanged":2`) {
		t.Fatalf("same file again: %s", r.Body)
	}
	changed := strings.Replace(good, "Beta ApS", "Beta Danmark ApS", 1)
	changed = strings.Replace(changed, a+",Alfa A/S,company,pilot,Bo,bo@alfa.dk\n", "", 1)
	r = admin.Upload("/companies/import", "firms.csv", []byte(changed)) // the UI upload
	if r.StatusCode != 200 || !strings.Contains(r.Body, "Beta Danmark ApS") {
		t.Fatalf("UI re-import: %d", r.StatusCode)
	}
	env.App.DB.QueryRow(`SELECT count(*) FROM companies`).Scan(&n)
	if n != 2 {
		t.Fatalf("%d companies after re-imports, want 2", n)
	}
	co, err := env.App.Registry.Company(context.Background(), a)
	if err != nil || len(co.Contacts) != 1 || co.Contacts[0].Email != "ann@alfa.dk" {
		t.Fatalf("contacts after re-import without Bo: %+v (%v)", co.Contacts, err)
	}
	var removed int
	env.App.DB.QueryRow(`SELECT count(*) FROM contacts WHERE email = 'bo@alfa.dk' AND removed_at IS NOT NULL`).Scan(&removed)
	if removed != 1 {
		t.Fatal("a dropped contact must be kept and marked removed")
	}
	if len(auditActions(t, env, audit.Import)) != 3 {
		t.Errorf("imports audited: %d, want 3", len(auditActions(t, env, audit.Import)))
	}
}

func TestAuditOfUsersAndTokens(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	admin := env.As(auth.RoleAdmin, "")
	r := admin.PostForm("/admin/users", url.Values{"email": {"new@x.dk"}, "role": {"support"}, "language": {"en"}})
	if r.StatusCode != 200 || !strings.Contains(r.Body, `class="secret"`) {
		t.Fatalf("create user: %d", r.StatusCode)
	}
	r = admin.PostForm("/admin/tokens", url.Values{"kind": {"source"}, "owner": {"upstream-1"}, "name": {"feed"}})
	if r.StatusCode != 200 || !strings.Contains(r.Body, `id="new-token">pp_`) {
		t.Fatalf("create token: %d", r.StatusCode)
	}
	toks, _ := env.App.Auth.Tokens(context.Background())
	if r := admin.PostForm("/admin/tokens/"+itoa(toks[0].ID)+"/revoke", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.StatusCode)
	}
	for _, action := range []string{audit.UserCreated, audit.TokenCreated, audit.TokenRevoked, audit.SignIn} {
		if len(auditActions(t, env, action)) == 0 {
			t.Errorf("no audit entry for %s", action)
		}
	}
	for _, e := range auditActions(t, env, audit.TokenCreated) {
		if strings.Contains(e.Detail, toks[0].Prefix+"…") == false {
			t.Errorf("token audit should name the token's prefix only: %q", e.Detail)
		}
	}
	page := admin.Get("/admin/audit")
	if page.StatusCode != 200 || !strings.Contains(page.Body, "token_revoked") {
		t.Fatalf("audit page: %d", page.StatusCode)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestFirstStartCreatesOneAdmin(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	var out bytes.Buffer
	if err := env.App.EnsureAdmin(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "admin@pilotpulse.local / ") {
		t.Fatalf("first start printed %q", out.String())
	}
	pwLine := strings.TrimSpace(out.String()[strings.Index(out.String(), "admin@pilotpulse.local / ")+len("admin@pilotpulse.local / "):])
	pw := strings.Fields(pwLine)[0]
	if _, err := env.App.Auth.Authenticate(context.Background(), "admin@pilotpulse.local", pw); err != nil {
		t.Fatalf("printed password does not sign in: %v", err)
	}
	info, err := os.Stat(filepath.Join(env.Dir, app.InitialAdminFile))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("initial admin file: %v %v", info, err)
	}
	out.Reset()
	env.App.EnsureAdmin(context.Background(), &out)
	us, _ := env.App.Auth.Users(context.Background())
	if len(us) != 1 || !strings.Contains(out.String(), pw) {
		t.Fatalf("second start: %d users, printed %q", len(us), out.String())
	}
}

func TestLanguageChoice(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	c := env.As(auth.RoleManager, "")
	if !strings.Contains(c.Get("/companies").Body, `<html lang="da">`) {
		t.Fatal("Danish is not the default")
	}
	if r := c.PostForm("/lang", url.Values{"lang": {"en"}, "next": {"/companies"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch language: %d", r.StatusCode)
	}
	body := c.Get("/companies").Body
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Companies") {
		t.Fatal("English not shown after choosing it")
	}
}

func TestHealthReadinessAndMetrics(t *testing.T) {
	env := apptest.New(t)
	c := env.Anonymous()
	if r := c.Get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("healthz %d", r.StatusCode)
	}
	r := c.Get("/readyz")
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"clickhouse":"ok"`) || !strings.Contains(r.Body, `"sqlite":"ok"`) {
		t.Fatalf("readyz: %d %s", r.StatusCode, r.Body)
	}
	m := c.Get("/metrics")
	if m.StatusCode != 200 || !strings.Contains(m.Body, `pilotpulse_http_requests_total{method="GET",route="/readyz",status="OK"} 1`) {
		t.Fatalf("metrics lack the request counter: %.500s", m.Body)
	}
}

// Strings handed out by the request context outlive the request (metric
// labels keep them): many requests over a real keep-alive connection, where
// the server reuses its buffers, must leave /metrics well-formed and exact.
func TestMetricsStayWellFormedUnderManyRequests(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	base := env.Listen()
	client := &http.Client{}
	get := func(path string) (int, string) {
		resp, err := client.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for i := 0; i < 50; i++ {
		get("/healthz")
		get("/login?next=/companies")
		resp, err := client.Post(base+"/lang", "application/x-www-form-urlencoded", strings.NewReader("lang=xx"))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	code, body := get("/metrics")
	if code != 200 {
		t.Fatalf("/metrics: %d %.300s", code, body)
	}
	if !strings.Contains(body, `pilotpulse_http_requests_total{method="GET",route="/healthz",status="OK"} 50`) ||
		!strings.Contains(body, `pilotpulse_http_requests_total{method="POST",route="/lang",status="Forbidden"} 50`) {
		t.Fatalf("request counters wrong: %.3000s", body)
	}
}

func TestChangeOwnPassword(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	var out bytes.Buffer
	if err := env.App.EnsureAdmin(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	line := out.String()[strings.Index(out.String(), "admin@pilotpulse.local / ")+len("admin@pilotpulse.local / "):]
	firstPW := strings.Fields(line)[0]
	admin, _ := env.App.Auth.UserByEmail(context.Background(), "admin@pilotpulse.local")
	c := env.Anonymous()
	c.Get("/login")
	c.PostForm("/login", url.Values{"email": {admin.Email}, "password": {firstPW}})
	page := c.Get("/account/password")
	if page.StatusCode != 200 {
		t.Fatalf("password page: %d", page.StatusCode)
	}
	c.CSRF = csrfOf(t, page.Body)
	for _, bad := range []url.Values{
		{"current": {"not-the-password"}, "new": {"a-new-long-password"}, "confirm": {"a-new-long-password"}},
		{"current": {firstPW}, "new": {"short"}, "confirm": {"short"}},
		{"current": {firstPW}, "new": {"a-new-long-password"}, "confirm": {"a-new-long-passworx"}},
	} {
		if r := c.PostForm("/account/password", bad); r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, `class="field-error"`) {
			t.Fatalf("bad change %v: %d", bad, r.StatusCode)
		}
	}
	if _, err := env.App.Auth.Authenticate(context.Background(), admin.Email, firstPW); err != nil {
		t.Fatal("a refused change altered the password")
	}
	r := c.PostForm("/account/password", url.Values{"current": {firstPW}, "new": {"a-new-long-password"}, "confirm": {"a-new-long-password"}})
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login?changed=1" {
		t.Fatalf("change: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if r := c.Get("/api/v1/users"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the old session survived a password change: %d", r.StatusCode)
	}
	if _, err := env.App.Auth.Authenticate(context.Background(), admin.Email, "a-new-long-password"); err != nil {
		t.Fatal("new password does not sign in")
	}
	if _, err := os.Stat(filepath.Join(env.Dir, app.InitialAdminFile)); !os.IsNotExist(err) {
		t.Fatalf("the kept first-admin login survived the admin's own password: %v", err)
	}
	if len(auditActions(t, env, audit.PasswordChanged)) != 1 {
		t.Error("password change not audited")
	}
}

// A sign-in's next target goes into the Location header: one with a control
// character or backslash (browsers drop a tab and read "/\t/evil.example"
// as //evil.example), or that is not a plain local path, leads to "/".
func TestSignInNextRefusesOtherSites(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	u := env.User(auth.RoleManager, "")
	for _, next := range []string{"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "/\x00x", "/\x7f/evil.example",
		"/\\evil.example", "/a\\b", "//evil.example", "https://evil.example/", "evil.example", "/\u0085/evil.example", "/%zz"} {
		c := env.Anonymous()
		c.Get("/login")
		r := c.PostForm("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}, "next": {next}})
		if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != "/" {
			t.Errorf("sign-in with next=%q: %d to %q, want /", next, r.StatusCode, loc)
		}
		// Signed in, the sign-in page redirects to next at once.
		if loc := c.Get("/login?next=" + url.QueryEscape(next)).Header.Get("Location"); loc != "/" {
			t.Errorf("signed-in /login?next=%q redirected to %q, want /", next, loc)
		}
	}
	c := env.Anonymous()
	c.Get("/login")
	r := c.PostForm("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}, "next": {"/companies?page=2"}})
	if loc := r.Header.Get("Location"); loc != "/companies?page=2" {
		t.Errorf("a local next was not kept: %q", loc)
	}
}
