package support

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

// formFields are the fields of the call form, as named in the form.
var formFields = []string{"company", "caller_name", "caller_role", "received_at", "ended_at", "desk", "channel", "category",
	"description", "resolution", "duration_minutes", "follow_up_needed", "follow_up_by", "follow_up_done", "handled_by", "version"}

// formField names an Input field in the form ("company_cvr" is "company").
func formField(f string) string {
	if f == "company_cvr" {
		return "company"
	}
	return f
}

const localLayout = "2006-01-02T15:04"

// localTimeLayouts are the accepted ways to write a Copenhagen local time.
var localTimeLayouts = []string{localLayout, "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05",
	"02-01-2006 15:04", "02.01.2006 15:04", "02/01/2006 15:04", "2006-01-02"}

// parseLocalTime reads a time typed in Copenhagen local time (or an RFC 3339 time).
func parseLocalTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	for _, l := range localTimeLayouts {
		if t, err := time.ParseInLocation(l, s, week.Copenhagen); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, problem.Reason("support.v.local_time", clip(s, 40))
}

// formInput reads the call form: the input, what was typed (to show it
// again), and the problems of reading it.
func formInput(c *fiber.Ctx) (Input, map[string]string, FieldErrors) {
	typed := map[string]string{}
	for _, f := range formFields {
		typed[f] = c.FormValue(f)
	}
	var es FieldErrors
	in := Input{CompanyCVR: typed["company"], CallerName: typed["caller_name"], CallerRole: typed["caller_role"],
		Desk: typed["desk"], Channel: typed["channel"], Category: typed["category"], Description: typed["description"],
		Resolution: typed["resolution"], FollowUpBy: typed["follow_up_by"], HandledBy: typed["handled_by"],
		FollowUpNeeded: typed["follow_up_needed"] != "", FollowUpDone: typed["follow_up_done"] != ""}
	// A date for the follow-up says that one is needed.
	if strings.TrimSpace(in.FollowUpBy) != "" {
		in.FollowUpNeeded = true
		typed["follow_up_needed"] = "1"
	}
	for _, tf := range []struct {
		name string
		dst  **time.Time
	}{{"received_at", &in.ReceivedAt}, {"ended_at", &in.EndedAt}} {
		if v := strings.TrimSpace(typed[tf.name]); v != "" {
			t, err := parseLocalTime(v)
			if err != nil {
				es.AddErr(tf.name, err)
				continue
			}
			*tf.dst = &t
		}
	}
	if v := strings.TrimSpace(typed["duration_minutes"]); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			es.AddOnce("duration_minutes", "support.v.minutes", clip(v, 20))
		} else {
			in.DurationMinutes = &n
		}
	}
	if v := typed["version"]; v != "" {
		in.Version, _ = strconv.Atoi(v)
	}
	return in, typed, es
}

// formErrors merges the problems of reading the form and of the input,
// named by form field, after the form's "please correct" ("form"), or
// returns err when it is not about the input.
func formErrors(readErrs FieldErrors, err error) (FieldErrors, error) {
	var fe FieldErrors
	if err != nil && !errors.As(err, &fe) {
		return nil, err
	}
	out := FieldErrors{{Field: "form", Message: problem.Msg("form.errors")}}
	for _, e := range append(readErrs, fe...) {
		out.AddOnce(formField(e.Field), e.Message.Key, e.Message.Args...)
	}
	return out, nil
}

// formValues is how a stored call fills the form.
func formValues(call Call) map[string]string {
	m := map[string]string{
		"company": CompanyRef{CVR: call.CompanyCVR, Name: call.CompanyName}.Label(), "caller_name": call.CallerName, "caller_role": call.CallerRole,
		"received_at": call.ReceivedAt.In(week.Copenhagen).Format(localLayout), "desk": call.Desk, "channel": call.Channel, "category": call.Category,
		"description": call.Description, "resolution": call.Resolution, "follow_up_by": call.FollowUpBy, "handled_by": call.HandledBy,
		"version": strconv.Itoa(call.Version),
	}
	if call.EndedAt != nil {
		m["ended_at"] = call.EndedAt.In(week.Copenhagen).Format(localLayout)
	}
	if call.DurationMinutes != nil {
		m["duration_minutes"] = strconv.FormatInt(*call.DurationMinutes, 10)
	}
	if call.FollowUpNeeded {
		m["follow_up_needed"] = "1"
	}
	if call.FollowUpDone {
		m["follow_up_done"] = "1"
	}
	return m
}

type callView struct {
	Call                                     Call
	IsNew, CanEdit, CanDelete, Saved         bool
	Companies                                []CompanyRef
	Desks, Channels, Categories, Resolutions []string
	History                                  []historyRow
}

