package registry

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

func (h *Handler) listAuthoritiesAPI(c *fiber.Ctx) error {
	as, err := h.store.Authorities(c.UserContext(), web.ScopeOf(c), c.Query("search"))
	if err != nil {
		return err
	}
	return c.JSON(as)
}

func (h *Handler) getAuthorityAPI(c *fiber.Ctx) error {
	a, err := h.store.Authority(c.UserContext(), web.ScopeOf(c), c.Params("cvr"))
	if err != nil {
		return err
	}
	return c.JSON(a)
}

func (h *Handler) createAuthorityAPI(c *fiber.Ctx) error {
	return saveAPI(h, c, fiber.StatusCreated, audit.RecordCreated, func(in Authority) (Authority, string, error) {
		a, err := h.store.CreateAuthority(c.UserContext(), in)
		return a, "authority " + a.CVR, err
	})
}

func (h *Handler) updateAuthorityAPI(c *fiber.Ctx) error {
	return saveAPI(h, c, fiber.StatusOK, audit.RecordChanged, func(in Authority) (Authority, string, error) {
		a, err := h.store.UpdateAuthority(c.UserContext(), c.Params("cvr"), in)
		return a, "authority " + a.CVR, err
	})
}

// --- pages ---

type authoritiesView struct {
	Authorities []Authority
	Search      string
	Import      *importResult
	CanEdit     bool
}

func (h *Handler) renderAuthorities(c *fiber.Ctx, d web.PageData, v authoritiesView) error {
	v.Search = c.Query("search")
	as, err := h.store.Authorities(c.UserContext(), web.ScopeOf(c), v.Search)
	if err != nil {
		return err
	}
	v.Authorities = as
	v.CanEdit = web.PrincipalOf(c).Role == auth.RoleAdmin
	d.Title, d.Data = "authorities.title", v
	return h.srv.Render(c, "authorities", d)
}

func (h *Handler) authoritiesPage(c *fiber.Ctx) error {
	return h.renderAuthorities(c, web.PageData{}, authoritiesView{})
}

func (h *Handler) importAuthoritiesForm(c *fiber.Ctx) error {
	res, err := h.runAuthorityImport(c)
	if fe, bad := importProblem(c, res, err); bad {
		return h.renderAuthorities(c, web.PageData{Fields: fe}, authoritiesView{Import: &res})
	}
	if err != nil {
		return err
	}
	return h.renderAuthorities(c, web.PageData{}, authoritiesView{Import: &res})
}

type authorityForm struct {
	Authority Authority
	Target    string
	Kinds     []string
	IsNew     bool
	CanEdit   bool
	Saved     bool
}

func (h *Handler) renderAuthorityForm(c *fiber.Ctx, a Authority, target string, isNew bool, errs FieldErrors, saved bool) error {
	title := "authorities.edit"
	if isNew {
		title = "authorities.new"
	}
	if target == "" && a.WeeklyTarget != nil {
		target = strconv.FormatInt(*a.WeeklyTarget, 10)
	}
	d := formFailed(title, errs, authorityForm{
		Authority: a, Target: target, Kinds: AuthorityKinds, IsNew: isNew, CanEdit: web.PrincipalOf(c).Role == auth.RoleAdmin, Saved: saved,
	})
	if errs == nil {
		d.Errors = nil
	}
	return h.srv.Render(c, "authority", d)
}

func (h *Handler) newAuthorityPage(c *fiber.Ctx) error {
	return h.renderAuthorityForm(c, Authority{Kind: KindState}, "", true, nil, false)
}

func (h *Handler) authorityPage(c *fiber.Ctx) error {
	a, err := h.store.Authority(c.UserContext(), web.ScopeOf(c), c.Params("cvr"))
	if err != nil {
		return err
	}
	return h.renderAuthorityForm(c, a, "", false, nil, c.Query("saved") == "1")
}

// authorityFromForm reads the form; a target that is not a whole number is
// reported on its field.
func authorityFromForm(c *fiber.Ctx) (Authority, string, FieldErrors) {
	a := Authority{CVR: c.FormValue("cvr"), Name: c.FormValue("name"), Kind: c.FormValue("kind")}
	target := strings.TrimSpace(c.FormValue("weekly_target"))
	if target != "" {
		n, err := strconv.ParseInt(target, 10, 64)
		if err != nil {
			return a, target, FieldErrors{{Field: "weekly_target", Message: problem.Msg("registry.target_number")}}
		}
		a.WeeklyTarget = &n
	}
	return a, target, nil
}

func (h *Handler) saveAuthorityForm(c *fiber.Ctx, isNew bool) error {
	in, target, errs := authorityFromForm(c)
	if errs != nil {
		c.Status(fiber.StatusBadRequest)
		return h.renderAuthorityForm(c, in, target, isNew, errs, false)
	}
	var a Authority
	var err error
	action := audit.RecordChanged
	if isNew {
		a, err = h.store.CreateAuthority(c.UserContext(), in)
		action = audit.RecordCreated
	} else {
		a, err = h.store.UpdateAuthority(c.UserContext(), c.Params("cvr"), in)
	}
	if err != nil {
		errs, err := formErrors(err)
		if err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderAuthorityForm(c, a, target, isNew, errs, false)
	}
	h.recordChange(c, action, "authority "+a.CVR)
	return c.Redirect("/authorities/"+a.CVR+"?saved=1", fiber.StatusSeeOther)
}

func (h *Handler) createAuthorityForm(c *fiber.Ctx) error { return h.saveAuthorityForm(c, true) }
func (h *Handler) updateAuthorityForm(c *fiber.Ctx) error { return h.saveAuthorityForm(c, false) }
