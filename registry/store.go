package registry

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// Errors of the registry store: a record that is not there (or not in the
// caller's scope), and a CVR that is taken.
var (
	ErrNotFound = problem.NotFound("registry.not_found")
	ErrExists   = problem.Conflict("registry.cvr_exists")
)

// Store keeps companies and authorities in the app database.
type Store struct {
	db   *store.DB
	now  func() time.Time
	kept authoritiesKept // authorities_kept.go
}

// NewStore returns the registry over db.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// Counts of what an upsert did.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// --- companies ---

// CompanyFilter narrows a company listing.
type CompanyFilter struct {
	Search string // part of name or CVR
	Cohort string
	Kind   string
}

// Companies lists companies by name, with their P-numbers and contacts.
func (s *Store) Companies(ctx context.Context, f CompanyFilter) ([]Company, error) {
	q := `SELECT id, cvr, name, kind, cohort, created_at, updated_at FROM companies WHERE 1 = 1`
	var args []any
	if f.Search != "" {
		q += ` AND (name LIKE ? ESCAPE '\' OR cvr LIKE ? ESCAPE '\')`
		like := "%" + likeEscape(f.Search) + "%"
		args = append(args, like, like)
	}
	if f.Cohort != "" {
		q, args = q+` AND cohort = ?`, append(args, f.Cohort)
	}
	if f.Kind != "" {
		q, args = q+` AND kind = ?`, append(args, f.Kind)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY name, cvr`, args...)
	if err != nil {
		return nil, err
	}
	var cs []Company
	for rows.Next() {
		var c Company
		if err := rows.Scan(&c.ID, &c.CVR, &c.Name, &c.Kind, &c.Cohort, &c.CreatedAt, &c.UpdatedAt); err != nil {
			rows.Close()
			return nil, err
		}
		cs = append(cs, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range cs {
		if err := s.loadCompanyParts(ctx, s.db, &cs[i]); err != nil {
			return nil, err
		}
	}
	return cs, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (s *Store) loadCompanyParts(ctx context.Context, q querier, c *Company) error {
	c.PNumbers, c.Contacts = []string{}, []Contact{}
	rows, err := q.QueryContext(ctx, `SELECT p_number FROM company_p_numbers WHERE company_id = ? ORDER BY p_number`, c.ID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return err
		}
		c.PNumbers = append(c.PNumbers, p)
	}
	rows.Close()
	rows, err = q.QueryContext(ctx, `SELECT name, email, phone, language FROM contacts WHERE company_id = ? AND removed_at IS NULL ORDER BY position, id`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ct Contact
		if err := rows.Scan(&ct.Name, &ct.Email, &ct.Phone, &ct.Language); err != nil {
			return err
		}
		c.Contacts = append(c.Contacts, ct)
	}
	return rows.Err()
}

func (s *Store) company(ctx context.Context, q querier, cvr string) (Company, error) {
	var c Company
	err := q.QueryRowContext(ctx, `SELECT id, cvr, name, kind, cohort, created_at, updated_at FROM companies WHERE cvr = ?`, cvr).
		Scan(&c.ID, &c.CVR, &c.Name, &c.Kind, &c.Cohort, &c.CreatedAt, &c.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, err
	}
	return c, s.loadCompanyParts(ctx, q, &c)
}

// Company returns one company by CVR.
func (s *Store) Company(ctx context.Context, cvr string) (Company, error) {
	return s.company(ctx, s.db, cvr)
}

// CreateCompany stores a new company; ErrExists if the CVR is taken.
func (s *Store) CreateCompany(ctx context.Context, c Company) (Company, error) {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.company(ctx, tx, c.CVR); err == nil {
			return ErrExists
		}
		_, err := s.upsertCompany(ctx, tx, c)
		return err
	})
	if err != nil {
		return c, err
	}
	return s.Company(ctx, c.CVR)
}

// UpdateCompany replaces the company with this CVR (which may change to c.CVR).
func (s *Store) UpdateCompany(ctx context.Context, cvr string, c Company) (Company, error) {
	c.Normalize()
	if err := c.Validate(); err != nil {
		return c, err
	}
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		old, err := s.company(ctx, tx, cvr)
		if err != nil {
			return err
		}
		if c.CVR != old.CVR {
			if _, err := s.company(ctx, tx, c.CVR); err == nil {
				return ErrExists
			}
			if _, err := tx.ExecContext(ctx, `UPDATE companies SET cvr = ? WHERE id = ?`, c.CVR, old.ID); err != nil {
				return err
			}
		}
		_, err = s.upsertCompany(ctx, tx, c)
		return err
	})
	if err != nil {
		return c, err
	}
	return s.Company(ctx, c.CVR)
}

// UpsertCompanies stores a whole import in one transaction: a company with a
// known CVR is updated, a new one created; all or nothing.
func (s *Store) UpsertCompanies(ctx context.Context, cs []Company) (Counts, error) {
	var n Counts
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		n = Counts{}
		for _, c := range cs {
			r, err := s.upsertCompany(ctx, tx, c)
			if err != nil {
				return err
			}
			switch r {
			case created:
				n.Created++
			case updated:
				n.Updated++
			default:
				n.Unchanged++
			}
		}
		return nil
	})
	return n, err
}

type upsertResult int

const (
	unchanged upsertResult = iota
	created
	updated
)

func sameCompany(a, b Company) bool {
	if a.Name != b.Name || a.Kind != b.Kind || a.Cohort != b.Cohort || !slices.Equal(sortedCopy(a.PNumbers), sortedCopy(b.PNumbers)) {
		return false
	}
	return slices.Equal(a.Contacts, b.Contacts)
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// upsertCompany writes one validated company inside tx. Contacts are matched
// by e-mail: kept rows are updated, new ones added, missing ones marked removed
// (never deleted: later records point at them).
func (s *Store) upsertCompany(ctx context.Context, tx *sql.Tx, c Company) (upsertResult, error) {
	old, err := s.company(ctx, tx, c.CVR)
	result := updated
	switch {
	case errors.Is(err, ErrNotFound):
		result = created
	case err != nil:
		return 0, err
	case sameCompany(old, c):
		return unchanged, nil
	}
	now := s.now()
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO companies (cvr, name, kind, cohort, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (cvr) DO UPDATE SET name = excluded.name, kind = excluded.kind, cohort = excluded.cohort, updated_at = excluded.updated_at
		RETURNING id`, c.CVR, c.Name, c.Kind, c.Cohort, now, now).Scan(&id)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM company_p_numbers WHERE company_id = ?`, id); err != nil {
		return 0, err
	}
	for _, p := range c.PNumbers {
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO company_p_numbers (company_id, p_number) VALUES (?, ?)`, id, p); err != nil {
			return 0, err
		}
	}
	keep := make([]any, 0, len(c.Contacts)+1)
	keep = append(keep, id)
	for i, ct := range c.Contacts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO contacts (company_id, position, name, email, phone, language) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (company_id, email) DO UPDATE SET position = excluded.position, name = excluded.name, phone = excluded.phone,
			language = excluded.language, removed_at = NULL`, id, i, ct.Name, ct.Email, ct.Phone, ct.Language); err != nil {
			return 0, err
		}
		keep = append(keep, ct.Email)
	}
	q := `UPDATE contacts SET removed_at = ? WHERE company_id = ? AND removed_at IS NULL`
	if len(c.Contacts) > 0 {
		q += ` AND email NOT IN (?` + strings.Repeat(", ?", len(c.Contacts)-1) + `)`
	}
	if _, err := tx.ExecContext(ctx, q, append([]any{now}, keep...)...); err != nil {
		return 0, err
	}
	return result, nil
}

// --- authorities ---

const authoritySelect = `id, cvr, name, kind, weekly_target, created_at, updated_at`

func scanAuthority(row interface{ Scan(...any) error }) (Authority, error) {
	var a Authority
	var target sql.NullInt64
	err := row.Scan(&a.ID, &a.CVR, &a.Name, &a.Kind, &target, &a.CreatedAt, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if target.Valid {
		a.WeeklyTarget = &target.Int64
	}
	return a, err
}

// Authorities lists the authorities the scope may see, by name.
func (s *Store) Authorities(ctx context.Context, scope auth.Scope, search string) ([]Authority, error) {
	if search == "" {
		list, err := s.allAuthorities(ctx)
		if err != nil {
			return nil, err
		}
		return scoped(list, scope), nil
	}
	return s.queryAuthorities(ctx, scope, search)
}

// queryAuthorities is Authorities read from the table.
func (s *Store) queryAuthorities(ctx context.Context, scope auth.Scope, search string) ([]Authority, error) {
	cond, args := scope.AuthorityFilter("cvr")
	q := `SELECT ` + authoritySelect + ` FROM authorities WHERE ` + cond
	if search != "" {
		like := "%" + likeEscape(search) + "%"
		q += ` AND (name LIKE ? ESCAPE '\' OR cvr LIKE ? ESCAPE '\')`
		args = append(args, like, like)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY name, cvr`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	as := []Authority{}
	for rows.Next() {
		a, err := scanAuthority(rows)
		if err != nil {
			return nil, err
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

// Authority returns one authority the scope may see; ErrNotFound otherwise
// (an authority user cannot even learn whether another CVR exists).
func (s *Store) Authority(ctx context.Context, scope auth.Scope, cvr string) (Authority, error) {
	cond, args := scope.AuthorityFilter("cvr")
	return scanAuthority(s.db.QueryRowContext(ctx, `SELECT `+authoritySelect+` FROM authorities WHERE cvr = ? AND `+cond,
		append([]any{cvr}, args...)...))
}

// CreateAuthority stores a new authority; ErrExists if the CVR is taken.
func (s *Store) CreateAuthority(ctx context.Context, a Authority) (Authority, error) {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return a, err
	}
	now := s.now()
	_, err := s.db.ExecContext(ctx, `INSERT INTO authorities (cvr, name, kind, weekly_target, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		a.CVR, a.Name, a.Kind, nullInt(a.WeeklyTarget), now, now)
	if store.IsUnique(err) {
		return a, ErrExists
	}
	if err != nil {
		return a, err
	}
	return s.Authority(ctx, auth.SystemScope(), a.CVR)
}

