package registry

import (
	"embed"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

//go:embed all:templates
var templates embed.FS

// Handler serves the registry pages and API.
type Handler struct {
	srv   *web.Server
	store *Store
	audit *audit.Log
}

var (
	adminOnly       = []auth.Role{auth.RoleAdmin}
	companyReaders  = []auth.Role{auth.RoleAdmin, auth.RoleSupport, auth.RoleManager}
	authorityReader = []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority}
)

// Register adds the registry's templates and routes.
func Register(srv *web.Server, st *Store, log *audit.Log) error {
	h := &Handler{srv: srv, store: st, audit: log}
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	r := srv.Router
	r.Add(web.Route{Method: "GET", Path: "/companies", Roles: companyReaders, Summary: "Companies", Nav: "nav.companies", NavOrder: 10, Handler: h.companiesPage})
	r.Add(web.Route{Method: "GET", Path: "/companies/new", Roles: adminOnly, Summary: "New company form", Handler: h.newCompanyPage})
	r.Add(web.Route{Method: "POST", Path: "/companies", Roles: adminOnly, Summary: "Create a company", Handler: h.createCompanyForm})
	r.Add(web.Route{Method: "POST", Path: "/companies/import", Roles: adminOnly, Summary: "Import companies (CSV/XLSX)", LargeBody: true, Handler: h.importCompaniesForm})
	// GET /companies/:cvr is the company's hub (dashboards); its register form is here.
	r.Add(web.Route{Method: "GET", Path: "/companies/:cvr/edit", Roles: companyReaders, Summary: "One company's register form (read-only but for admins)", Handler: h.companyPage})
	r.Add(web.Route{Method: "POST", Path: "/companies/:cvr", Roles: adminOnly, Summary: "Change a company", Handler: h.updateCompanyForm})

	r.Add(web.Route{Method: "GET", Path: "/authorities", Roles: authorityReader, Summary: "Authorities", Nav: "nav.authorities", NavOrder: 20, Handler: h.authoritiesPage})
	r.Add(web.Route{Method: "GET", Path: "/authorities/new", Roles: adminOnly, Summary: "New authority form", Handler: h.newAuthorityPage})
	r.Add(web.Route{Method: "POST", Path: "/authorities", Roles: adminOnly, Summary: "Create an authority", Handler: h.createAuthorityForm})
	r.Add(web.Route{Method: "POST", Path: "/authorities/import", Roles: adminOnly, Summary: "Import authorities (CSV/XLSX)", LargeBody: true, Handler: h.importAuthoritiesForm})
	r.Add(web.Route{Method: "GET", Path: "/authorities/:cvr", Roles: authorityReader, Summary: "One authority", Handler: h.authorityPage})
	r.Add(web.Route{Method: "POST", Path: "/authorities/:cvr", Roles: adminOnly, Summary: "Change an authority", Handler: h.updateAuthorityForm})

	api := func(rt web.Route) { rt.Tag = "registry"; r.Add(rt) }
	api(web.Route{Method: "GET", Path: "/api/v1/companies", Roles: companyReaders, Summary: "List companies", Query: []string{"search", "cohort", "kind"}, Returns: []Company{}, Handler: h.listCompaniesAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/companies", Roles: adminOnly, Summary: "Create a company", Body: Company{}, Returns: Company{}, Handler: h.createCompanyAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/companies/import", Roles: adminOnly, Summary: "Import companies from a CSV or XLSX file (multipart field 'file'); all rows or none", Returns: importResult{}, LargeBody: true, Handler: h.importCompaniesAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/companies/:cvr", Roles: companyReaders, Summary: "Get a company", Returns: Company{}, Handler: h.getCompanyAPI})
	api(web.Route{Method: "PUT", Path: "/api/v1/companies/:cvr", Roles: adminOnly, Summary: "Replace a company", Body: Company{}, Returns: Company{}, Handler: h.updateCompanyAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/authorities", Roles: authorityReader, Summary: "List authorities (an authority user sees only its own)", Query: []string{"search"}, Returns: []Authority{}, Handler: h.listAuthoritiesAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/authorities", Roles: adminOnly, Summary: "Create an authority", Body: Authority{}, Returns: Authority{}, Handler: h.createAuthorityAPI})
	api(web.Route{Method: "POST", Path: "/api/v1/authorities/import", Roles: adminOnly, Summary: "Import authorities from a CSV or XLSX file (multipart field 'file'); all rows or none", Returns: importResult{}, LargeBody: true, Handler: h.importAuthoritiesAPI})
	api(web.Route{Method: "GET", Path: "/api/v1/authorities/:cvr", Roles: authorityReader, Summary: "Get an authority (an authority user only its own)", Returns: Authority{}, Handler: h.getAuthorityAPI})
	api(web.Route{Method: "PUT", Path: "/api/v1/authorities/:cvr", Roles: adminOnly, Summary: "Replace an authority", Body: Authority{}, Returns: Authority{}, Handler: h.updateAuthorityAPI})
	return nil
}
