// Package jobs keeps the report files Pilotpulse makes in the background:
// a job is queued (by a user on /reports, or by the app itself), run by a
// bounded worker pool (Run, one of the app's background jobs) that writes
// its file under DATA_DIR/reports while its progress (rows written of the
// rows to write) is kept in the app database, and then downloaded by who
// asked (or an admin) until the retention removes it. A kind of job is a
// Builder registered with Handle; the raw exports are kinds of
// reports/exports, and a scheduled workbook is one more (Simple).
package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// States of a job.
const (
	Queued  = "queued"
	Running = "running"
	Done    = "done"
	Failed  = "failed"
)

// Requester is who asked for a job: a user (with its role and authority
// at the time) or the system (the app's own schedule).
type Requester struct {
	UserID       int64     `json:"user_id,omitempty"`
	Email        string    `json:"email"`
	Role         auth.Role `json:"role,omitempty"`
	AuthorityCVR string    `json:"authority_cvr,omitempty"`
}

// System is the app itself as a requester.
var System = Requester{Email: "system"}

// RequesterOf is the requester of a signed-in user or token.
func RequesterOf(p *auth.Principal) Requester {
	if p == nil {
		return Requester{}
	}
	return Requester{UserID: p.UserID, Email: p.Email, Role: p.Role, AuthorityCVR: p.AuthorityCVR}
}

// Scope is the authority scope the requester had: what its job may read.
func (r Requester) Scope() auth.Scope {
	if r == System {
		return auth.SystemScope()
	}
	return auth.ScopeFor(&auth.Principal{UserID: r.UserID, Email: r.Email, Role: r.Role, AuthorityCVR: r.AuthorityCVR})
}

// Job is one report file being made or made.
type Job struct {
	ID     int64           `json:"id"`
	Kind   string          `json:"kind"`
	Format string          `json:"format"`
	Params json.RawMessage `json:"params"`
	// Summary says what the file holds, for the audit log (English).
	Summary   string    `json:"summary"`
	Lang      string    `json:"lang"`
	Requester Requester `json:"requested_by"`
	// AuthorityCVR is the authority whose data alone the file holds ("":
	// not narrowed to one authority).
	AuthorityCVR string     `json:"authority_cvr,omitempty"`
	State        string     `json:"state"`
	RowsWritten  int64      `json:"rows_written"`
	RowsTotal    *int64     `json:"rows_total"`
	Error        string     `json:"error,omitempty"`
	FileName     string     `json:"file_name,omitempty"`
	Size         *int64     `json:"size_bytes,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	StartedAt    *time.Time `json:"started_at,omitempty"`
	FinishedAt   *time.Time `json:"finished_at,omitempty"`
	path         string     // the file, relative to the data dir
}

// Percent is how far the job is, 0 to 100: rows written of the total
// (99 at most until done), 100 when done, 0 while the total is unknown.
func (j Job) Percent() int {
	switch {
	case j.State == Done:
		return 100
	case j.RowsTotal == nil || *j.RowsTotal <= 0:
		return 0
	}
	return int(min(99, j.RowsWritten*100 / *j.RowsTotal))
}

// Finished reports whether the job is done or failed.
func (j Job) Finished() bool { return j.State == Done || j.State == Failed }

// Request is a job to queue.
type Request struct {
	Kind, Format string
	Params       any // JSON-encoded into Job.Params
	Summary      string
	Lang         string
	Requester    Requester
	AuthorityCVR string
	// FileName is the download's name (with its extension).
	FileName string
}

// Store keeps the jobs (SQLite report_jobs) and their files (under
// DATA_DIR/reports), and runs them (Run).
type Store struct {
	db      *store.DB
	dataDir string
	audit   *audit.Log
	now     func() time.Time

	mu       sync.RWMutex
	kinds    map[string]Kind
	throttle func(rows int64)
	wake     chan struct{}
}

// Kind is a kind of job: how its file is written, and which roles see the
// app's own jobs of this kind (a user's job is seen by that user and the
// admins only).
type Kind struct {
	Build Builder
	// Shared are the roles that see and download the jobs the system asked
	// for (scheduled reports); admins always do.
	Shared []auth.Role
}

// NewStore keeps jobs in db and their files under dataDir/reports; every
// finished job is recorded in log (nil: not recorded).
func NewStore(db *store.DB, dataDir string, log *audit.Log) *Store {
	return &Store{db: db, dataDir: dataDir, audit: log, now: func() time.Time { return time.Now().UTC() },
		kinds: map[string]Kind{}, wake: make(chan struct{}, 1)}
}

// Handle registers a kind of job.
func (s *Store) Handle(name string, k Kind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kinds[name] = k
}

func (s *Store) kind(name string) (Kind, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.kinds[name]
	return k, ok
}

// Dir is the folder of the job files.
func (s *Store) Dir() string { return filepath.Join(s.dataDir, "reports") }

// Submit queues a job and wakes the pool.
func (s *Store) Submit(ctx context.Context, r Request) (Job, error) {
	if _, ok := s.kind(r.Kind); !ok {
		return Job{}, fmt.Errorf("report job: unknown kind %q", r.Kind)
	}
	params, err := json.Marshal(r.Params)
	if err != nil {
		return Job{}, err
	}
	if r.Lang != "en" {
		r.Lang = "da"
	}
	var uid *int64
	if r.Requester.UserID != 0 {
		uid = &r.Requester.UserID
	}
	var id int64
	err = s.db.QueryRowContext(ctx, `INSERT INTO report_jobs (kind, format, params, summary, lang, requested_by_id, requested_by, requested_role,
			requested_authority, authority_cvr, file_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		r.Kind, r.Format, string(params), r.Summary, r.Lang, uid, r.Requester.Email, string(r.Requester.Role), r.Requester.AuthorityCVR,
		r.AuthorityCVR, r.FileName, s.now()).Scan(&id)
	if err != nil {
		return Job{}, err
	}
	select {
	case s.wake <- struct{}{}:
	default:
	}
	return s.Get(ctx, id)
}

