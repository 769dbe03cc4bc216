// Package account is the admin's side of people and access: users and
// their roles, API tokens, and the audit log.
package account

import (
	"embed"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

//go:embed all:templates
var templates embed.FS

// Handler serves the account pages and API.
type Handler struct {
	srv   *web.Server
	auth  *auth.Service
	audit *audit.Log
	// afterPasswordChange runs after a user changed its own password.
	afterPasswordChange func(email string)
}

var admin = []auth.Role{auth.RoleAdmin}

// Register adds the package's templates and routes.
// afterPasswordChange (may be nil) runs after a user changed its own password.
func Register(srv *web.Server, a *auth.Service, log *audit.Log, afterPasswordChange func(email string)) error {
	h := &Handler{srv: srv, auth: a, audit: log, afterPasswordChange: afterPasswordChange}
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	r := srv.Router
	r.Add(web.Route{Method: "GET", Path: "/admin/users", Roles: admin, Summary: "Users", Nav: "nav.users", NavOrder: 80, Handler: h.usersPage})
	r.Add(web.Route{Method: "POST", Path: "/admin/users", Roles: admin, Summary: "Create a user", Handler: h.createUserForm})
	r.Add(web.Route{Method: "POST", Path: "/admin/users/:id", Roles: admin, Summary: "Change a user", Handler: h.updateUserForm})
	r.Add(web.Route{Method: "GET", Path: "/admin/tokens", Roles: admin, Summary: "API tokens", Nav: "nav.tokens", NavOrder: 81, Handler: h.tokensPage})
	r.Add(web.Route{Method: "POST", Path: "/admin/tokens", Roles: admin, Summary: "Create an API token", Handler: h.createTokenForm})
	r.Add(web.Route{Method: "POST", Path: "/admin/tokens/:id/revoke", Roles: admin, Summary: "Revoke an API token", Handler: h.revokeTokenForm})
	r.Add(web.Route{Method: "GET", Path: "/account/password", Roles: web.UserRolesAll, Summary: "Change your password", Handler: h.passwordPage})
	r.Add(web.Route{Method: "POST", Path: "/account/password", Roles: web.UserRolesAll, Summary: "Change your password", Handler: h.changePassword})
	r.Add(web.Route{Method: "GET", Path: "/admin/audit", Roles: admin, Summary: "Audit log", Nav: "nav.audit", NavOrder: 82, Handler: h.auditPage})

	r.Add(web.Route{Method: "GET", Path: "/api/v1/users", Roles: admin, Tag: "users", Summary: "List users", Returns: []auth.User{}, Handler: h.listUsersAPI})
	r.Add(web.Route{Method: "POST", Path: "/api/v1/users", Roles: admin, Tag: "users", Summary: "Create a user", Body: userInput{}, Returns: auth.User{}, Handler: h.createUserAPI})
	r.Add(web.Route{Method: "PATCH", Path: "/api/v1/users/:id", Roles: admin, Tag: "users", Summary: "Change a user's role, authority, language or disabled state", Body: userChange{}, Returns: auth.User{}, Handler: h.updateUserAPI})
	r.Add(web.Route{Method: "GET", Path: "/api/v1/audit", Roles: admin, Tag: "audit", Summary: "Audit log, newest first", Query: []string{"action", "actor", "before", "limit"}, Returns: []audit.Entry{}, Handler: h.auditAPI})
	return nil
}
