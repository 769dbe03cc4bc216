package app_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// validCVR makes a modulus-11-valid CVR from a 7-digit prefix.
func validCVR(t *testing.T, prefix string) string {
	t.Helper()
	c, ok := registry.CompleteCVR(prefix)
	if !ok {
		t.Fatalf("prefix %s has no check digit", prefix)
	}
	return c
}

var pathParam = regexp.MustCompile(`:[A-Za-z_]+`)

// TestEveryRouteDeniesRolesNotNamed sweeps the whole route table: for every
// route and every role, a role the route does not name gets 403, anonymous
// gets 401 (or a redirect to sign-in for pages), and a named role gets
// through the guard (any status but 401/403).
func TestEveryRouteDeniesRolesNotNamed(t *testing.T) {
	env := apptest.New(t)
	authority := env.Authority(validCVR(t, "1234567"), "Styrelsen A")
	clients := map[auth.Role]*apptest.Client{}
	for _, r := range auth.UserRoles {
		cvr := ""
		if r == auth.RoleAuthority {
			cvr = authority
		}
		clients[r] = env.As(r, cvr)
	}
	clients[auth.RoleSource] = env.Bearer(env.SourceToken("feed-a"))
	// Bearer clients for each user role too: a token acts with its user's role.
	tokens := map[auth.Role]*apptest.Client{}
	for _, r := range auth.UserRoles {
		cvr := ""
		if r == auth.RoleAuthority {
			cvr = authority
		}
		tokens[r] = env.Bearer(env.TokenFor(env.User(r, cvr)))
	}
	routes := env.Web.Router.Routes()
	if len(routes) < 20 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		path := pathParam.ReplaceAllString(rt.Path, "999999") // no such record: the sweep must not change the users and tokens it signs in with
		name := rt.Method + " " + rt.Path
		send := func(c *apptest.Client) apptest.Response {
			if rt.Method == http.MethodGet {
				return c.Get(path)
			}
			return c.SendJSON(rt.Method, path, map[string]any{})
		}
		anon := send(env.Anonymous())
		checkErrorShape(t, name+" (anonymous)", anon)
		if rt.Public {
			if anon.StatusCode == http.StatusUnauthorized || anon.StatusCode == http.StatusForbidden && rt.Method == http.MethodGet {
				t.Errorf("%s is public but anonymous got %d", name, anon.StatusCode)
			}
			continue
		}
		switch {
		case anon.StatusCode == http.StatusUnauthorized:
		case anon.StatusCode == http.StatusSeeOther && rt.Method == http.MethodGet && !strings.HasPrefix(rt.Path, "/api/"):
		case anon.StatusCode == http.StatusForbidden && rt.Method != http.MethodGet:
			// an unsafe request without credentials fails the CSRF check or the role check: denied either way
		default:
			t.Errorf("%s: anonymous got %d, want 401", name, anon.StatusCode)
		}
		if rt.Path == "/logout" {
			continue // signing out would end the sessions the sweep uses; see TestSignInAndOut
		}
		for _, role := range auth.AllRoles {
			for kind, c := range map[string]*apptest.Client{"session": clients[role], "token": tokens[role]} {
				if c == nil {
					continue
				}
				resp := send(c)
				checkErrorShape(t, name+" as "+string(role)+" ("+kind+")", resp)
				got := resp.StatusCode
				allowed := slices.Contains(rt.Roles, role)
				if !allowed && got != http.StatusForbidden {
					t.Errorf("%s as %s (%s): got %d, want 403", name, role, kind, got)
				}
				if allowed && (got == http.StatusUnauthorized || got == http.StatusForbidden) {
					t.Errorf("%s as %s (%s): got %d, want the route to answer", name, role, kind, got)
				}
			}
		}
	}
}

