package auth

// Scope is the set of authorities whose figures a principal may see. It is
// the one mandatory path for authority scoping: every query for figures
// takes a Scope and applies it with AuthorityFilter (SQL) or Allows (Go).
// The zero Scope sees nothing, and a Scope that sees more can only be made
// by ScopeFor from a principal, so a forgotten or forged scope fails closed.
type Scope struct {
	all       bool
	authority string // the one authority CVR, when !all
}

// ScopeFor is the scope of a principal: admins and managers see every
// authority, an authority user its own; everyone else none.
func ScopeFor(p *Principal) Scope {
	if p == nil {
		return Scope{}
	}
	switch p.Role {
	case RoleAdmin, RoleManager:
		return Scope{all: true}
	case RoleAuthority:
		if p.AuthorityCVR != "" {
			return Scope{authority: p.AuthorityCVR}
		}
	}
	return Scope{}
}

// SystemScope is for the app's own jobs (scheduled reports, CLI reports run
// by an operator on the server): every authority.
func SystemScope() Scope { return Scope{all: true} }

// AuthorityScope narrows to one authority, for an operator's per-authority report.
func AuthorityScope(cvr string) Scope { return Scope{authority: cvr} }

// All reports whether the scope covers every authority.
func (s Scope) All() bool { return s.all }

// Allows reports whether figures of the authority with this CVR may be shown.
func (s Scope) Allows(cvr string) bool { return s.all || (s.authority != "" && s.authority == cvr) }

// AuthorityFilter returns a SQL condition restricting column (an authority
// CVR column) to this scope, with its arguments. It works in SQLite and
// ClickHouse alike.
func (s Scope) AuthorityFilter(column string) (string, []any) {
	switch {
	case s.all:
		return "1 = 1", nil
	case s.authority != "":
		return column + " = ?", []any{s.authority}
	default:
		return "1 = 0", nil
	}
}
