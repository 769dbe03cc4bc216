package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// Route is one route and who may call it. A route names its roles or says
// it is Public; Add refuses anything else, so no route is open by accident.
type Route struct {
	Method  string
	Path    string
	Roles   []auth.Role
	Public  bool
	Summary string
	// Tag groups API routes in the OpenAPI document.
	Tag string
	// Body and Returns are example values of the JSON request and answer,
	// for the OpenAPI document (API routes only).
	Body    any
	Returns any
	// Query names the query parameters an API route reads.
	Query []string
	// Nav, on a GET page, puts it in the navigation under this
	// translation key, shown to the route's roles, in NavOrder.
	Nav      string
	NavOrder int
	// LargeBody lets the route take a body up to Deps.BodyLimit (file
	// uploads, the event push), read as a stream after the role check;
	// every other route takes at most Deps.FormLimit (bodylimit.go).
	LargeBody bool
	Handler   fiber.Handler
}

// Router registers routes with their role rules.
type Router struct {
	s      *Server
	routes []Route
}

func newRouter(s *Server) *Router { return &Router{s: s} }

// Add registers a route. It panics when the route names no role and is not
// Public: that is a programming error caught at start.
func (r *Router) Add(rt Route) {
	if !rt.Public && len(rt.Roles) == 0 {
		panic(fmt.Sprintf("route %s %s names no role: every route is denied unless a role is named", rt.Method, rt.Path))
	}
	if rt.Public && len(rt.Roles) > 0 {
		panic(fmt.Sprintf("route %s %s is both public and role-bound", rt.Method, rt.Path))
	}
	if rt.Public && rt.LargeBody {
		panic(fmt.Sprintf("route %s %s is public and takes large bodies: large bodies only after a role check", rt.Method, rt.Path))
	}
	r.routes = append(r.routes, rt)
	handlers := []fiber.Handler{r.guard(rt), rt.Handler}
	r.s.App.Add(rt.Method, rt.Path, handlers...)
}

// Routes lists every registered route, for the OpenAPI document and tests.
func (r *Router) Routes() []Route { return slices.Clone(r.routes) }

func (r *Router) guard(rt Route) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if !rt.LargeBody {
			if err := bufferBody(c, r.s.deps.FormLimit); err != nil {
				return err
			}
		}
		p := PrincipalOf(c)
		if !rt.Public {
			if p == nil {
				return Unauthorized("error.sign_in")
			}
			if !slices.Contains(rt.Roles, p.Role) {
				return Forbidden()
			}
		}
		if rt.LargeBody {
			if err := limitLargeBody(c, r.s.deps.BodyLimit); err != nil {
				return err
			}
		}
		if isUnsafe(c.Method()) && (p == nil || p.Via != "token") {
			if !r.s.csrfOK(c) {
				return answer(fiber.StatusForbidden, "error.csrf")
			}
		}
		return c.Next()
	}
}

func isUnsafe(method string) bool {
	switch method {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return false
	}
	return true
}

const (
	sessionCookie = "pp_session"
	csrfCookie    = "pp_csrf"
	langCookie    = "pp_lang"
	// CSRFField is the form field (and X-CSRF-Token the header) carrying the token.
	CSRFField = "_csrf"
)

// authenticate resolves the caller: a bearer token, else a session cookie,
// else anonymous. A bad bearer token is refused at once.
func (s *Server) authenticate(c *fiber.Ctx) error {
	if h := c.Get(fiber.HeaderAuthorization); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if !ok {
			return Unauthorized("error.bearer_form")
		}
		p, err := s.deps.Auth.PrincipalForToken(c.UserContext(), strings.TrimSpace(secret))
		if errors.Is(err, auth.ErrNotFound) {
			return Unauthorized("error.bad_token")
		}
		if err != nil {
			return fmt.Errorf("api token: %w", err)
		}
		c.Locals(principalKey, p)
		return c.Next()
	}
	if id := c.Cookies(sessionCookie); id != "" {
		sess, err := s.deps.Auth.Session(c.UserContext(), id)
		switch {
		case err == nil:
			c.Locals(principalKey, auth.PrincipalForSession(sess))
			c.Locals(csrfKey, sess.CSRFToken)
		case errors.Is(err, auth.ErrNotFound), errors.Is(err, auth.ErrSessionExpired):
			s.clearCookie(c, sessionCookie)
		default:
			return fmt.Errorf("session: %w", err)
		}
	}
	return c.Next()
}

type ctxKey int

const (
	principalKey ctxKey = iota
	csrfKey
)

// PrincipalOf is who the request acts as (nil: anonymous).
func PrincipalOf(c *fiber.Ctx) *auth.Principal {
	p, _ := c.Locals(principalKey).(*auth.Principal)
	return p
}

// ScopeOf is the authority scope of the request's principal: the value
// every figure query must be given.
func ScopeOf(c *fiber.Ctx) auth.Scope { return auth.ScopeFor(PrincipalOf(c)) }

// CSRFToken is the token forms must carry: the session's when signed in,
// else a double-submit cookie's (set here if missing).
func (s *Server) CSRFToken(c *fiber.Ctx) string {
	if t, ok := c.Locals(csrfKey).(string); ok {
		return t
	}
	t := c.Cookies(csrfCookie)
	if len(t) < 32 || len(t) > 64 {
		t = auth.RandomToken(24)
		c.Cookie(&fiber.Cookie{Name: csrfCookie, Value: t, Path: "/", HTTPOnly: true, SameSite: "Strict", Secure: s.deps.Config.SecureCookies})
	}
	c.Locals(csrfKey, t)
	return t
}

func (s *Server) csrfOK(c *fiber.Ctx) bool {
	want, signedIn := c.Locals(csrfKey).(string)
	if !signedIn {
		want = c.Cookies(csrfCookie)
		if len(want) < 32 {
			return false
		}
	}
	got := c.Get("X-CSRF-Token")
	if got == "" {
		got = c.FormValue(CSRFField)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func (s *Server) setSessionCookie(c *fiber.Ctx, id string) {
	c.Cookie(&fiber.Cookie{Name: sessionCookie, Value: id, Path: "/", HTTPOnly: true, SameSite: "Lax",
		Secure: s.deps.Config.SecureCookies, Expires: time.Now().Add(s.deps.Config.SessionAbsolute)})
}

func (s *Server) clearCookie(c *fiber.Ctx, name string) {
	c.Cookie(&fiber.Cookie{Name: name, Value: "", Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.deps.Config.SecureCookies,
		Expires: time.Unix(1, 0), MaxAge: -1})
}