// checkErrorShape fails the test unless an API error answer has the one
// JSON shape: {"error": "…", "fields": [{"field": "…", "error": "…"}]},
// fields only when present, nothing else.
func checkErrorShape(t *testing.T, name string, r apptest.Response) {
	t.Helper()
	if r.StatusCode < 400 {
		return
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if strings.Contains(name, " /api/") {
			t.Errorf("%s: error %d is %q, not JSON: %.200s", name, r.StatusCode, r.Header.Get("Content-Type"), r.Body)
		}
		return
	}
	var body map[string]json.RawMessage
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil {
		t.Errorf("%s: error %d is not a JSON object: %.200s", name, r.StatusCode, r.Body)
		return
	}
	var msg string
	if err := json.Unmarshal(body["error"], &msg); err != nil || msg == "" {
		t.Errorf("%s: error %d has no \"error\" string: %.200s", name, r.StatusCode, r.Body)
	}
	for k, raw := range body {
		switch k {
		case "error":
		case "fields":
			var fields []map[string]any
			if err := json.Unmarshal(raw, &fields); err != nil || len(fields) == 0 {
				t.Errorf("%s: \"fields\" is not a list of fields: %s", name, raw)
			}
			for _, f := range fields {
				field, ok1 := f["field"].(string)
				text, ok2 := f["error"].(string)
				if !ok1 || !ok2 || field == "" || text == "" || len(f) != 2 {
					t.Errorf("%s: a field is not {field, error}: %v", name, f)
				}
			}
		default:
			t.Errorf("%s: error %d has an unexpected key %q: %.200s", name, r.StatusCode, k, r.Body)
		}
	}
}

// scenario is one request, by one role, with the status it must get.
type scenario struct {
	name   string
	role   auth.Role // "" = anonymous
	method string
	path   string
	body   any
	status int
	// contains must appear in the body; absent must not.
	contains, absent string
}

