package sources

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

//go:embed templates/analytics_source*.html templates/_analytics_source*.html
var sourceTemplates embed.FS

type sourceHandler struct {
	srv      *web.Server
	sources  *Sources
	audit    *audit.Log
	ingester EventStore       // nil without ClickHouse: no uploads
	ing      *ingest.Ingester // nil without ClickHouse: no backlog to show
}

var sourceAdmins = []auth.Role{auth.RoleAdmin}

// Register adds the sources pages (/sources) and API
// (/api/v1/sources), admin only; with ing (nil without ClickHouse), admins
// also upload events files on the sources page, and the page shows the
// ingest backlog.
func Register(srv *web.Server, sources *Sources, log *audit.Log, ing *ingest.Ingester) error {
	h := &sourceHandler{srv: srv, sources: sources, audit: log, ing: ing}
	if ing != nil {
		h.ingester = ing
	}
	if err := srv.Views().Add(sourceTemplates); err != nil {
		return err
	}
	if err := srv.Metrics.Register(newSourceCollector(h.sources)); err != nil {
		return err
	}
	r := srv.Router
	r.Add(web.Route{Method: "GET", Path: "/sources", Roles: sourceAdmins, Summary: "Ingestion sources with their pull status", Nav: "nav.sources", NavOrder: 70, Handler: h.listPage})
	r.Add(web.Route{Method: "GET", Path: "/sources/new", Roles: sourceAdmins, Summary: "New pulled source form", Handler: h.newPage})
	r.Add(web.Route{Method: "POST", Path: "/sources", Roles: sourceAdmins, Summary: "Create a pulled source", Handler: h.createForm})
	if h.ingester != nil {
		r.Add(web.Route{Method: "POST", Path: "/sources/upload", Roles: sourceAdmins, LargeBody: true,
			Summary: "Upload an events file (NDJSON, NDJSON.gz, JSON, CSV; multipart fields 'source' and 'file') for a source", Handler: h.uploadForm})
	}
	r.Add(web.Route{Method: "GET", Path: "/sources/:id", Roles: sourceAdmins, Summary: "One source: status, settings, files", Handler: h.sourcePage})
	r.Add(web.Route{Method: "POST", Path: "/sources/:id", Roles: sourceAdmins, Summary: "Change a pulled source", Handler: h.updateForm})
	r.Add(web.Route{Method: "POST", Path: "/sources/:id/enable", Roles: sourceAdmins, Summary: "Switch pulling on", Handler: h.enableForm(true)})
	r.Add(web.Route{Method: "POST", Path: "/sources/:id/disable", Roles: sourceAdmins, Summary: "Switch pulling off", Handler: h.enableForm(false)})
	r.Add(web.Route{Method: "POST", Path: "/sources/:id/poll", Roles: sourceAdmins, Summary: "Pull now", Handler: h.pollForm})

	api := func(rt web.Route) { rt.Tag = "sources"; r.Add(rt) }
	example := Source{ID: 1, Name: "mailbox-feed", Kind: KindHTTPFeed, URL: "https://upstream.example/events", IntervalSeconds: 30, BatchLimit: 1000, Enabled: true}
	input := SourceInput{Name: "mailbox-feed", Kind: KindHTTPFeed, URL: "https://upstream.example/events", IntervalSeconds: 30, BatchLimit: 1000}
	if ing != nil { // before /api/v1/sources/:id
		api(web.Route{Method: "GET", Path: "/api/v1/sources/backlog", Roles: sourceAdmins, Summary: "The ingest backlog: events acknowledged into the ledger and not yet in ClickHouse (e.g. while it is down), the age of the oldest, and the bound past which new events get 503",
			Returns: ingest.Backlog{Batches: 2, Events: 1500, Bytes: 180000, Oldest: time.Date(2012, 11, 5, 9, 30, 0, 0, time.UTC), OldestSeconds: 42, Limit: ingest.DefaultBacklogLimit}, Handler: h.backlogAPI})
	}
	api(web.Route{Method: "GET", Path: "/api/v1/sources", Roles: sourceAdmins, Summary: "List ingestion sources (push, http-feed, directory) with their pull status", Returns: []Source{example}, Handler: h.listAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/sources", Roles: sourceAdmins, Summary: "Create a pulled source (kind http-feed with url, or directory with directory)", Body: input, Returns: example, Handler: h.createAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/sources/:id", Roles: sourceAdmins, Summary: "Get a source with its pull status", Returns: example, Handler: h.getAPI})
	api(web.Route{Method: "PUT", Path: "/api/v1/sources/:id", Roles: sourceAdmins, Summary: "Change a pulled source; absent fields keep their value, name and kind cannot change, a new url restarts the feed from its beginning", Body: SourceInput{IntervalSeconds: 60, Enabled: new(bool)}, Returns: example, Handler: h.updateAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/sources/:id/poll", Roles: sourceAdmins, Summary: "Pull the source now (within seconds), also while it backs off after errors", Returns: example, Handler: h.pollAPI})
	return nil
}

func sourceID(c *fiber.Ctx) (int64, error) {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, ErrSourceNotFound
	}
	return id, nil
}

// source is the source the route's id names (404 when none).
func (h *sourceHandler) source(c *fiber.Ctx) (Source, error) {
	id, err := sourceID(c)
	if err != nil {
		return Source{}, err
	}
	return h.sources.Get(c.UserContext(), id)
}

func (h *sourceHandler) record(c *fiber.Ctx, action string, src Source, detail string) {
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Email, Action: action, Target: "source " + src.Name, Detail: detail, IP: c.IP()})
}

