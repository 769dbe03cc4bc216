// Package auth holds who may do what: roles, users and their passwords,
// sessions, API tokens, sign-in throttling, and the authority scope that
// every query for figures takes.
package auth

import "github.com/pilotpulse/pilotpulse/internal/problem"

// Role is what a user may do. See README.md (Roles).
type Role string

const (
	RoleAdmin     Role = "admin"     // everything
	RoleSupport   Role = "support"   // companies and support calls
	RoleManager   Role = "manager"   // every dashboard and report, read-only
	RoleAuthority Role = "authority" // its own authority's figures only
	// RoleSource is not a user role: it is what an ingestion-source token acts as.
	// It may only send events.
	RoleSource Role = "source"
)

// UserRoles are the roles a user can have.
var UserRoles = []Role{RoleAdmin, RoleSupport, RoleManager, RoleAuthority}

// AllRoles is every role a request can carry, for route tables and tests.
var AllRoles = []Role{RoleAdmin, RoleSupport, RoleManager, RoleAuthority, RoleSource}

// ParseRole checks a user role name.
func ParseRole(s string) (Role, error) {
	for _, r := range UserRoles {
		if string(r) == s {
			return r, nil
		}
	}
	names := make([]any, len(UserRoles))
	for i, r := range UserRoles {
		names[i] = problem.Msg("role." + string(r))
	}
	return "", problem.Reason("auth.bad_role", s, problem.Join(", ", names...))
}

// Principal is who a request acts as.
type Principal struct {
	UserID       int64
	Email        string
	Role         Role
	AuthorityCVR string // set for RoleAuthority
	SourceID     int64  // set for RoleSource
	SourceName   string
	Language     string
	Via          string // "session" or "token"
	TokenID      int64
}

// Name is how the principal appears in the audit log.
func (p *Principal) Name() string {
	if p == nil {
		return "anonymous"
	}
	if p.Role == RoleSource {
		return "source:" + p.SourceName
	}
	return p.Email
}
