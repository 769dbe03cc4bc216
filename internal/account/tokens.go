package account

import (
	"errors"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

type tokensView struct {
	Tokens []auth.Token
	Secret string
}

func (h *Handler) renderTokens(c *fiber.Ctx, d web.PageData, v tokensView) error {
	ts, err := h.auth.Tokens(c.UserContext())
	if err != nil {
		return err
	}
	v.Tokens = ts
	d.Title, d.Data = "tokens.title", v
	return h.srv.Render(c, "tokens", d)
}

func (h *Handler) tokensPage(c *fiber.Ctx) error {
	return h.renderTokens(c, web.PageData{}, tokensView{})
}

func (h *Handler) createTokenForm(c *fiber.Ctx) error {
	kind, owner, name := c.FormValue("kind"), strings.TrimSpace(c.FormValue("owner")), strings.TrimSpace(c.FormValue("name"))
	actor := web.PrincipalOf(c).Name()
	var (
		t      auth.Token
		secret string
		err    error
	)
	switch kind {
	case "user":
		t, secret, err = h.auth.CreateUserToken(c.UserContext(), owner, name, actor)
	case "source":
		t, secret, err = h.auth.CreateSourceToken(c.UserContext(), owner, name, actor)
	default:
		err = problem.Fields{{Field: "kind", Message: problem.Msg("account.token_kind")}}
	}
	if status, text, bad := formError(c, err); bad {
		c.Status(status)
		return h.renderTokens(c, web.PageData{Errors: map[string]string{"new": text},
			Form: map[string]string{"kind": kind, "owner": owner, "name": name}}, tokensView{})
	}
	if err != nil {
		return err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: actor, Action: audit.TokenCreated, Target: kind + ":" + owner,
		Detail: "token " + t.Prefix + "… name=" + t.Name, IP: c.IP()})
	return h.renderTokens(c, web.PageData{}, tokensView{Secret: secret})
}

func (h *Handler) revokeTokenForm(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return problem.NotFound("account.token_not_found")
	}
	t, err := h.auth.RevokeToken(c.UserContext(), id)
	if errors.Is(err, auth.ErrNotFound) {
		return problem.NotFound("account.token_not_found")
	}
	if err != nil {
		return err
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: audit.TokenRevoked,
		Target: t.UserEmail + t.SourceName, Detail: "token " + t.Prefix + "…", IP: c.IP()})
	return c.Redirect("/admin/tokens", fiber.StatusSeeOther)
}
