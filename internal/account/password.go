package account

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

func (h *Handler) passwordPage(c *fiber.Ctx) error {
	return h.srv.Render(c, "account_password", web.PageData{Title: "password.title"})
}

// changePassword sets a new password after checking the current one. Every
// session of the user ends (also this one), so the user signs in again.
func (h *Handler) changePassword(c *fiber.Ctx) error {
	p := web.PrincipalOf(c)
	current, next, again := c.FormValue("current"), c.FormValue("new"), c.FormValue("confirm")
	fail := func(field, msg string) error {
		c.Status(fiber.StatusBadRequest)
		return h.srv.Render(c, "account_password", web.PageData{Title: "password.title", Errors: map[string]string{"form": "form.errors", field: msg}})
	}
	if _, err := h.auth.Authenticate(c.UserContext(), p.Email, current); errors.Is(err, auth.ErrBadCredential) {
		h.audit.Record(c.UserContext(), audit.Entry{Actor: p.Email, Action: audit.SignInFailed, Target: p.Email, Detail: "wrong current password on password change", IP: c.IP()})
		return fail("current", "password.wrong_current")
	} else if err != nil {
		return err
	}
	if err := auth.CheckPasswordStrength(next); err != nil {
		return fail("new", "password.too_short")
	}
	if next != again {
		return fail("confirm", "password.mismatch")
	}
	if _, err := h.auth.UpdateUser(c.UserContext(), p.UserID, auth.UserChange{Password: &next}); err != nil {
		return err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: p.Email, Action: audit.PasswordChanged, Target: p.Email, IP: c.IP()})
	if h.afterPasswordChange != nil {
		h.afterPasswordChange(p.Email)
	}
	return c.Redirect("/login?changed=1", fiber.StatusSeeOther)
}
