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
		{"health is public", "", "GET", "/healthz", nil, 200, `"ok"`, ""},
		{"openapi is public", "", "GET", "/api/v1/openapi.json", nil, 200, `/api/v1/companies/{cvr}`, ""},
		{"anonymous API call", "", "GET", "/api/v1/companies", nil, 401, `"error"`, ""},
		{"anonymous page redirects to sign-in", "", "GET", "/companies", nil, 303, "", ""},
		{"admin creates a company", auth.RoleAdmin, "POST", "/api/v1/companies", company, 201, `"Firma \u003cb\u003e\u0026\u003c/b\u003e"`, ""},
		{"duplicate company is a conflict", auth.RoleAdmin, "POST", "/api/v1/companies", company, 409, "findes allerede", ""},
		{"support lists companies", auth.RoleSupport, "GET", "/api/v1/companies", nil, 200, company["cvr"].(string), ""},
		{"support cannot create", auth.RoleSupport, "POST", "/api/v1/companies", company, 403, "", ""},
		{"manager reads", auth.RoleManager, "GET", "/api/v1/companies/" + company["cvr"].(string), nil, 200, "kim@firma.dk", ""},
		{"manager cannot write", auth.RoleManager, "PUT", "/api/v1/companies/" + company["cvr"].(string), company, 403, "", ""},
		{"authority sees no companies", auth.RoleAuthority, "GET", "/api/v1/companies", nil, 403, "", ""},
		{"authority lists only its own authority", auth.RoleAuthority, "GET", "/api/v1/authorities", nil, 200, a, b},
		{"authority reads its own", auth.RoleAuthority, "GET", "/api/v1/authorities/" + a, nil, 200, "Styrelsen A", ""},
		{"authority cannot read another", auth.RoleAuthority, "GET", "/api/v1/authorities/" + b, nil, 404, "", "Kommune B"},
		{"authority cannot search into another", auth.RoleAuthority, "GET", "/api/v1/authorities?search=Kommune", nil, 200, "[]", "Kommune B"},
		{"authority page shows only its own", auth.RoleAuthority, "GET", "/authorities", nil, 200, "Styrelsen A", "Kommune B"},
		{"manager sees every authority", auth.RoleManager, "GET", "/api/v1/authorities", nil, 200, "Kommune B", ""},
		{"support has no authority registry", auth.RoleSupport, "GET", "/api/v1/authorities", nil, 403, "", ""},
		{"source token may not read", auth.RoleSource, "GET", "/api/v1/companies", nil, 403, "", ""},
		{"source token may not read authorities", auth.RoleSource, "GET", "/api/v1/authorities", nil, 403, "", ""},
		{"admin audit log", auth.RoleAdmin, "GET", "/api/v1/audit", nil, 200, "record_created", ""},
		{"manager has no audit log", auth.RoleManager, "GET", "/api/v1/audit", nil, 403, "", ""},
		{"bad CVR names the field", auth.RoleAdmin, "POST", "/api/v1/authorities", map[string]any{"cvr": "12345678", "name": "X", "kind": "state"}, 400, `"field":"cvr","error":"fejler modulus 11-kontrollen"`, ""},
		{"unknown JSON field is refused", auth.RoleAdmin, "POST", "/api/v1/authorities", map[string]any{"cvr": a, "name": "X", "kind": "state", "is_admin": true}, 400, "is_admin", ""},
		{"unknown route is 404 JSON", auth.RoleAdmin, "GET", "/api/v1/nope", nil, 404, `"error"`, ""},
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
