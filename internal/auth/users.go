package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// User is a person who signs in.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Role         Role      `json:"role"`
	AuthorityCVR string    `json:"authority_cvr,omitempty"`
	Language     string    `json:"language"`
	CreatedAt    time.Time `json:"created_at"`
	Disabled     bool      `json:"disabled"`
}

// Errors the service returns; handlers map them to statuses.
var (
	ErrNotFound      = problem.NotFound("error.not_found_record")
	ErrEmailTaken    = errors.New("a user with this e-mail already exists")
	ErrBadCredential = errors.New("wrong e-mail or password")
	ErrNoAuthority   = errors.New("authority is not in the registry: add or import it first")
)

// Service keeps users, sessions and tokens in the app database.
type Service struct {
	db              *store.DB
	SessionIdle     time.Duration
	SessionAbsolute time.Duration
	Now             func() time.Time
}

// NewService returns the auth service over db.
func NewService(db *store.DB, idle, absolute time.Duration) *Service {
	return &Service{db: db, SessionIdle: idle, SessionAbsolute: absolute, Now: func() time.Time { return time.Now().UTC() }}
}

// NewUser is what creating a user takes.
type NewUser struct {
	Email        string
	Role         Role
	AuthorityCVR string
	Password     string
	Language     string
}

// Validate checks the fields of a new user and normalizes them. Its
// problems are problem.Fields named as the API names them (email, role,
// authority_cvr, language, password), in the reader's language.
func (n *NewUser) Validate() error {
	var fs problem.Fields
	n.Email = strings.ToLower(strings.TrimSpace(n.Email))
	if a, err := mail.ParseAddress(n.Email); err != nil || a.Address != n.Email || len(n.Email) > 254 {
		fs.Add("email", "auth.bad_email", n.Email)
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		fs.AddErr("role", err)
	}
	if n.Role == RoleAuthority && n.AuthorityCVR == "" {
		fs.Add("authority_cvr", "auth.authority_needed")
	}
	if n.Role != RoleAuthority && n.AuthorityCVR != "" {
		fs.Add("authority_cvr", "auth.authority_only")
	}
	if n.Language == "" {
		n.Language = "da"
	}
	if n.Language != "da" && n.Language != "en" {
		fs.Add("language", "error.lang_choice")
	}
	if err := CheckPasswordStrength(n.Password); err != nil {
		fs.AddErr("password", err)
	}
	return fs.Err()
}

// CreateUser stores a new user.
func (s *Service) CreateUser(ctx context.Context, n NewUser) (User, error) {
	if err := n.Validate(); err != nil {
		return User{}, err
	}
	hash, err := HashPassword(n.Password)
	if err != nil {
		return User{}, err
	}
	now := s.Now()
	var cvr any
	if n.AuthorityCVR != "" {
		cvr = n.AuthorityCVR
		var ok int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM authorities WHERE cvr = ?`, n.AuthorityCVR).Scan(&ok); err != nil {
			return User{}, err
		}
		if ok == 0 {
			return User{}, fmt.Errorf("authority %s: %w", n.AuthorityCVR, ErrNoAuthority)
		}
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO users (email, role, authority_cvr, password_hash, language, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, n.Email, n.Role, cvr, hash, n.Language, now, now)
	if store.IsUnique(err) {
		return User{}, ErrEmailTaken
	}
	if err != nil {
		return User{}, err
	}
	id, _ := res.LastInsertId()
	return s.User(ctx, id)
}

const userColumns = `id, email, role, coalesce(authority_cvr, ''), language, created_at, disabled_at IS NOT NULL`

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	err := row.Scan(&u.ID, &u.Email, &u.Role, &u.AuthorityCVR, &u.Language, &u.CreatedAt, &u.Disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// User returns one user by id.
func (s *Service) User(ctx context.Context, id int64) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
}

// UserByEmail returns one user by e-mail (any case).
func (s *Service) UserByEmail(ctx context.Context, email string) (User, error) {
	return scanUser(s.db.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, strings.TrimSpace(email)))
}

// Users lists every user by e-mail.
func (s *Service) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	return us, rows.Err()
}

// HasAdmin reports whether an enabled admin exists.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL`).Scan(&n)
	return n > 0, err
}

// Authenticate checks an e-mail and password. Unknown e-mail, disabled user
// and wrong password all give ErrBadCredential, in the same time.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	var hash string
	var disabled bool
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id, password_hash, disabled_at IS NOT NULL FROM users WHERE email = ?`,
		strings.TrimSpace(email)).Scan(&id, &hash, &disabled)
	if errors.Is(err, sql.ErrNoRows) {
		VerifyPassword(dummyHash, password)
		return User{}, ErrBadCredential
	}
	if err != nil {
		return User{}, err
	}
	ok, err := VerifyPassword(hash, password)
	if err != nil {
		return User{}, err
	}
	if !ok || disabled {
		return User{}, ErrBadCredential
	}
	return s.User(ctx, id)
}

// UserChange is an admin's edit of a user; nil fields stay as they are.
type UserChange struct {
	Role         *Role
	AuthorityCVR *string
	Disabled     *bool
	Language     *string
	Password     *string
}

// UpdateUser applies a change and returns the user after it. Disabling a
// user or changing its role ends its sessions.
func (s *Service) UpdateUser(ctx context.Context, id int64, ch UserChange) (User, error) {
	u, err := s.User(ctx, id)
	if err != nil {
		return u, err
	}
	n := NewUser{Email: u.Email, Role: u.Role, AuthorityCVR: u.AuthorityCVR, Language: u.Language, Password: "placeholder-long-enough"}
	if ch.Role != nil {
		n.Role = *ch.Role
		if n.Role != RoleAuthority {
			n.AuthorityCVR = ""
		}
	}
	if ch.AuthorityCVR != nil {
		n.AuthorityCVR = *ch.AuthorityCVR
	}
	if ch.Language != nil {
		n.Language = *ch.Language
	}
	if ch.Password != nil {
		n.Password = *ch.Password
	}
	if err := n.Validate(); err != nil {
		return u, err
	}
	endSessions := false
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		var cvr any
		if n.AuthorityCVR != "" {
			cvr = n.AuthorityCVR
		}
		now := s.Now()
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, authority_cvr = ?, language = ?, updated_at = ? WHERE id = ?`,
			n.Role, cvr, n.Language, now, id); err != nil {
			if store.IsForeignKey(err) {
				return fmt.Errorf("authority %s: %w", n.AuthorityCVR, ErrNoAuthority)
			}
			return err
		}
		endSessions = n.Role != u.Role || n.AuthorityCVR != u.AuthorityCVR
		if ch.Password != nil {
			hash, err := HashPassword(*ch.Password)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, id); err != nil {
				return err
			}
			endSessions = true
		}
		if ch.Disabled != nil {
			var at any
			if *ch.Disabled {
				at = now
				endSessions = true
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, at, id); err != nil {
				return err
			}
		}
		if endSessions {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return u, err
	}
	return s.User(ctx, id)
}
