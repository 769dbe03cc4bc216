package support

import (
	"embed"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

//go:embed all:templates
var templates embed.FS

// Handler serves the support-call pages and API.
type Handler struct {
	srv   *web.Server
	store *Store
	audit *audit.Log
}

// Who may do what. Support staff and admins log and change calls; managers
// read calls and figures; only admins delete (a deleted call leaves the
// figures, so the project team decides) and see deleted calls. Figures span
// every authority, so they go to the roles whose scope covers all
// authorities (admin, manager). Authority users see nothing here.
var (
	writers       = []auth.Role{auth.RoleAdmin, auth.RoleSupport}
	readers       = []auth.Role{auth.RoleAdmin, auth.RoleSupport, auth.RoleManager}
	adminOnly     = []auth.Role{auth.RoleAdmin}
	figureReaders = []auth.Role{auth.RoleAdmin, auth.RoleManager}
)

// Register adds the support-call templates and routes.
func Register(srv *web.Server, st *Store, log *audit.Log) error {
	h := &Handler{srv: srv, store: st, audit: log}
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	r := srv.Router
	r.Add(web.Route{Method: "GET", Path: "/support/calls", Roles: readers, Summary: "Support calls", Nav: "nav.support_calls", NavOrder: 30, Handler: h.listPage})
	r.Add(web.Route{Method: "GET", Path: "/support/calls/new", Roles: writers, Summary: "Log a call form", Handler: h.newPage})
	r.Add(web.Route{Method: "POST", Path: "/support/calls", Roles: writers, Summary: "Log a call", Handler: h.createForm})
	r.Add(web.Route{Method: "POST", Path: "/support/calls/import", Roles: writers, Summary: "Import calls (CSV/XLSX)", LargeBody: true, Handler: h.importForm})
	r.Add(web.Route{Method: "GET", Path: "/support/calls/:id", Roles: readers, Summary: "One call and its history", Handler: h.callPage})
	r.Add(web.Route{Method: "POST", Path: "/support/calls/:id", Roles: writers, Summary: "Change a call (a new version)", Handler: h.updateForm})
	r.Add(web.Route{Method: "POST", Path: "/support/calls/:id/delete", Roles: adminOnly, Summary: "Delete a call (soft, with a reason)", Handler: h.deleteForm})
	r.Add(web.Route{Method: "POST", Path: "/support/calls/:id/restore", Roles: adminOnly, Summary: "Restore a deleted call", Handler: h.restoreForm})
	r.Add(web.Route{Method: "GET", Path: "/support/figures", Roles: figureReaders, Summary: "Support figures per week", Nav: "nav.support_figures", NavOrder: 31, Handler: h.figuresPage})

	api := func(rt web.Route) { rt.Tag = "support"; r.Add(rt) }
	api(web.Route{Method: "GET", Path: "/api/v1/support/calls", Roles: readers, Summary: "List support calls, newest first (deleted ones only for admins, with deleted=include|only)",
		Query: []string{"week", "company", "desk", "category", "resolution", "follow_up", "search", "deleted", "limit", "offset"}, Returns: []Call{}, Handler: h.listAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/support/calls", Roles: writers, Summary: "Log a call (version 1); received_at defaults to now, handled_by to you",
		Body: Input{}, Returns: Call{}, Handler: h.createAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/support/calls/import", Roles: writers, Summary: "Import calls from a CSV or XLSX file (multipart field 'file'); all rows or none",
		Returns: ImportResult{}, LargeBody: true, Handler: h.importAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/support/calls/:id", Roles: readers, Summary: "Get a call", Returns: Call{}, Handler: h.getAPI})
	api(web.Route{Method: "PUT", Path: "/api/v1/support/calls/:id", Roles: writers, Summary: "Change a call: a new version; 'version' must be the current one (else 409)",
		Body: Input{}, Returns: Call{}, Handler: h.updateAPI})
	api(web.Route{Method: "DELETE", Path: "/api/v1/support/calls/:id", Roles: adminOnly, Summary: "Soft-delete a call with a reason (body {\"reason\"} or ?reason=)",
		Body: deleteBody{}, Query: []string{"reason"}, Returns: Call{}, Handler: h.deleteAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/support/calls/:id/restore", Roles: adminOnly, Summary: "Restore a deleted call (a new version)", Returns: Call{}, Handler: h.restoreAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/support/calls/:id/versions", Roles: readers, Summary: "Every version of a call, oldest first", Returns: []Version{}, Handler: h.versionsAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/support/figures", Roles: figureReaders,
		Summary: "Support figures per ISO week (Europe/Copenhagen): calls, calling companies of the pilot, callers, by category/desk/resolution, share not solved per desk, median duration, follow-ups past due",
		Query:   []string{"from", "to", "week", "cohort", "kind", "as_of"}, Returns: Report{}, Handler: h.figuresAPI})
	return nil
}