type historyRow struct {
	V       Version
	Changes []change
}

// change is one changed field of a version: Label is the field's
// translation key; OldKey/NewKey, when set, are translation keys of coded
// values (else Old/New are shown as they are).
type change struct{ Field, Label, Old, New, OldKey, NewKey string }

// fieldLabels are the translation keys of the fields shown in the history.
var fieldLabels = map[string]string{"company_cvr": "support.company", "duration_minutes": "support.duration"}

func newChange(field string, before, after any) change {
	ch := change{Field: field, Label: "support." + field, Old: shown(field, before), New: shown(field, after)}
	if l, ok := fieldLabels[field]; ok {
		ch.Label = l
	}
	switch field {
	case "desk", "channel", "category", "resolution":
		if v, ok := before.(string); ok && v != "" {
			ch.OldKey = "support." + field + "." + v
		}
		if v, ok := after.(string); ok && v != "" {
			ch.NewKey = "support." + field + "." + v
		}
	}
	if b, ok := before.(bool); ok {
		ch.OldKey = "support." + strconv.FormatBool(b)
	}
	if b, ok := after.(bool); ok {
		ch.NewKey = "support." + strconv.FormatBool(b)
	}
	return ch
}

func (h *Handler) renderCall(c *fiber.Ctx, v callView, form map[string]string, errs FieldErrors) error {
	cos, err := h.store.Companies(c.UserContext())
	if err != nil {
		return err
	}
	p := web.PrincipalOf(c)
	v.Companies, v.Desks, v.Channels, v.Categories, v.Resolutions = cos, Desks, Channels, Categories, Resolutions
	v.CanEdit = (p.Role == auth.RoleAdmin || p.Role == auth.RoleSupport) && v.Call.Deleted == nil
	v.CanDelete = p.Role == auth.RoleAdmin
	if !v.IsNew {
		vs, err := h.store.History(c.UserContext(), v.Call.ID)
		if err != nil {
			return err
		}
		v.History = historyRows(vs)
	}
	title := "support.call"
	if v.IsNew {
		title = "support.new"
	}
	return h.srv.Render(c, "support_call", web.PageData{Title: title, Data: v, Form: form, Fields: errs})
}

// historyRows lists the versions newest first, each with what it changed
// from the one before.
func historyRows(vs []Version) []historyRow {
	out := make([]historyRow, 0, len(vs))
	for i := len(vs) - 1; i >= 0; i-- {
		r := historyRow{V: vs[i]}
		if i > 0 && vs[i].Action == ActionUpdated {
			before, after := asMap(vs[i-1].Snapshot), asMap(vs[i].Snapshot)
			for _, f := range vs[i].Changed {
				r.Changes = append(r.Changes, newChange(f, before[f], after[f]))
			}
		}
		out = append(out, r)
	}
	return out
}

