package dashboards

import (
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// pageRef names a dashboard page for its filter bar: its template, title
// key, path and JSON twin, and the filters it offers.
type pageRef struct {
	template, title, path, api string
	show                       filterFields
}

// filterProblem answers a page whose period or filters are bad (a
// problem.Fields, e.g. from=2012-W60, from after to, to=9999-12-31): 400
// with the page's filter bar again (its presets, the weeks as typed) and
// the error next to the field at fault; data makes the page's view around
// the bar. Any other error is returned as it is.
func (h *handler) filterProblem(c *fiber.Ctx, err error, page pageRef, data func(filterBar) any) error {
	fs, ok := problem.AsFields(err)
	if !ok {
		return err
	}
	f := Filters{Kind: registry.KindCompany}
	if k := strings.TrimSpace(c.Query("kind")); k == KindAll || slices.Contains(registry.CompanyKinds, k) {
		f.Kind = k
	}
	if co := strings.TrimSpace(c.Query("cohort")); len(co) <= MaxCohortLength {
		f.Cohort = co
	}
	bar, berr := h.filterBar(c.UserContext(), c, page.path, page.api, Period{Preset: PresetLatest}, f, page.show)
	if berr != nil {
		return berr
	}
	bar.From, bar.To = c.Query("from"), c.Query("to")
	c.Status(fiber.StatusBadRequest)
	return h.srv.Render(c, page.template, web.PageData{Title: page.title, Data: data(bar), Fields: fs, Errors: map[string]string{"form": "form.errors"}})
}