func TestRoleScenarios(t *testing.T) {
	env := apptest.New(t)
	a := env.Authority(validCVR(t, "1234567"), "Styrelsen A")
	b := env.Authority(validCVR(t, "7654321"), "Kommune B")
	clients := map[auth.Role]*apptest.Client{"": env.Anonymous()}
	for _, r := range []auth.Role{auth.RoleAdmin, auth.RoleSupport, auth.RoleManager} {
		clients[r] = env.As(r, "")
	}
	authorityToken := env.Bearer(env.TokenFor(env.User(auth.RoleAuthority, a)))
	clients[auth.RoleAuthority] = authorityToken
	clients[auth.RoleSource] = env.Bearer(env.SourceToken("feed"))
	company := map[string]any{"cvr": validCVR(t, "3333333"), "name": "Firma <b>&</b>", "kind": "company",
		"contacts": []map[string]any{{"name": "Kim", "email": "kim@firma.dk"}}}
	scenarios := []scenario{
		{name: "health is public", method: "GET", path: "/healthz", status: 200, contains: `"ok"`},
		{name: "openapi is public", method: "GET", path: "/api/v1/openapi.json", status: 200, contains: `/api/v1/companies/{cvr}`},
		{name: "anonymous API call", method: "GET", path: "/api/v1/companies", status: 401, contains: `"error"`},
		{name: "anonymous page redirects to sign-in", method: "GET", path: "/companies", status: 303},
		{name: "admin creates a company", role: auth.RoleAdmin, method: "POST", path: "/api/v1/companies", body: company, status: 201, contains: `"Firma \u003cb\u003e\u0026\u003c/b\u003e"`},
		{name: "duplicate company is a conflict", role: auth.RoleAdmin, method: "POST", path: "/api/v1/companies", body: company, status: 409, contains: "findes allerede"},
		{name: "support lists companies", role: auth.RoleSupport, method: "GET", path: "/api/v1/companies", status: 200, contains: company["cvr"].(string)},
		{name: "support cannot create", role: auth.RoleSupport, method: "POST", path: "/api/v1/companies", body: company, status: 403},
		{name: "manager reads", role: auth.RoleManager, method: "GET", path: "/api/v1/companies/" + company["cvr"].(string), status: 200, contains: "kim@firma.dk"},
		{name: "manager cannot write", role: auth.RoleManager, method: "PUT", path: "/api/v1/companies/" + company["cvr"].(string), body: company, status: 403},
		{name: "authority sees no companies", role: auth.RoleAuthority, method: "GET", path: "/api/v1/companies", status: 403},
		{name: "authority lists only its own authority", role: auth.RoleAuthority, method: "GET", path: "/api/v1/authorities", status: 200, contains: a, absent: b},
		{name: "authority reads its own", role: auth.RoleAuthority, method: "GET", path: "/api/v1/authorities/" + a, status: 200, contains: "Styrelsen A"},
		{name: "authority cannot read another", role: auth.RoleAuthority, method: "GET", path: "/api/v1/authorities/" + b, status: 404, absent: "Kommune B"},
		{name: "authority cannot search into another", role: auth.RoleAuthority, method: "GET", path: "/api/v1/authorities?search=Kommune", status: 200, contains: "[]", absent: "Kommune B"},
		{name: "authority page shows only its own", role: auth.RoleAuthority, method: "GET", path: "/authorities", status: 200, contains: "Styrelsen A", absent: "Kommune B"},
		{name: "manager sees every authority", role: auth.RoleManager, method: "GET", path: "/api/v1/authorities", status: 200, contains: "Kommune B"},
		{name: "support has no authority registry", role: auth.RoleSupport, method: "GET", path: "/api/v1/authorities", status: 403},
		{name: "source token may not read", role: auth.RoleSource, method: "GET", path: "/api/v1/companies", status: 403},
		{name: "source token may not read authorities", role: auth.RoleSource, method: "GET", path: "/api/v1/authorities", status: 403},
		{name: "admin audit log", role: auth.RoleAdmin, method: "GET", path: "/api/v1/audit", status: 200, contains: "record_created"},
		{name: "manager has no audit log", role: auth.RoleManager, method: "GET", path: "/api/v1/audit", status: 403},
		{name: "bad CVR names the field", role: auth.RoleAdmin, method: "POST", path: "/api/v1/authorities", body: map[string]any{"cvr": "12345678", "name": "X", "kind": "state"}, status: 400, contains: `"field":"cvr","error":"fejler modulus 11-kontrollen"`},
		{name: "unknown JSON field is refused", role: auth.RoleAdmin, method: "POST", path: "/api/v1/authorities", body: map[string]any{"cvr": a, "name": "X", "kind": "state", "is_admin": true}, status: 400, contains: "is_admin"},
		{name: "unknown route is 404 JSON", role: auth.RoleAdmin, method: "GET", path: "/api/v1/nope", status: 404, contains: `"error"`},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			c := clients[sc.role]
			var resp apptest.Response
			if sc.method == "GET" {
				resp = c.Get(sc.path)
			} else {
				resp = c.SendJSON(sc.method, sc.path, sc.body)
			}
			if resp.StatusCode != sc.status {
				t.Fatalf("status %d, want %d; body: %.300s", resp.StatusCode, sc.status, resp.Body)
			}
			if sc.contains != "" && !strings.Contains(resp.Body, sc.contains) {
				t.Errorf("body lacks %q: %.500s", sc.contains, resp.Body)
			}
			if sc.absent != "" && strings.Contains(resp.Body, sc.absent) {
				t.Errorf("body has %q but must not: %.500s", sc.absent, resp.Body)
			}
			if strings.HasPrefix(sc.path, "/api/") && resp.StatusCode >= 400 && !strings.Contains(resp.Body, `"error"`) {
				t.Errorf("API error without {\"error\"}: %s", resp.Body)
			}
			if strings.HasPrefix(sc.path, "/api/") {
				checkErrorShape(t, sc.method+" "+sc.path, resp)
			}
		})
	}
}

func TestOpenAPICoversEveryAPIRoute(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	env.Anonymous().Get("/api/v1/openapi.json").JSON(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	n := 0
	for _, rt := range env.Web.Router.Routes() {
		if !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		n++
		p := regexp.MustCompile(`:([A-Za-z_]+)`).ReplaceAllString(rt.Path, "{$1}")
		if _, ok := doc.Paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("OpenAPI lacks %s %s", rt.Method, p)
		}
	}
	if n == 0 {
		t.Fatal("no API routes")
	}
}

func TestTranslationsComplete(t *testing.T) {
	apptest.New(t, apptest.Options{NoClickHouse: true})
	if m := web.MissingTranslations(); len(m) > 0 {
		t.Fatalf("translations missing: %v", m)
	}
}