const jobColumns = `id, kind, format, params, summary, lang, requested_by_id, requested_by, requested_role, requested_authority, authority_cvr,
	state, rows_written, rows_total, error, file_name, file_path, size_bytes, created_at, started_at, finished_at`

func scanJob(sc interface{ Scan(...any) error }) (Job, error) {
	var j Job
	var params, role string
	var uid, total, size sql.NullInt64
	var started, finished sql.NullTime
	err := sc.Scan(&j.ID, &j.Kind, &j.Format, &params, &j.Summary, &j.Lang, &uid, &j.Requester.Email, &role, &j.Requester.AuthorityCVR,
		&j.AuthorityCVR, &j.State, &j.RowsWritten, &total, &j.Error, &j.FileName, &j.path, &size, &j.CreatedAt, &started, &finished)
	if err != nil {
		return j, err
	}
	j.Params, j.Requester.UserID, j.Requester.Role = json.RawMessage(params), uid.Int64, auth.Role(role)
	j.CreatedAt = j.CreatedAt.UTC()
	if total.Valid {
		j.RowsTotal = &total.Int64
	}
	if size.Valid {
		j.Size = &size.Int64
	}
	if started.Valid {
		t := started.Time.UTC()
		j.StartedAt = &t
	}
	if finished.Valid {
		t := finished.Time.UTC()
		j.FinishedAt = &t
	}
	return j, nil
}

// ErrNotFound is a job that does not exist or that the caller may not see.
var ErrNotFound = problem.NotFound("reports.job_not_found")

// Get returns a job (whoever asked for it: check Visible).
func (s *Store) Get(ctx context.Context, id int64) (Job, error) {
	j, err := scanJob(s.db.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM report_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, ErrNotFound
	}
	return j, err
}

// Visible reports whether p may see (and download) j: the user who asked,
// an admin, or, for the app's own jobs, the kind's shared roles. An
// authority user sees only jobs of its own authority's data, checked
// again on every request (a user moved to another authority loses them).
func (s *Store) Visible(j Job, p *auth.Principal) bool {
	if p == nil {
		return false
	}
	if j.AuthorityCVR != "" && !auth.ScopeFor(p).Allows(j.AuthorityCVR) {
		return false
	}
	if p.Role == auth.RoleAuthority && j.AuthorityCVR == "" {
		return false
	}
	switch {
	case p.Role == auth.RoleAdmin:
		return true
	case j.Requester.UserID != 0:
		return j.Requester.UserID == p.UserID
	case j.Requester == System:
		k, _ := s.kind(j.Kind)
		for _, r := range k.Shared {
			if r == p.Role {
				return true
			}
		}
	}
	return false
}

