package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// tokenPrefix marks Pilotpulse API tokens so they are recognisable in leaks.
const tokenPrefix = "pp_"

// Token is an API token as listed (never its secret).
type Token struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	UserEmail  string     `json:"user,omitempty"`
	SourceName string     `json:"source,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// CreateUserToken makes a token that acts as the user. The secret is
// returned once and only its hash is kept.
func (s *Service) CreateUserToken(ctx context.Context, email, name, createdBy string) (Token, string, error) {
	u, err := s.UserByEmail(ctx, email)
	if errors.Is(err, ErrNotFound) {
		return Token{}, "", problem.Fields{{Field: "owner", Message: problem.Msg("auth.no_user", email)}}
	}
	if err != nil {
		return Token{}, "", fmt.Errorf("user %q: %w", email, err)
	}
	if u.Disabled {
		return Token{}, "", problem.Fields{{Field: "owner", Message: problem.Msg("auth.user_disabled", email)}}
	}
	return s.createToken(ctx, "user_id", u.ID, name, createdBy)
}

// CreateSourceToken makes a token for an ingestion source, creating a push
// source of that name if none exists. Such a token may only send events.
func (s *Service) CreateSourceToken(ctx context.Context, source, name, createdBy string) (Token, string, error) {
	source = strings.TrimSpace(source)
	if source == "" || len(source) > 100 {
		return Token{}, "", problem.Fields{{Field: "owner", Message: problem.Msg("auth.source_name", 100)}}
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `SELECT id FROM sources WHERE name = ?`, source).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.QueryRowContext(ctx, `INSERT INTO sources (name, kind, created_at) VALUES (?, 'push', ?) RETURNING id`,
			source, s.Now()).Scan(&id)
	}
	if err != nil {
		return Token{}, "", err
	}
	return s.createToken(ctx, "source_id", id, name, createdBy)
}

func (s *Service) createToken(ctx context.Context, column string, owner int64, name, createdBy string) (Token, string, error) {
	secret := tokenPrefix + RandomToken(32)
	prefix := secret[:10]
	if len(name) > 100 {
		return Token{}, "", problem.Fields{{Field: "name", Message: problem.Msg("field.too_long", 100)}}
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO api_tokens (name, token_hash, prefix, `+column+`, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, name, hashToken(secret), prefix, owner, createdBy, s.Now()).Scan(&id)
	if err != nil {
		return Token{}, "", err
	}
	t, err := s.token(ctx, id)
	return t, secret, err
}

const tokenSelect = `SELECT t.id, t.name, t.prefix, coalesce(u.email, ''), coalesce(src.name, ''), t.created_by, t.created_at, t.last_used_at, t.revoked_at
	FROM api_tokens t LEFT JOIN users u ON u.id = t.user_id LEFT JOIN sources src ON src.id = t.source_id`

func scanToken(row interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var used, revoked sql.NullTime
	err := row.Scan(&t.ID, &t.Name, &t.Prefix, &t.UserEmail, &t.SourceName, &t.CreatedBy, &t.CreatedAt, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return t, ErrNotFound
	}
	if used.Valid {
		t.LastUsedAt = &used.Time
	}
	if revoked.Valid {
		t.RevokedAt = &revoked.Time
	}
	return t, err
}

func (s *Service) token(ctx context.Context, id int64) (Token, error) {
	return scanToken(s.db.QueryRowContext(ctx, tokenSelect+` WHERE t.id = ?`, id))
}

// Tokens lists every token, newest first.
func (s *Service) Tokens(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, tokenSelect+` ORDER BY t.id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ts []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		ts = append(ts, t)
	}
	return ts, rows.Err()
}

// RevokeToken revokes a token; it stops working at once.
func (s *Service) RevokeToken(ctx context.Context, id int64) (Token, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, s.Now(), id)
	if err != nil {
		return Token{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.token(ctx, id); err != nil {
			return Token{}, err
		}
	}
	return s.token(ctx, id)
}

// PrincipalForToken resolves a bearer token to whom it acts as.
func (s *Service) PrincipalForToken(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, tokenPrefix) || len(secret) > 100 {
		return nil, ErrNotFound
	}
	var id int64
	var userID, sourceID sql.NullInt64
	var revoked sql.NullTime
	var used sql.NullTime
	err := s.db.QueryRowContext(ctx, `SELECT id, user_id, source_id, revoked_at, last_used_at FROM api_tokens WHERE token_hash = ?`,
		hashToken(secret)).Scan(&id, &userID, &sourceID, &revoked, &used)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	p := &Principal{Via: "token", TokenID: id}
	if userID.Valid {
		u, err := s.User(ctx, userID.Int64)
		if err != nil {
			return nil, err
		}
		if u.Disabled {
			return nil, ErrNotFound
		}
		p.UserID, p.Email, p.Role, p.AuthorityCVR, p.Language = u.ID, u.Email, u.Role, u.AuthorityCVR, u.Language
	} else {
		p.Role, p.SourceID = RoleSource, sourceID.Int64
		if err := s.db.QueryRowContext(ctx, `SELECT name FROM sources WHERE id = ?`, sourceID.Int64).Scan(&p.SourceName); err != nil {
			return nil, err
		}
	}
	now := s.Now()
	if !used.Valid || now.Sub(used.Time) > time.Minute {
		s.db.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id)
	}
	return p, nil
}

// PrincipalForSession is the principal of a signed-in session.
func PrincipalForSession(sess Session) *Principal {
	u := sess.User
	return &Principal{UserID: u.ID, Email: u.Email, Role: u.Role, AuthorityCVR: u.AuthorityCVR, Language: u.Language, Via: "session"}
}