// shown writes a snapshot value for the history table.
func shown(field string, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if field == "received_at" || field == "ended_at" {
			if t, err := time.Parse(time.RFC3339, x); err == nil {
				return t.In(week.Copenhagen).Format("2006-01-02 15:04")
			}
		}
		if x == "" {
			return "—"
		}
		return clip(x, 300)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

func (h *Handler) newPage(c *fiber.Ctx) error {
	form := map[string]string{
		"received_at": h.store.now().In(week.Copenhagen).Format(localLayout),
		"desk":        DeskPortal, "channel": "phone", "handled_by": web.PrincipalOf(c).Name(),
	}
	if co := c.Query("company"); co != "" {
		if ref, err := h.store.ResolveCompany(c.UserContext(), co); err == nil {
			form["company"] = ref.Label()
		}
	}
	return h.renderCall(c, callView{IsNew: true}, form, nil)
}

func (h *Handler) createForm(c *fiber.Ctx) error {
	in, typed, readErrs := formInput(c)
	actor := web.PrincipalOf(c).Name()
	var call Call
	var err error
	if len(readErrs) > 0 {
		err = h.store.Check(c.UserContext(), in, actor)
	} else {
		call, err = h.store.Create(c.UserContext(), in, actor)
	}
	if err != nil || len(readErrs) > 0 {
		errs, err := formErrors(readErrs, err)
		if err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderCall(c, callView{IsNew: true}, typed, errs)
	}
	h.record(c, audit.RecordCreated, call.ID, "")
	return c.Redirect(fmt.Sprintf("/support/calls/%d?saved=1", call.ID), fiber.StatusSeeOther)
}

func (h *Handler) callPage(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	call, err := h.store.Get(c.UserContext(), id, isAdmin(c))
	if err != nil {
		return err
	}
	return h.renderCall(c, callView{Call: call, Saved: c.Query("saved") == "1"}, formValues(call), nil)
}

func (h *Handler) updateForm(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	cur, err := h.store.Get(c.UserContext(), id, false)
	if err != nil {
		return err
	}
	in, typed, readErrs := formInput(c)
	actor := web.PrincipalOf(c).Name()
	var call Call
	if len(readErrs) > 0 {
		err = h.store.Check(c.UserContext(), in, actor)
	} else {
		call, err = h.store.Update(c.UserContext(), id, in, actor)
	}
	var ce *ConflictError
	if errors.As(err, &ce) {
		// Show the current version, keep what was typed, and say why.
		c.Status(fiber.StatusConflict)
		typed["version"] = strconv.Itoa(ce.Current.Version)
		return h.renderCall(c, callView{Call: ce.Current}, typed, FieldErrors{{Field: "version", Message: ce.ProblemMessage()}})
	}
	if err != nil || len(readErrs) > 0 {
		errs, err := formErrors(readErrs, err)
		if err != nil {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.renderCall(c, callView{Call: cur}, typed, errs)
	}
	if call.Version != cur.Version {
		h.record(c, audit.RecordChanged, call.ID, fmt.Sprintf("version %d", call.Version))
	}
	return c.Redirect(fmt.Sprintf("/support/calls/%d?saved=1", call.ID), fiber.StatusSeeOther)
}

func (h *Handler) deleteForm(c *fiber.Ctx) error {
	id, err := callID(c)
	if err != nil {
		return err
	}
	cur, err := h.store.Get(c.UserContext(), id, true)
	if err != nil {
		return err
	}
	reason := c.FormValue("reason")
	call, err := h.store.Delete(c.UserContext(), id, reason, web.PrincipalOf(c).Name())
	var fe FieldErrors
	if errors.As(err, &fe) {
		c.Status(fiber.StatusBadRequest)
		return h.renderCall(c, callView{Call: cur}, formValues(cur), fe[:1])
	}
	if err != nil {
		return err
	}
	h.record(c, audit.RecordChanged, call.ID, "deleted: "+clip(reason, 200))
	return c.Redirect(fmt.Sprintf("/support/calls/%d", call.ID), fiber.StatusSeeOther)
}

func (h *Handler) restoreForm(c *fiber.Ctx) error {
	call, err := h.restore(c)
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/support/calls/%d?saved=1", call.ID), fiber.StatusSeeOther)
}

// --- the list ---

type listView struct {
	Rows                                     []listRow
	Company                                  *CompanyRef
	Companies                                []CompanyRef
	Desks, Channels, Categories, Resolutions []string
	CanWrite, IsAdmin, Created               bool
	Prev, Next                               string // links to the pages before and after, if any
	Import                                   *ImportResult
}

type listRow struct {
	Call    Call
	Snippet string
}

// pageSize is how many calls the list page shows at a time.
const pageSize = 100

// pageLink is this list's address with another offset.
func pageLink(c *fiber.Ctx, offset int) string {
	q := url.Values{}
	c.Request().URI().QueryArgs().VisitAll(func(k, v []byte) { q.Add(string(k), string(v)) })
	q.Set("offset", strconv.Itoa(offset))
	return "/support/calls?" + q.Encode()
}

var listQuery = []string{"search", "week", "company", "desk", "category", "resolution", "follow_up", "deleted"}

func (h *Handler) renderList(c *fiber.Ctx, d web.PageData, v listView) error {
	form := map[string]string{}
	for _, k := range listQuery {
		form[k] = c.Query(k)
	}
	d.Form = form
	f, err := h.filterFrom(c)
	var fe FieldErrors
	switch {
	case errors.As(err, &fe):
		c.Status(fiber.StatusBadRequest)
		d.Fields = append(d.Fields, fe...)
	case err != nil:
		return err
	default:
		if f.Limit == 0 {
			f.Limit = pageSize
		}
		f.Limit++ // one more tells whether there is a next page
		calls, err := h.store.List(c.UserContext(), f)
		if err != nil {
			return err
		}
		if len(calls) == f.Limit {
			calls = calls[:len(calls)-1]
			v.Next = pageLink(c, f.Offset+len(calls))
		}
		if f.Offset > 0 {
			v.Prev = pageLink(c, max(f.Offset-(f.Limit-1), 0))
		}
		for _, call := range calls {
			v.Rows = append(v.Rows, listRow{Call: call, Snippet: clip(strings.Join(strings.Fields(call.Description), " "), 140)})
		}
		if f.CompanyCVR != "" {
			ref, err := h.store.ResolveCompany(c.UserContext(), f.CompanyCVR)
			if err == nil {
				v.Company = &ref
			}
		}
	}
	cos, err := h.store.Companies(c.UserContext())
	if err != nil {
		return err
	}
	p := web.PrincipalOf(c)
	v.Companies, v.Desks, v.Channels, v.Categories, v.Resolutions = cos, Desks, Channels, Categories, Resolutions
	v.CanWrite = p.Role == auth.RoleAdmin || p.Role == auth.RoleSupport
	v.IsAdmin = p.Role == auth.RoleAdmin
	d.Title, d.Data = "support.calls", v
	return h.srv.Render(c, "support_calls", d)
}

func (h *Handler) listPage(c *fiber.Ctx) error {
	return h.renderList(c, web.PageData{}, listView{Created: c.Query("created") == "1"})
}

// --- figures ---

type figuresView struct {
	Report     *Report
	Rows       []figureRow
	Desks      []string
	Breakdowns []breakdown
	JSONLink   string
	// Kinds are the participant kinds to filter by (registry kinds and all);
	// Denominator says what the shares are of.
	Kinds       []string
	Denominator string
}

type figureRow struct {
	F                  WeekFigures
	Total              bool
	CallingPct, Median string
	NotSolved          []string // per desk, in Desks order
}

type breakdown struct {
	Title, Head string
	Lines       []breakdownLine
}

type breakdownLine struct {
	Label  string
	Counts []int
}

func pct(s Share) string {
	if s.Whole == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*s.Share, 'f', 0, 64) + " %"
}

func (h *Handler) figuresPage(c *fiber.Ctx) error {
	form := map[string]string{"from": c.Query("from"), "to": c.Query("to"), "cohort": c.Query("cohort"), "kind": c.Query("kind")}
	v := figuresView{Desks: Desks, Kinds: append(slices.Clone(registry.CompanyKinds), registry.KindAll)}
	f, err := h.figureFilter(c)
	if err != nil {
		var fe FieldErrors
		if !errors.As(err, &fe) {
			return err
		}
		c.Status(fiber.StatusBadRequest)
		return h.srv.Render(c, "support_figures", web.PageData{Title: "support.figures", Data: v, Form: form,
			Errors: map[string]string{"form": "form.errors"}, Fields: fe})
	}
	r, err := h.store.WeeklyReport(c.UserContext(), web.ScopeOf(c), f)
	if err != nil {
		return err
	}
	if form["from"] == "" {
		form["from"] = r.From
	}
	if form["to"] == "" {
		form["to"] = r.To
	}
	v.Report = &r
	q := url.Values{"from": {r.From}, "to": {r.To}}
	if f.Cohort != "" {
		q.Set("cohort", f.Cohort)
	}
	kind := f.Kind
	if kind == "" {
		kind = registry.KindAll
	}
	form["kind"] = kind
	if kind != registry.KindCompany {
		q.Set("kind", kind)
	}
	v.Denominator = registry.Denominator(r.PilotCompanies, kind, f.Cohort).In(web.Language(c))
	v.JSONLink = "/api/v1/support/figures?" + q.Encode()
	all := append(append([]WeekFigures{}, r.Weeks...), r.Total)
	for i, w := range all {
		row := figureRow{F: w, Total: i == len(all)-1, CallingPct: pct(w.CallingCompanies), Median: "–"}
		if w.MedianDurationMinutes != nil {
			row.Median = strconv.FormatFloat(*w.MedianDurationMinutes, 'f', -1, 64)
		}
		for _, d := range Desks {
			s := w.NotSolvedByDesk[d]
			row.NotSolved = append(row.NotSolved, fmt.Sprintf("%d / %d (%s)", s.Part, s.Whole, pct(s)))
		}
		v.Rows = append(v.Rows, row)
	}
	for _, b := range []struct {
		title, head, kind string
		keys              []string
		of                func(WeekFigures) map[string]int
	}{
		{"support.by_category", "support.category", "category", Categories, func(w WeekFigures) map[string]int { return w.ByCategory }},
		{"support.by_desk", "support.desk", "desk", Desks, func(w WeekFigures) map[string]int { return w.ByDesk }},
		{"support.by_resolution", "support.resolution", "resolution", Resolutions, func(w WeekFigures) map[string]int { return w.ByResolution }},
	} {
		bd := breakdown{Title: b.title, Head: b.head}
		for _, k := range b.keys {
			line := breakdownLine{Label: "support." + b.kind + "." + k}
			for _, w := range all {
				line.Counts = append(line.Counts, b.of(w)[k])
			}
			bd.Lines = append(bd.Lines, line)
		}
		v.Breakdowns = append(v.Breakdowns, bd)
	}
	return h.srv.Render(c, "support_figures", web.PageData{Title: "support.figures", Data: v, Form: form})
}