// UpdateAuthority replaces the authority with this CVR.
func (s *Store) UpdateAuthority(ctx context.Context, cvr string, a Authority) (Authority, error) {
	a.Normalize()
	if err := a.Validate(); err != nil {
		return a, err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE authorities SET cvr = ?, name = ?, kind = ?, weekly_target = ?, updated_at = ? WHERE cvr = ?`,
		a.CVR, a.Name, a.Kind, nullInt(a.WeeklyTarget), s.now(), cvr)
	if store.IsUnique(err) {
		return a, ErrExists
	}
	if err != nil {
		return a, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return a, ErrNotFound
	}
	return s.Authority(ctx, auth.SystemScope(), a.CVR)
}

// UpsertAuthorities stores a whole import in one transaction.
func (s *Store) UpsertAuthorities(ctx context.Context, as []Authority) (Counts, error) {
	var n Counts
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		n = Counts{}
		now := s.now()
		for _, a := range as {
			old, err := scanAuthority(tx.QueryRowContext(ctx, `SELECT `+authoritySelect+` FROM authorities WHERE cvr = ?`, a.CVR))
			switch {
			case errors.Is(err, ErrNotFound):
				n.Created++
			case err != nil:
				return err
			case old.Name == a.Name && old.Kind == a.Kind && equalTarget(old.WeeklyTarget, a.WeeklyTarget):
				n.Unchanged++
				continue
			default:
				n.Updated++
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO authorities (cvr, name, kind, weekly_target, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (cvr) DO UPDATE SET name = excluded.name, kind = excluded.kind, weekly_target = excluded.weekly_target,
				updated_at = excluded.updated_at`, a.CVR, a.Name, a.Kind, nullInt(a.WeeklyTarget), now, now); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

func equalTarget(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
