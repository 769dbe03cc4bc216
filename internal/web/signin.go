package web

import (
	"errors"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// UserRolesAll is every user role, for routes any signed-in person may use.
var UserRolesAll = []auth.Role{auth.RoleAdmin, auth.RoleSupport, auth.RoleManager, auth.RoleAuthority}

func (s *Server) registerSignIn() {
	r := s.Router
	r.Add(Route{Method: "GET", Path: "/login", Public: true, Summary: "Sign-in page", Handler: s.loginPage})
	r.Add(Route{Method: "POST", Path: "/login", Public: true, Summary: "Sign in", Handler: s.login})
	r.Add(Route{Method: "POST", Path: "/logout", Roles: UserRolesAll, Summary: "Sign out", Handler: s.logout})
	r.Add(Route{Method: "POST", Path: "/lang", Public: true, Summary: "Choose the UI language", Handler: s.setLanguage})
	r.Add(Route{Method: "GET", Path: "/", Roles: UserRolesAll, Summary: "Start page", Nav: "nav.home", NavOrder: 0, Handler: s.home})
}

func (s *Server) loginPage(c *fiber.Ctx) error {
	if PrincipalOf(c) != nil {
		return c.Redirect(localPath(c.Query("next", "/")), fiber.StatusSeeOther)
	}
	form := map[string]string{"next": localPath(c.Query("next", "/"))}
	if c.Query("changed") == "1" {
		form["changed"] = "1"
	}
	return s.render(c, "login", PageData{Title: "login.title", Form: form})
}

func (s *Server) login(c *fiber.Ctx) error {
	email := strings.TrimSpace(c.FormValue("email"))
	password := c.FormValue("password")
	next := localPath(c.FormValue("next", "/"))
	ip := c.IP()
	ctx := c.UserContext()
	form := map[string]string{"email": email, "next": next}
	if wait := s.deps.Throttle.Check(email, ip); wait > 0 {
		s.deps.Audit.Record(ctx, audit.Entry{Actor: email, Action: audit.SignInBlocked, IP: ip})
		secs := int(math.Ceil(wait.Seconds()))
		c.Status(fiber.StatusTooManyRequests)
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(secs, 1)))
		return s.render(c, "login", PageData{Title: "login.title", Form: form, Errors: map[string]string{"form": "login.throttled"}})
	}
	u, err := s.deps.Auth.Authenticate(ctx, email, password)
	if errors.Is(err, auth.ErrBadCredential) {
		s.deps.Throttle.Fail(email, ip)
		s.deps.Audit.Record(ctx, audit.Entry{Actor: email, Action: audit.SignInFailed, IP: ip})
		c.Status(fiber.StatusUnauthorized)
		return s.render(c, "login", PageData{Title: "login.title", Form: form, Errors: map[string]string{"form": "login.failed"}})
	}
	if err != nil {
		return err
	}
	s.deps.Throttle.Succeed(email, ip)
	if old := c.Cookies(sessionCookie); old != "" {
		s.deps.Auth.EndSession(ctx, old) // a fresh session id at every sign-in
	}
	sess, err := s.deps.Auth.CreateSession(ctx, u, ip, c.Get(fiber.HeaderUserAgent))
	if err != nil {
		return err
	}
	s.setSessionCookie(c, sess.ID)
	s.deps.Audit.Record(ctx, audit.Entry{Actor: u.Email, Action: audit.SignIn, IP: ip})
	return c.Redirect(next, fiber.StatusSeeOther)
}

// localPath keeps a redirect target (a sign-in's next) on this site: a
// plain local path, else "/". A control character or backslash anywhere
// refuses it (browsers drop a tab or newline and read "/\t/x" as //x, and
// "\\" as "/"), as does anything with a scheme or host.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return "/"
	}
	for _, r := range p {
		if r == '\\' || unicode.IsControl(r) {
			return "/"
		}
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" || u.User != nil {
		return "/"
	}
	return p
}

func (s *Server) logout(c *fiber.Ctx) error {
	if id := c.Cookies(sessionCookie); id != "" {
		s.deps.Auth.EndSession(c.UserContext(), id)
	}
	s.clearCookie(c, sessionCookie)
	s.deps.Audit.Record(c.UserContext(), audit.Entry{Actor: PrincipalOf(c).Name(), Action: audit.SignOut, IP: c.IP()})
	return c.Redirect("/login", fiber.StatusSeeOther)
}

func (s *Server) setLanguage(c *fiber.Ctx) error {
	lang := c.FormValue("lang")
	if lang != "da" && lang != "en" {
		return problem.Fields{{Field: "lang", Message: problem.Msg("error.lang_choice")}}
	}
	c.Cookie(&fiber.Cookie{Name: langCookie, Value: lang, Path: "/", HTTPOnly: true, SameSite: "Lax", Secure: s.deps.Config.SecureCookies, MaxAge: 365 * 24 * 3600})
	if p := PrincipalOf(c); p != nil && p.UserID != 0 {
		if err := s.deps.Auth.SetLanguage(c.UserContext(), p.UserID, lang); err != nil {
			return err
		}
	}
	return c.Redirect(localPath(c.FormValue("next", "/")), fiber.StatusSeeOther)
}