// --- API ---

func (h *sourceHandler) listAPI(c *fiber.Ctx) error {
	srcs, err := h.sources.List(c.UserContext())
	if err != nil {
		return err
	}
	if srcs == nil {
		srcs = []Source{}
	}
	return c.JSON(srcs)
}

func (h *sourceHandler) backlogAPI(c *fiber.Ctx) error {
	b, err := h.ing.Backlog(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(b)
}

func (h *sourceHandler) getAPI(c *fiber.Ctx) error {
	src, err := h.source(c)
	if err != nil {
		return err
	}
	return c.JSON(src)
}

func decodeSourceInput(c *fiber.Ctx) (SourceInput, error) {
	var in SourceInput
	return in, web.DecodeJSON(c, &in)
}

func (h *sourceHandler) createAPI(c *fiber.Ctx) error {
	in, err := decodeSourceInput(c)
	if err != nil {
		return err
	}
	src, err := h.sources.Create(c.UserContext(), in)
	if err != nil {
		return err
	}
	h.record(c, audit.RecordCreated, src, sourceSettings(src))
	return c.Status(fiber.StatusCreated).JSON(src)
}

func (h *sourceHandler) updateAPI(c *fiber.Ctx) error {
	id, err := sourceID(c)
	if err != nil {
		return err
	}
	in, err := decodeSourceInput(c)
	if err != nil {
		return err
	}
	src, err := h.sources.Update(c.UserContext(), id, in)
	if err != nil {
		return err
	}
	h.record(c, audit.RecordChanged, src, sourceSettings(src))
	return c.JSON(src)
}

func (h *sourceHandler) pollAPI(c *fiber.Ctx) error {
	id, err := sourceID(c)
	if err != nil {
		return err
	}
	if err := h.sources.PollNow(c.UserContext(), id); err != nil {
		return err
	}
	src, err := h.sources.Get(c.UserContext(), id)
	if err != nil {
		return err
	}
	return c.JSON(src)
}

func sourceSettings(s Source) string {
	target := s.URL
	if s.Kind == KindDirectory {
		target = s.Directory
	}
	return fmt.Sprintf("kind=%s target=%s interval=%ds limit=%d enabled=%t", s.Kind, target, s.IntervalSeconds, s.BatchLimit, s.Enabled)
}

// --- pages ---

// sourceRow is a source as the list shows it.
type sourceRow struct {
	Source
	Target string
	Lag    string // "3 min" since the last success; "" before one
	State  string // translation key
	Recent string // the recent pull rounds, oldest first: ✓ ✗ …
}

func humanDuration(d time.Duration) string {
	switch {
	case d < 0:
		return ""
	case d < time.Minute:
		return fmt.Sprintf("%d s", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return fmt.Sprintf("%d d", int(d/(24*time.Hour)))
}

func rowOf(s Source, now time.Time) sourceRow {
	r := sourceRow{Source: s, Lag: humanDuration(s.Lag(now)), Recent: outcomeMarks(s.Status.RecentPulls)}
	switch s.Kind {
	case KindHTTPFeed:
		r.Target = s.URL
	case KindDirectory:
		r.Target = s.Directory
	}
	switch {
	case !s.Pulled():
		r.State = "sources.state_push"
	case !s.Enabled:
		r.State = "sources.state_disabled"
	case s.Status.Health == HealthFlapping:
		r.State = "sources.state_flapping"
	case s.Status.Failing:
		r.State = "sources.state_failing"
	case s.Status.LastSuccessAt == nil:
		r.State = "sources.state_waiting"
	default:
		r.State = "sources.state_ok"
	}
	return r
}

type sourcesView struct {
	Rows []sourceRow
	// CanUpload: events files may be uploaded (with ClickHouse); Upload is
	// the result of one.
	CanUpload bool
	Upload    *uploadView
	Backlog   *backlogView // nil without ClickHouse
}

// backlogView is the ingest backlog as the sources page shows it.
type backlogView struct {
	Events, LimitEvents int64
	MiB, LimitMiB       float64
	Oldest              string // how long the oldest batch waits; "" when none
}

func backlogViewOf(b ingest.Backlog) *backlogView {
	v := &backlogView{Events: b.Events, LimitEvents: b.Limit.Events, MiB: float64(b.Bytes) / (1 << 20), LimitMiB: float64(b.Limit.Bytes) / (1 << 20)}
	if b.Batches > 0 {
		v.Oldest = humanDuration(time.Duration(b.OldestSeconds * float64(time.Second)))
	}
	return v
}

func (h *sourceHandler) listPage(c *fiber.Ctx) error {
	d := web.PageData{}
	if c.Query("polled") == "1" {
		d.Flash = web.Translate(web.Language(c), "sources.polled")
	}
	return h.renderList(c, d, nil)
}

// renderList shows the sources page with d's flash and field errors, and
// an upload's result when there is one.
func (h *sourceHandler) renderList(c *fiber.Ctx, d web.PageData, upload *uploadView) error {
	srcs, err := h.sources.List(c.UserContext())
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	v := sourcesView{CanUpload: h.ingester != nil, Upload: upload}
	for _, s := range srcs {
		v.Rows = append(v.Rows, rowOf(s, now))
	}
	if h.ing != nil {
		b, err := h.ing.Backlog(c.UserContext())
		if err != nil {
			return err
		}
		v.Backlog = backlogViewOf(b)
	}
	d.Title, d.Data = "sources.title", v
	return h.srv.Render(c, "analytics_sources", d)
}

type sourceFormView struct {
	Row      sourceRow
	IsNew    bool
	Kinds    []string
	Files    []SourceFile
	Interval string
	Limit    string
	Enabled  bool
	Saved    bool
}

// renderForm shows the form; fs are its field errors, if any.
func (h *sourceHandler) renderForm(c *fiber.Ctx, v sourceFormView, fs problem.Fields) error {
	title := "sources.edit"
	if v.IsNew {
		title = "sources.new"
	}
	v.Kinds = PulledKinds
	if v.Interval == "" && v.Row.IntervalSeconds > 0 {
		v.Interval = strconv.Itoa(v.Row.IntervalSeconds)
	}
	if v.Limit == "" && v.Row.BatchLimit > 0 {
		v.Limit = strconv.Itoa(v.Row.BatchLimit)
	}
	d := web.PageData{Title: title, Data: v, Fields: fs}
	if len(fs) > 0 {
		d.Errors = map[string]string{"form": "form.errors"}
	}
	if v.Saved {
		d.Flash = web.Translate(web.Language(c), "sources.saved")
	}
	return h.srv.Render(c, "analytics_source", d)
}

func (h *sourceHandler) newPage(c *fiber.Ctx) error {
	return h.renderForm(c, sourceFormView{IsNew: true, Enabled: true,
		Row: sourceRow{Source: Source{Kind: KindHTTPFeed, IntervalSeconds: int(DefaultInterval / time.Second), BatchLimit: DefaultBatchLimit}}}, nil)
}

func (h *sourceHandler) sourcePage(c *fiber.Ctx) error {
	src, err := h.source(c)
	if err != nil {
		return err
	}
	v := sourceFormView{Row: rowOf(src, time.Now().UTC()), Enabled: src.Enabled, Saved: c.Query("saved") == "1"}
	if src.Kind == KindDirectory {
		if v.Files, err = h.sources.Files(c.UserContext(), src.ID, 50); err != nil {
			return err
		}
	}
	return h.renderForm(c, v, nil)
}

// inputFromForm reads the form; numbers that are not numbers are reported
// on their field.
func inputFromForm(c *fiber.Ctx) (SourceInput, sourceFormView, problem.Fields) {
	in := SourceInput{Name: c.FormValue("name"), Kind: c.FormValue("kind"), Origin: c.FormValue("origin"), URL: c.FormValue("url"), Directory: c.FormValue("directory")}
	enabled := c.FormValue("enabled") != ""
	in.Enabled = &enabled
	v := sourceFormView{Interval: strings.TrimSpace(c.FormValue("interval_seconds")), Limit: strings.TrimSpace(c.FormValue("batch_limit")), Enabled: enabled}
	v.Row.Source = Source{Name: in.Name, Kind: in.Kind, Origin: in.Origin, URL: in.URL, Directory: in.Directory, Enabled: enabled}
	var fs problem.Fields
	if v.Interval != "" {
		n, err := ParseInterval(v.Interval)
		if err != nil || n <= 0 {
			fs.Add("interval_seconds", "sources.interval_form")
		}
		in.IntervalSeconds = n
	}
	if v.Limit != "" {
		n, err := strconv.Atoi(v.Limit)
		if err != nil || n <= 0 {
			fs.Add("batch_limit", "sources.batch_limit_form")
		}
		in.BatchLimit = n
	}
	return in, v, fs
}

func (h *sourceHandler) createForm(c *fiber.Ctx) error {
	in, v, fs := inputFromForm(c)
	v.IsNew = true
	if len(fs) > 0 {
		return h.refuseForm(c, v, fs)
	}
	return h.saveForm(c, v, audit.RecordCreated, func() (Source, error) { return h.sources.Create(c.UserContext(), in) })
}

// saveForm stores a form's source with save: saved, it is audited as action
// and the browser goes to its page; refused for its fields, the form is
// shown again with them.
func (h *sourceHandler) saveForm(c *fiber.Ctx, v sourceFormView, action string, save func() (Source, error)) error {
	src, err := save()
	if err != nil {
		fs, ok := problem.AsFields(err)
		if !ok {
			return err
		}
		return h.refuseForm(c, v, fs)
	}
	h.record(c, action, src, sourceSettings(src))
	return c.Redirect(fmt.Sprintf("/sources/%d?saved=1", src.ID), fiber.StatusSeeOther)
}

func (h *sourceHandler) refuseForm(c *fiber.Ctx, v sourceFormView, fs problem.Fields) error {
	c.Status(fiber.StatusBadRequest)
	return h.renderForm(c, v, fs)
}

func (h *sourceHandler) updateForm(c *fiber.Ctx) error {
	cur, err := h.source(c)
	if err != nil {
		return err
	}
	in, v, fs := inputFromForm(c)
	in.Name, in.Kind = "", "" // shown, not editable
	if !cur.Pulled() {
		in = SourceInput{Origin: in.Origin} // a push source has only its origin to set
	}
	v.Row = rowOf(cur, time.Now().UTC())
	v.Row.Origin = in.Origin
	v.Row.URL, v.Row.Directory = c.FormValue("url"), c.FormValue("directory")
	switch {
	case len(fs) > 0:
	case in.URL == "" && cur.Kind == KindHTTPFeed:
		fs.Add("url", "field.required")
	case in.Directory == "" && cur.Kind == KindDirectory:
		fs.Add("directory", "field.required")
	default:
		return h.saveForm(c, v, audit.RecordChanged, func() (Source, error) { return h.sources.Update(c.UserContext(), cur.ID, in) })
	}
	return h.refuseForm(c, v, fs)
}

func (h *sourceHandler) enableForm(enabled bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		id, err := sourceID(c)
		if err != nil {
			return err
		}
		src, err := h.sources.SetEnabled(c.UserContext(), id, enabled)
		if err != nil {
			return err
		}
		h.record(c, audit.RecordChanged, src, fmt.Sprintf("enabled=%t", enabled))
		return c.Redirect("/sources", fiber.StatusSeeOther)
	}
}

func (h *sourceHandler) pollForm(c *fiber.Ctx) error {
	id, err := sourceID(c)
	if err != nil {
		return err
	}
	if err := h.sources.PollNow(c.UserContext(), id); err != nil {
		return err
	}
	return c.Redirect("/sources?polled=1", fiber.StatusSeeOther)
}