// GetFor returns job id if p may see it; else ErrNotFound (never a hint
// that it exists).
func (s *Store) GetFor(ctx context.Context, id int64, p *auth.Principal) (Job, error) {
	j, err := s.Get(ctx, id)
	if err != nil {
		return Job{}, err
	}
	if !s.Visible(j, p) {
		return Job{}, ErrNotFound
	}
	return j, nil
}

// MaxList is the most jobs a listing shows.
const MaxList = 200

// ListFor lists the jobs p may see, newest first.
func (s *Store) ListFor(ctx context.Context, p *auth.Principal) ([]Job, error) {
	q := `SELECT ` + jobColumns + ` FROM report_jobs`
	var args []any
	if p.Role != auth.RoleAdmin { // narrowed in SQL, then checked one by one (Visible)
		q, args = q+` WHERE requested_by_id = ? OR requested_by_id IS NULL`, append(args, p.UserID)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, MaxList)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		if s.Visible(j, p) {
			out = append(out, j)
		}
	}
	return out, rows.Err()
}

// Open opens a done job's file.
func (s *Store) Open(j Job) (*os.File, error) {
	if j.State != Done || j.path == "" {
		return nil, ErrNotFound
	}
	f, err := os.Open(filepath.Join(s.dataDir, j.path))
	if errors.Is(err, os.ErrNotExist) {
		return nil, ErrNotFound
	}
	return f, err
}

// Interrupted is the error of a job the app stopped in the middle of (a
// crash or a shutdown): it is failed at the next start, not resumed.
const Interrupted = "reports.error.interrupted"

// Recover fails the jobs a crash (or a stop) left running, with their
// partial files, and records each in the audit log. It returns how many.
func (s *Store) Recover(ctx context.Context) (int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+jobColumns+` FROM report_jobs WHERE state = ?`, Running)
	if err != nil {
		return 0, err
	}
	var left []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		left = append(left, j)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, j := range left {
		if j.path != "" {
			os.Remove(filepath.Join(s.dataDir, j.path))
		}
		os.Remove(s.partPath(j))
		j.State, j.Error = Failed, Interrupted
		if err := s.finish(ctx, j, 0); err != nil {
			return 0, err
		}
	}
	return len(left), nil
}

// Sweep removes the jobs (rows and files) finished more than retention
// ago, and returns how many.
func (s *Store) Sweep(ctx context.Context, retention time.Duration) (int, error) {
	cut := s.now().Add(-retention)
	rows, err := s.db.QueryContext(ctx, `SELECT id, file_path FROM report_jobs WHERE state IN (?, ?) AND finished_at < ?`, Done, Failed, cut)
	if err != nil {
		return 0, err
	}
	type old struct {
		id   int64
		path string
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.path); err != nil {
			rows.Close()
			return 0, err
		}
		olds = append(olds, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, o := range olds {
		if o.path != "" {
			if err := os.Remove(filepath.Join(s.dataDir, o.path)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return 0, err
			}
		}
		if _, err := s.db.ExecContext(ctx, `DELETE FROM report_jobs WHERE id = ?`, o.id); err != nil {
			return 0, err
		}
	}
	return len(olds), nil
}

// record writes a finished job to the audit log.
func (s *Store) record(ctx context.Context, j Job) {
	if s.audit == nil {
		return
	}
	detail := fmt.Sprintf("%s; %s; %d rows", j.Summary, j.State, j.RowsWritten)
	if j.Error != "" {
		detail += "; error: " + j.Error
	}
	s.audit.Record(ctx, audit.Entry{Actor: j.Requester.Email, Action: audit.Export,
		Target: fmt.Sprintf("report job %d (%s, %s)", j.ID, j.Kind, strings.ToUpper(j.Format)), Detail: detail})
}
