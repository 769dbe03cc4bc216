package exports

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
)

//go:embed all:templates
var templates embed.FS

// readers may use /reports: admins and managers export everything, an
// authority user its own authority's events.
var readers = []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority}

// jobKind is the name of the report job of an export kind.
func jobKind(kind string) string { return "export_" + kind }

// Handle registers the export kinds with the job store.
func (d Deps) Handle() {
	for _, k := range Kinds {
		d.Jobs.Handle(jobKind(k), jobs.Kind{Build: d.build})
	}
}

// build is the job of an export: the spec was checked when it was asked
// for; it is read with the scope the requester had then.
func (d Deps) build(ctx context.Context, j jobs.Job, p *jobs.Progress, w io.Writer) error {
	var spec Spec
	if err := json.Unmarshal(j.Params, &spec); err != nil {
		return fmt.Errorf("export parameters: %w", err)
	}
	spec.Lang = j.Lang
	_, err := d.Write(ctx, spec, j.Requester.Scope(), w, func(written, total int64) {
		p.SetTotal(total)
		p.SetRows(written)
	})
	return err
}

type handler struct {
	Deps
	srv *web.Server
}

// Register adds the /reports pages and the export API (the export kinds
// are registered with the job store by Handle, when the app opens).
func Register(srv *web.Server, d Deps) error {
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	h := &handler{Deps: d, srv: srv}
	r := srv.Router
	r.Add(web.Route{Method: "GET", Path: "/reports", Roles: readers, Summary: "Reports: the report files you asked for (running and done) and a form to start a raw export",
		Nav: "nav.reports", NavOrder: 9, Handler: h.listPage})
	r.Add(web.Route{Method: "POST", Path: "/reports/exports", Roles: readers, Summary: "Start a raw export (a background job); redirects to its page", Handler: h.startForm})
	r.Add(web.Route{Method: "GET", Path: "/reports/jobs/:id", Roles: readers, Summary: "One report job: its progress, then its download", Handler: h.jobPage})
	r.Add(web.Route{Method: "GET", Path: "/reports/jobs/:id/file", Roles: readers, Summary: "Download a finished report file", Handler: h.download})

	api := func(rt web.Route) { rt.Tag = "reports"; r.Add(rt) }
	api(web.Route{Method: "GET", Path: "/api/v1/reports/jobs", Roles: readers, Summary: "The report jobs you may see, newest first", Returns: []Status{}, Handler: h.listAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/reports/exports", Roles: readers,
		Summary: "Start a raw export as a background job: kind answers|calls|events, format xlsx|csv, from/to ISO weeks, authority (events only; an authority user: its own)",
		Body:    Input{Kind: Events, Format: "xlsx", From: "2012-W40", To: "2012-W46"}, Returns: Status{}, Handler: h.startAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/reports/jobs/:id", Roles: readers, Summary: "A report job's state and progress (rows written, total, percent)", Returns: Status{}, Handler: h.statusAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/reports/jobs/:id/file", Roles: readers, Summary: "Download a finished report file", Handler: h.download})
	return nil
}

// Status is a job as the API and the pages show it.
type Status struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	Format      string     `json:"format"`
	State       string     `json:"state"`
	RowsWritten int64      `json:"rows_written"`
	RowsTotal   *int64     `json:"rows_total"`
	Percent     int        `json:"percent"`
	FileName    string     `json:"file_name"`
	Size        *int64     `json:"size_bytes,omitempty"`
	Error       string     `json:"error,omitempty"`
	RequestedBy string     `json:"requested_by"`
	CreatedAt   time.Time  `json:"created_at"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	// Download is where the file is, once done.
	Download string `json:"download,omitempty"`
	// Title is what the job is, in the reader's language.
	Title string `json:"title"`
	// Params are the export's parameters; Period its weeks (and authority).
	Params json.RawMessage `json:"params"`
	Period string          `json:"period,omitempty"`
}

func statusOf(j jobs.Job, lang string) Status {
	s := Status{ID: j.ID, Kind: j.Kind, Format: j.Format, State: j.State, RowsWritten: j.RowsWritten, RowsTotal: j.RowsTotal,
		Percent: j.Percent(), FileName: j.FileName, Size: j.Size, RequestedBy: j.Requester.Email, CreatedAt: j.CreatedAt,
		FinishedAt: j.FinishedAt, Title: web.Translate(lang, "reports.kind."+j.Kind), Params: j.Params, Period: period(j)}
	if j.State == jobs.Done {
		s.Download = fmt.Sprintf("/reports/jobs/%d/file", j.ID)
	}
	if j.State == jobs.Failed {
		s.Error = web.Translate(lang, "reports.error.failed")
		if j.Error == jobs.Interrupted {
			s.Error = web.Translate(lang, jobs.Interrupted)
		}
	}
	return s
}

func jobID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, jobs.ErrNotFound
	}
	return id, nil
}

// job is the job of the request's :id, if the caller may see it.
func (h *handler) job(c *fiber.Ctx) (jobs.Job, error) {
	id, err := jobID(c)
	if err != nil {
		return jobs.Job{}, err
	}
	return h.Jobs.GetFor(c.UserContext(), id, web.PrincipalOf(c))
}

// start checks and queues an export for the caller.
func (h *handler) start(c *fiber.Ctx, in Input) (jobs.Job, error) {
	who := jobs.RequesterOf(web.PrincipalOf(c))
	lang := web.Language(c)
	spec, err := h.Check(c.UserContext(), in, who, lang)
	if err != nil {
		return jobs.Job{}, err
	}
	return h.Jobs.Submit(c.UserContext(), jobs.Request{Kind: jobKind(spec.Kind), Format: spec.Format, Params: spec, Summary: spec.Summary(),
		Lang: lang, Requester: who, AuthorityCVR: spec.Authority, FileName: spec.FileName()})
}

func (h *handler) startAPI(c *fiber.Ctx) error {
	var in Input
	if err := web.DecodeJSON(c, &in); err != nil {
		return err
	}
	j, err := h.start(c, in)
	if err != nil {
		return err
	}
	c.Location(fmt.Sprintf("/api/v1/reports/jobs/%d", j.ID))
	return c.Status(fiber.StatusAccepted).JSON(statusOf(j, web.Language(c)))
}

func (h *handler) statusAPI(c *fiber.Ctx) error {
	j, err := h.job(c)
	if err != nil {
		return err
	}
	return c.JSON(statusOf(j, web.Language(c)))
}

func (h *handler) listAPI(c *fiber.Ctx) error {
	js, err := h.Jobs.ListFor(c.UserContext(), web.PrincipalOf(c))
	if err != nil {
		return err
	}
	out := make([]Status, len(js))
	for i, j := range js {
		out[i] = statusOf(j, web.Language(c))
	}
	return c.JSON(out)
}

func (h *handler) download(c *fiber.Ctx) error {
	j, err := h.job(c)
	if err != nil {
		return err
	}
	f, err := h.Jobs.Open(j)
	if err != nil {
		return err
	}
	ct := "text/csv; charset=utf-8"
	if j.Format == "xlsx" {
		ct = reports.XLSXContentType
	}
	c.Set(fiber.HeaderContentType, ct)
	c.Set(fiber.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": j.FileName}))
	size := -1
	if j.Size != nil {
		size = int(*j.Size)
	}
	return c.SendStream(f, size)
}

// listView is the /reports page.
type listView struct {
	Jobs    []Status
	Kinds   []string
	Formats []string
	// Authority is the authority user's own authority (the only one it
	// may export); empty for the other roles, who may name any.
	Authority string
}

func (h *handler) renderList(c *fiber.Ctx, form map[string]string, fields problem.Fields) error {
	p := web.PrincipalOf(c)
	js, err := h.Jobs.ListFor(c.UserContext(), p)
	if err != nil {
		return err
	}
	lang := web.Language(c)
	v := listView{Kinds: KindsFor(p.Role), Formats: []string{"xlsx", "csv"}, Jobs: make([]Status, len(js))}
	for i, j := range js {
		v.Jobs[i] = statusOf(j, lang)
	}
	if p.Role == auth.RoleAuthority {
		v.Authority = p.AuthorityCVR
	}
	if form == nil {
		now := week.Of(time.Now())
		form = map[string]string{"from": now.Add(-3).String(), "to": now.String(), "format": "xlsx", "authority": v.Authority}
	}
	return h.srv.Render(c, "reports", web.PageData{Title: "reports.title", Data: v, Form: form, Fields: fields})
}

func (h *handler) listPage(c *fiber.Ctx) error { return h.renderList(c, nil, nil) }

func (h *handler) startForm(c *fiber.Ctx) error {
	in := Input{Kind: c.FormValue("kind"), Format: c.FormValue("format"), From: c.FormValue("from"), To: c.FormValue("to"), Authority: c.FormValue("authority")}
	j, err := h.start(c, in)
	if fields, ok := problem.AsFields(err); ok {
		c.Status(fiber.StatusBadRequest)
		return h.renderList(c, map[string]string{"kind": in.Kind, "format": in.Format, "from": in.From, "to": in.To, "authority": in.Authority}, fields)
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/reports/jobs/%d", j.ID), fiber.StatusSeeOther)
}

func (h *handler) jobPage(c *fiber.Ctx) error {
	j, err := h.job(c)
	if err != nil {
		return err
	}
	return h.srv.Render(c, "reports_job", web.PageData{Title: "reports.job_title", Data: struct {
		Job  Status
		Poll string
	}{statusOf(j, web.Language(c)), fmt.Sprintf("/api/v1/reports/jobs/%d", j.ID)}})
}

// period is the weeks an export covers, for the pages.
func period(j jobs.Job) string {
	var spec Spec
	if json.Unmarshal(j.Params, &spec) != nil || spec.From.IsZero() {
		return ""
	}
	out := spec.From.String() + " – " + spec.To.String()
	if spec.Authority != "" {
		out += " · " + spec.Authority
	}
	return out
}
