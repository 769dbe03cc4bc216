// Package audit keeps the audit log: who did what, when (UTC), from where.
// Secrets (passwords, tokens) never go in: callers pass names and ids only.
package audit

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/store"
)

// Entry is one audited action.
type Entry struct {
	ID     int64     `json:"id"`
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"`
	Action string    `json:"action"`
	Target string    `json:"target"`
	Detail string    `json:"detail"`
	IP     string    `json:"ip"`
}

// Actions recorded.
const (
	SignIn        = "sign_in"
	SignInFailed  = "sign_in_failed"
	SignInBlocked = "sign_in_throttled"
	SignOut       = "sign_out"
	UserCreated   = "user_created"
	UserChanged   = "user_changed"
	// PasswordChanged is a user changing its own password.
	PasswordChanged = "password_changed"
	TokenCreated    = "token_created"
	TokenRevoked    = "token_revoked"
	Import          = "import"
	Export          = "export"
	RecordCreated   = "record_created"
	RecordChanged   = "record_changed"
	RecordDeleted   = "record_deleted"
)

// Log writes and reads the audit log.
type Log struct {
	db     *store.DB
	logger *slog.Logger
}

// New returns the audit log over db.
func New(db *store.DB, logger *slog.Logger) *Log { return &Log{db: db, logger: logger} }

// Record appends an entry. A failure to record is logged and returned.
func (l *Log) Record(ctx context.Context, e Entry) error {
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	if len(e.Detail) > 2000 {
		e.Detail = e.Detail[:2000]
	}
	_, err := l.db.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?)`,
		e.At.UTC(), e.Actor, e.Action, e.Target, e.Detail, e.IP)
	if err != nil {
		l.logger.Error("audit log write failed", "action", e.Action, "actor", e.Actor, "err", err)
	}
	return err
}

// Filter narrows a listing.
type Filter struct {
	Action string
	Actor  string
	Limit  int
	Before int64 // entries with id below this (paging); 0 = newest
}

// List returns entries newest first.
func (l *Log) List(ctx context.Context, f Filter) ([]Entry, error) {
	var where []string
	var args []any
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.Actor != "" {
		where, args = append(where, "actor LIKE ?"), append(args, "%"+f.Actor+"%")
	}
	if f.Before > 0 {
		where, args = append(where, "id < ?"), append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 200
	}
	q := `SELECT id, at, actor, action, target, detail, ip FROM audit_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC LIMIT ?"
	rows, err := l.db.QueryContext(ctx, q, append(args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var es []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	return es, rows.Err()
}
