package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Session is a signed-in browser.
type Session struct {
	ID        string // the cookie value; only its hash is stored
	CSRFToken string
	User      User
	CreatedAt time.Time
}

// RandomToken returns n random bytes, URL-safe base64 encoded.
func RandomToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// CreateSession starts a new session for a user (a fresh id at every sign-in).
func (s *Service) CreateSession(ctx context.Context, u User, ip, userAgent string) (Session, error) {
	sess := Session{ID: RandomToken(32), CSRFToken: RandomToken(32), User: u, CreatedAt: s.Now()}
	if len(userAgent) > 300 {
		userAgent = userAgent[:300]
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, ip, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, hashToken(sess.ID), u.ID, sess.CSRFToken, sess.CreatedAt, sess.CreatedAt, ip, userAgent)
	return sess, err
}

// ErrSessionExpired is a session past its idle or absolute timeout.
var ErrSessionExpired = errors.New("session expired")

// Session looks a session up by its cookie value, ends it when it is past
// a timeout, and otherwise records it as seen now.
func (s *Service) Session(ctx context.Context, id string) (Session, error) {
	if id == "" || len(id) > 100 {
		return Session{}, ErrNotFound
	}
	var sess Session
	var userID int64
	var lastSeen time.Time
	err := s.db.QueryRowContext(ctx, `SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = ?`,
		hashToken(id)).Scan(&userID, &sess.CSRFToken, &sess.CreatedAt, &lastSeen)
	if errors.Is(err, sql.ErrNoRows) {
		return sess, ErrNotFound
	}
	if err != nil {
		return sess, err
	}
	now := s.Now()
	if now.Sub(lastSeen) > s.SessionIdle || now.Sub(sess.CreatedAt) > s.SessionAbsolute {
		s.EndSession(ctx, id)
		return sess, ErrSessionExpired
	}
	sess.ID = id
	if sess.User, err = s.User(ctx, userID); err != nil {
		return sess, err
	}
	if sess.User.Disabled {
		s.EndSession(ctx, id)
		return sess, ErrSessionExpired
	}
	// Record activity at most once a minute to spare writes.
	if now.Sub(lastSeen) > time.Minute {
		_, err = s.db.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, now, hashToken(id))
	}
	return sess, err
}

// EndSession signs a session out.
func (s *Service) EndSession(ctx context.Context, id string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hashToken(id))
	return err
}

// PurgeSessions deletes sessions past their timeouts.
func (s *Service) PurgeSessions(ctx context.Context) error {
	now := s.Now()
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?`,
		now.Add(-s.SessionIdle), now.Add(-s.SessionAbsolute))
	return err
}

// SetLanguage stores a user's language choice.
func (s *Service) SetLanguage(ctx context.Context, userID int64, lang string) error {
	if lang != "da" && lang != "en" {
		return problem.Fields{{Field: "lang", Message: problem.Msg("error.lang_choice")}}
	}
	_, err := s.db.ExecContext(ctx, `UPDATE users SET language = ? WHERE id = ?`, lang, userID)
	return err
}
