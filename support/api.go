package support

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

func callID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrNotFound
	}
	return id, nil
}

func isAdmin(c *fiber.Ctx) bool { return web.PrincipalOf(c).Role == auth.RoleAdmin }

func (h *Handler) record(c *fiber.Ctx, action string, id int64, detail string) {
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: action,
		Target: fmt.Sprintf("support call %d", id), Detail: detail, IP: c.IP()})
}

// filterFrom reads the list filters from the query string.
func (h *Handler) filterFrom(c *fiber.Ctx) (Filter, error) {
	f := Filter{Desk: code(c.Query("desk")), Category: code(c.Query("category")), Resolution: code(c.Query("resolution")),
		FollowUp: c.Query("follow_up"), Search: c.Query("search"), Deleted: c.Query("deleted")}
	var es FieldErrors
	if w := strings.TrimSpace(c.Query("week")); w != "" {
		wk, err := week.Parse(w)
		if err != nil {
			es.AddOnce("week", "support.v.week", clip(w, 40))
		} else {
			f.Week = &wk
		}
	}
	if co := strings.TrimSpace(c.Query("company")); co != "" {
		ref, err := h.store.ResolveCompany(c.UserContext(), co)
		var fe FieldErrors
		switch {
		case errors.As(err, &fe):
			es = append(es, FieldError{Field: "company", Message: fe[0].Message})
		case err != nil:
			return f, err
		default:
			f.CompanyCVR = ref.CVR
		}
	}
	if f.Deleted != "" && !isAdmin(c) {
		es.AddOnce("deleted", "support.v.deleted_admin")
	}
	for _, p := range []struct {
		name string
		dst  *int
	}{{"limit", &f.Limit}, {"offset", &f.Offset}} {
		if v := c.Query(p.name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				es.AddOnce(p.name, "support.v.count")
			}
			*p.dst = n
		}
	}
	if err := f.Check(); err != nil {
		es = append(es, err.(FieldErrors)...)
	}
	return f, es.Err()
}

func (h *Handler) listAPI(c *fiber.Ctx) error {
	f, err := h.filterFrom(c)
	if err != nil {
		return err
	}
	calls, err := h.store.List(c.UserContext(), f)
	if err != nil {
		return err
	}
	return c.JSON(calls)
}

func (h *Handler) getAPI(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	call, err := h.store.Get(c.UserContext(), id, isAdmin(c))
	if err != nil {
		return err
	}
	return c.JSON(call)
}

func (h *Handler) versionsAPI(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	if _, err := h.store.Get(c.UserContext(), id, isAdmin(c)); err != nil {
		return err
	}
	vs, err := h.store.History(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(vs)
}

func (h *Handler) createAPI(c *fiber.Ctx) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	call, err := h.store.Create(c.UserContext(), in, web.PrincipalOf(c).Name())
	if err != nil {
		return err
	}
	h.record(c, audit.RecordCreated, call.ID, "")
	return c.Status(fiber.StatusCreated).JSON(call)
}

func (h *Handler) updateAPI(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	call, err := h.store.Update(c.UserContext(), id, in, web.PrincipalOf(c).Name())
	if err != nil {
		return err
	}
	if call.Version != in.Version {
		h.record(c, audit.RecordChanged, call.ID, fmt.Sprintf("version %d", call.Version))
	}
	return c.JSON(call)
}

type deleteBody struct {
	Reason string `json:"reason"`
}

func (h *Handler) deleteAPI(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	body := deleteBody{Reason: c.Query("reason")}
	if len(bytes.TrimSpace(c.Body())) > 0 {
		if err := web.DecodeJSON(c, &body); err != nil {
			return err
		}
		if body.Reason == "" {
			body.Reason = c.Query("reason")
		}
	}
	if _, err := h.store.Get(c.UserContext(), id, true); err != nil {
		return err
	}
	call, err := h.store.Delete(c.UserContext(), id, body.Reason, web.PrincipalOf(c).Name())
	if err != nil {
		return err
	}
	h.record(c, audit.RecordChanged, call.ID, "deleted: "+clip(body.Reason, 200))
	return c.JSON(call)
}

func (h *Handler) restoreAPI(c *fiber.Ctx) error {
	call, err := h.restore(c)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusOK).JSON(call)
}

// restore brings back the deleted call of the route's id, audited.
func (h *Handler) restore(c *fiber.Ctx) (Call, error) {
	id, err := callID(c)
	if err != nil {
		return Call{}, err
	}
	call, err := h.store.Restore(c.UserContext(), id, web.PrincipalOf(c).Name())
	if err != nil {
		return Call{}, err
	}
	h.record(c, audit.RecordChanged, call.ID, "restored")
	return call, nil
}

// figureFilter reads from/to (or week), cohort, kind (default company,
// or all) and as_of; the
// default range is the 8 weeks up to the newest week with a call (the
// current week when the log is empty), so a replayed pilot's figures show
// without naming its weeks.
func (h *Handler) figureFilter(c *fiber.Ctx) (FigureFilter, error) {
	var f FigureFilter
	var es FieldErrors
	weekParam := func(name string) *week.Week {
		v := strings.TrimSpace(c.Query(name))
		if v == "" {
			return nil
		}
		w, err := week.Parse(v)
		if err != nil {
			es.AddOnce(name, "support.v.week", clip(v, 40))
			return nil
		}
		return &w
	}
	f.To = week.Of(h.store.now())
	f.From = f.To.Add(-7)
	one, from, to := weekParam("week"), weekParam("from"), weekParam("to")
	if one == nil && from == nil && to == nil {
		if _, last, ok, err := h.store.CallSpan(c.UserContext()); err != nil {
			return f, err
		} else if ok {
			f.From, f.To = last.Add(-7), last
		}
	}
	if one != nil {
		f.From, f.To = *one, *one
	}
	if from != nil {
		f.From = *from
	}
	if to != nil {
		f.To = *to
	}
	if v := strings.TrimSpace(c.Query("as_of")); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if d, derr := time.ParseInLocation(time.DateOnly, v, week.Copenhagen); derr == nil {
				t, err = d, nil
			}
		}
		if err != nil {
			es.AddOnce("as_of", "support.v.as_of")
		}
		f.AsOf = t
	}
	// kind as on the dashboards: the pilot's companies by default (the
	// denominator of "7 af 30"), another kind, or all.
	f.Cohort, f.Kind = strings.TrimSpace(c.Query("cohort")), strings.ToLower(strings.TrimSpace(c.Query("kind")))
	switch {
	case f.Kind == "":
		f.Kind = registry.KindCompany
	case f.Kind == registry.KindAll:
		f.Kind = ""
	case !slices.Contains(registry.CompanyKinds, f.Kind):
		es.AddOnce("kind", "field.unknown_choice", clip(f.Kind, 40), choices("kind.", registry.CompanyKinds))
	}
	if len(es) == 0 {
		if err := checkRange(f.From, f.To); err != nil {
			es.AddErr("to", err)
		}
	}
	return f, es.Err()
}

func (h *Handler) figuresAPI(c *fiber.Ctx) error {
	f, err := h.figureFilter(c)
	if err != nil {
		return err
	}
	r, err := h.store.WeeklyReport(c.UserContext(), web.ScopeOf(c), f)
	if err != nil {
		return err
	}
	return c.JSON(r)
}
