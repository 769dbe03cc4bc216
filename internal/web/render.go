package web

import (
	"slices"
	"sort"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// PageData is what every page template gets. Handlers set Title (a
// translation key), Data, and on a failed form Fields (the problems of the
// input) or Errors (field -> translation key) and Form (what was typed);
// Render fills in the rest. Lang may be set by
// the handler (e.g. to a respondent's language); else it is the request's.
type PageData struct {
	Title  string
	Data   any
	Errors map[string]string
	Fields problem.Fields
	Form   map[string]string
	Flash  string

	User     *auth.Principal
	CSRF     string
	Lang     string
	Nav      []NavItem
	Path     string
	Language []string
	// LangFixed is set when the handler chose the language; the layout then
	// offers no language switch.
	LangFixed bool
}

// NavItem is one navigation link.
type NavItem struct {
	Key    string
	Href   string
	Active bool
	order  int
}

// T translates a key into the page's language.
func (p PageData) T(key string) string { return Translate(p.Lang, key) }

// Field returns what was typed in a form field, for re-showing a failed form.
func (p PageData) Field(name string) string { return p.Form[name] }

// Error returns the error message for a form field in the page's language.
func (p PageData) Error(name string) string {
	if key, ok := p.Errors[name]; ok {
		return Translate(p.Lang, key)
	}
	for _, f := range p.Fields {
		if f.Field == name {
			return f.Message.In(p.Lang)
		}
	}
	return ""
}

// HasRole reports whether the signed-in user has one of the roles.
func (p PageData) HasRole(roles ...string) bool {
	return p.User != nil && slices.Contains(roles, string(p.User.Role))
}

// Render renders a page in the layout with the request's user, language,
// CSRF token and navigation.
func (s *Server) Render(c *fiber.Ctx, page string, d PageData) error {
	return s.render(c, page, d)
}

func (s *Server) render(c *fiber.Ctx, page string, d PageData) error {
	d.User = PrincipalOf(c)
	if d.Lang == "da" || d.Lang == "en" {
		d.LangFixed = true // the page set its own (a respondent's language): no switch
	} else {
		d.Lang = Language(c)
	}
	d.CSRF = s.CSRFToken(c)
	d.Path = c.Path()
	d.Language = Languages
	d.Nav = s.Router.nav(d.User, d.Path)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Render(page, d)
}

// Language is the request's UI language: the signed-in user's choice,
// else the language cookie, else Danish.
func Language(c *fiber.Ctx) string {
	if l, ok := LanguageChosen(c); ok {
		return l
	}
	return "da"
}

// LanguageChosen is the language the caller chose, if it chose one: a
// signed-in user's, or the language cookie's. A program calling the API
// with a token has chosen none.
func LanguageChosen(c *fiber.Ctx) (string, bool) {
	if p := PrincipalOf(c); p != nil && (p.Language == "da" || p.Language == "en") && p.Via == "session" {
		return p.Language, true
	}
	if l := c.Cookies(langCookie); l == "da" || l == "en" {
		return l, true
	}
	return "", false
}

func (r *Router) nav(p *auth.Principal, current string) []NavItem {
	if p == nil {
		return nil
	}
	var items []NavItem
	for _, rt := range r.routes {
		if rt.Nav == "" || rt.Method != fiber.MethodGet || !slices.Contains(rt.Roles, p.Role) {
			continue
		}
		active := current == rt.Path || (rt.Path != "/" && strings.HasPrefix(current, rt.Path+"/"))
		items = append(items, NavItem{Key: rt.Nav, Href: rt.Path, Active: active, order: rt.NavOrder})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].order < items[j].order })
	return items
}
