package account

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

func auditFilter(c *fiber.Ctx) audit.Filter {
	before, _ := strconv.ParseInt(c.Query("before"), 10, 64)
	limit, _ := strconv.Atoi(c.Query("limit"))
	return audit.Filter{Action: c.Query("action"), Actor: c.Query("actor"), Before: before, Limit: limit}
}

func (h *Handler) auditPage(c *fiber.Ctx) error {
	f := auditFilter(c)
	es, err := h.audit.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return h.srv.Render(c, "audit", web.PageData{Title: "audit.title", Data: es,
		Form: map[string]string{"action": f.Action, "actor": f.Actor}})
}

func (h *Handler) auditAPI(c *fiber.Ctx) error {
	es, err := h.audit.List(c.UserContext(), auditFilter(c))
	if err != nil {
		return err
	}
	if es == nil {
		es = []audit.Entry{}
	}
	return c.JSON(es)
}
