package sources

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// Sources keeps the ingestion sources and their pull state in the app database.
type Sources struct {
	db    *store.DB
	now   func() time.Time
	reach Reach
}

// NewSources returns the source store over db, with the zero Reach (no
// directory sources, feeds on public addresses): see Within.
func NewSources(db *store.DB) *Sources {
	return &Sources{db: db, now: func() time.Time { return time.Now().UTC() }}
}

// Within sets where the sources may reach (checked when a source is saved,
// and again by the puller at every pull) and returns s.
func (s *Sources) Within(r Reach) *Sources {
	s.reach = r
	return s
}

// Reach is where the sources may reach.
func (s *Sources) Reach() Reach { return s.reach }

const sourceSelect = `SELECT id, name, kind, url, directory, interval_seconds, batch_limit, enabled, created_at, updated_at,
	cursor, last_attempt_at, last_success_at, last_error, last_error_at, events_pulled, events_duplicate, events_rejected,
	consecutive_failures, next_attempt_at, newest_event_at, coalesce(nullif(origin, ''), name),
	pushed_accepted, pushed_duplicate, pushed_rejected, last_push_at, recent_pulls FROM sources`

func nullTime(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}

func (s *Sources) scan(row interface{ Scan(...any) error }) (Source, error) {
	var src Source
	var updated, attempt, success, errAt, next, newest, pushed sql.NullTime
	var cursor sql.NullString
	var recent string
	st := &src.Status
	err := row.Scan(&src.ID, &src.Name, &src.Kind, &src.URL, &src.Directory, &src.IntervalSeconds, &src.BatchLimit, &src.Enabled,
		&src.CreatedAt, &updated, &cursor, &attempt, &success, &st.LastError, &errAt, &st.EventsPulled, &st.EventsDuplicate,
		&st.EventsRejected, &st.ConsecutiveFailures, &next, &newest, &src.Origin,
		&st.Pushed.Accepted, &st.Pushed.Duplicates, &st.Pushed.Rejected, &pushed, &recent)
	if errors.Is(err, sql.ErrNoRows) {
		return src, ErrSourceNotFound
	}
	if err != nil {
		return src, err
	}
	src.CreatedAt = src.CreatedAt.UTC()
	src.UpdatedAt = nullTime(updated)
	if cursor.Valid {
		st.Cursor = &cursor.String
	}
	st.LastAttemptAt, st.LastSuccessAt, st.LastErrorAt = nullTime(attempt), nullTime(success), nullTime(errAt)
	st.NextAttemptAt, st.NewestEventAt, st.Pushed.LastAt = nullTime(next), nullTime(newest), nullTime(pushed)
	if lag := src.Lag(s.now()); lag >= 0 {
		secs := int64(lag / time.Second)
		st.LagSeconds = &secs
	}
	st.Failing = st.ConsecutiveFailures > 0
	if src.Pulled() {
		st.Health = healthOf(recent, st.Failing, st.LastSuccessAt != nil)
		st.RecentPulls = outcomeNames(recent)
	}
	return src, nil
}

// List returns every source (push ones too), by name.
func (s *Sources) List(ctx context.Context) ([]Source, error) {
	srcs, err := s.query(ctx, sourceSelect+` ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return srcs, s.attachOverlaps(ctx, srcs)
}

// query returns the sources a SELECT built on sourceSelect finds.
func (s *Sources) query(ctx context.Context, q string, args ...any) ([]Source, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Source
	for rows.Next() {
		src, err := s.scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, rows.Err()
}

// Get returns one source by id, with its overlap warnings.
func (s *Sources) Get(ctx context.Context, id int64) (Source, error) {
	src, err := s.scan(s.db.QueryRowContext(ctx, sourceSelect+` WHERE id = ?`, id))
	if err != nil {
		return src, err
	}
	one := []Source{src}
	err = s.attachOverlaps(ctx, one)
	return one[0], err
}

// ByName returns one source by name.
func (s *Sources) ByName(ctx context.Context, name string) (Source, error) {
	return s.scan(s.db.QueryRowContext(ctx, sourceSelect+` WHERE name = ?`, name))
}

// Create adds a pulled source (http-feed or directory), enabled unless
// the input says otherwise; it is pulled at once.
func (s *Sources) Create(ctx context.Context, in SourceInput) (Source, error) {
	in.normalize(s.reach)
	if err := in.validate(s.reach); err != nil {
		return Source{}, err
	}
	enabled := in.Enabled == nil || *in.Enabled
	now := s.now()
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO sources (name, kind, origin, url, directory, interval_seconds, batch_limit, enabled, created_at, updated_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Name, in.Kind, storedOrigin(in.Name, in.Origin), in.URL, in.Directory, in.IntervalSeconds, in.BatchLimit, enabled, now, now, now).Scan(&id)
	if store.IsUnique(err) {
		return Source{}, nameTaken()
	}
	if err != nil {
		return Source{}, err
	}
	return s.Get(ctx, id)
}

// Update changes a source's settings (of a push source only its origin).
// The name and kind cannot change; empty fields keep their value. A new feed
// URL starts the feed from its beginning (already stored events are
// recognised as duplicates). A new origin applies to the events claimed
// from then on: those stored before are known under the old origin only.
func (s *Sources) Update(ctx context.Context, id int64, in SourceInput) (Source, error) {
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.scan(tx.QueryRowContext(ctx, sourceSelect+` WHERE id = ?`, id))
		if err != nil {
			return err
		}
		if in.Origin == "" {
			in.Origin = cur.Origin
		}
		if !cur.Pulled() {
			if in.URL != "" || in.Directory != "" || in.IntervalSeconds != 0 || in.BatchLimit != 0 || in.Enabled != nil {
				return problem.Fields{{Field: "kind", Message: problem.Msg("sources.push_no_settings")}}
			}
			return s.updateOrigin(ctx, tx, cur, in.Origin)
		}
		if in.Kind != "" && in.Kind != cur.Kind {
			return problem.Fields{{Field: "kind", Message: problem.Msg("sources.kind_fixed")}}
		}
		in.Kind = cur.Kind
		// The name is the events' source in ClickHouse and in the
		// exactly-once ledger: renaming would count re-pulled events again.
		if in.Name != "" && in.Name != cur.Name {
			return problem.Fields{{Field: "name", Message: problem.Msg("sources.name_fixed")}}
		}
		in.Name = cur.Name
		if in.URL == "" {
			in.URL = cur.URL
		}
		if in.Directory == "" {
			in.Directory = cur.Directory
		}
		if in.IntervalSeconds == 0 {
			in.IntervalSeconds = cur.IntervalSeconds
		}
		if in.BatchLimit == 0 {
			in.BatchLimit = cur.BatchLimit
		}
		enabled := cur.Enabled
		if in.Enabled != nil {
			enabled = *in.Enabled
		}
		in.normalize(s.reach)
		if err := in.validate(s.reach); err != nil {
			return err
		}
		now := s.now()
		_, err = tx.ExecContext(ctx, `UPDATE sources SET name = ?, origin = ?, url = ?, directory = ?, interval_seconds = ?, batch_limit = ?, enabled = ?,
			updated_at = ?, next_attempt_at = ? WHERE id = ?`,
			in.Name, storedOrigin(in.Name, in.Origin), in.URL, in.Directory, in.IntervalSeconds, in.BatchLimit, enabled, now, now, id)
		if store.IsUnique(err) {
			return nameTaken()
		}
		if err != nil {
			return err
		}
		if in.URL != cur.URL {
			if _, err := tx.ExecContext(ctx, `UPDATE sources SET cursor = NULL WHERE id = ?`, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Source{}, err
	}
	return s.Get(ctx, id)
}

// updateOrigin sets the origin of a push source.
func (s *Sources) updateOrigin(ctx context.Context, tx *sql.Tx, cur Source, origin string) error {
	origin = strings.TrimSpace(origin)
	var fs problem.Fields
	checkOrigin(&fs, origin)
	if err := fs.Err(); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE sources SET origin = ?, updated_at = ? WHERE id = ?`, storedOrigin(cur.Name, origin), s.now(), cur.ID)
	return err
}

// SetEnabled turns pulling a source on or off.
// It does not re-validate the settings, so a source whose folder is gone
// can still be switched off.
func (s *Sources) SetEnabled(ctx context.Context, id int64, enabled bool) (Source, error) {
	now := s.now()
	res, err := s.db.ExecContext(ctx, `UPDATE sources SET enabled = ?, updated_at = ?, next_attempt_at = ? WHERE id = ? AND kind IN ('http-feed', 'directory')`,
		enabled, now, now, id)
	if err != nil {
		return Source{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Source{}, ErrSourceNotFound
	}
	return s.Get(ctx, id)
}

// PollNow asks the puller to pull the source at once (within a few
// seconds), also when it is backing off after errors.
func (s *Sources) PollNow(ctx context.Context, id int64) error {
	res, err := s.db.ExecContext(ctx, `UPDATE sources SET next_attempt_at = ? WHERE id = ? AND kind IN ('http-feed', 'directory')`, s.now(), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrSourceNotFound
	}
	return nil
}

// pulled lists the enabled pulled sources.
func (s *Sources) pulled(ctx context.Context) ([]Source, error) {
	return s.query(ctx, sourceSelect+` WHERE enabled AND kind IN ('http-feed', 'directory') ORDER BY id`)
}

// progress is what one stored batch did.
type progress struct {
	Accepted, Duplicates, Rejected int
	Newest                         time.Time // zero: no events
}

// recordStored notes a stored batch. With advance, the cursor moves to
// cursor: only ever called after the batch's events were stored.
// events_pulled counts the batch's valid events, new or already stored:
// a batch stored just before a crash is pulled again and then counted once
// (as duplicates), so the figure is exact across crashes.
func (s *Sources) recordStored(ctx context.Context, id int64, advance bool, cursor string, p progress) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error { return s.recordStoredTx(ctx, tx, id, advance, cursor, p) })
}

func (s *Sources) recordStoredTx(ctx context.Context, tx *sql.Tx, id int64, advance bool, cursor string, p progress) error {
	now := s.now()
	var newest any
	if !p.Newest.IsZero() {
		newest = p.Newest.UTC()
	}
	q := `UPDATE sources SET last_attempt_at = ?, last_success_at = ?, consecutive_failures = 0,
		events_pulled = events_pulled + ?, events_duplicate = events_duplicate + ?, events_rejected = events_rejected + ?,
		newest_event_at = CASE WHEN ? IS NOT NULL AND (newest_event_at IS NULL OR ? > newest_event_at) THEN ? ELSE newest_event_at END`
	// Times are stored as UTC text of one format, so text order is time order.
	args := []any{now, now, p.Accepted + p.Duplicates, p.Duplicates, p.Rejected, newest, newest, newest}
	if advance {
		q += `, cursor = ?`
		args = append(args, cursor)
	}
	_, err := tx.ExecContext(ctx, q+` WHERE id = ?`, append(args, id)...)
	return err
}

// recordPush adds what one stored part of a push brought the source named
// (p.Accepted new events, p.Duplicates, p.Rejected lines) and moves its
// newest event time forward.
func (s *Sources) recordPush(ctx context.Context, name string, p progress) error {
	var newest any
	if !p.Newest.IsZero() {
		newest = p.Newest.UTC()
	}
	_, err := s.db.ExecContext(ctx, `UPDATE sources SET last_push_at = ?,
		pushed_accepted = pushed_accepted + ?, pushed_duplicate = pushed_duplicate + ?, pushed_rejected = pushed_rejected + ?,
		newest_event_at = CASE WHEN ? IS NOT NULL AND (newest_event_at IS NULL OR ? > newest_event_at) THEN ? ELSE newest_event_at END
		WHERE name = ?`, s.now(), p.Accepted, p.Duplicates, p.Rejected, newest, newest, newest, name)
	return err
}

// recordRound notes the end of a successful round and when to pull next.
// The last error stays (with its time) for the status page; the source is
// failing only while consecutive_failures > 0. A warning (e.g. a directory
// file that could not be read) becomes the last error without counting as
// a failure.
func (s *Sources) recordRound(ctx context.Context, id int64, started, next time.Time, warning string) error {
	now := s.now()
	var warnAt any
	if warning != "" {
		warnAt = now
	}
	// A "poll now" or an edit during the round (next_attempt_at set after it
	// started) wins over the interval.
	_, err := s.db.ExecContext(ctx, `UPDATE sources SET last_attempt_at = ?, last_success_at = ?, consecutive_failures = 0,
		last_error = CASE WHEN ? <> '' THEN ? ELSE last_error END, last_error_at = coalesce(?, last_error_at),
		next_attempt_at = CASE WHEN next_attempt_at > ? THEN next_attempt_at ELSE ? END, recent_pulls = `+appendOutcome+` WHERE id = ?`,
		now, now, warning, warning, warnAt, started.UTC(), next.UTC(), string(pullSucceeded), id)
	return err
}

// recordFailure notes a failed attempt and when to retry; it returns the
// number of consecutive failures.
func (s *Sources) recordFailure(ctx context.Context, id int64, msg string, backoff func(failures int) time.Duration) (int, error) {
	var n int
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `UPDATE sources SET consecutive_failures = consecutive_failures + 1 WHERE id = ? RETURNING consecutive_failures`, id).Scan(&n); err != nil {
			return err
		}
		now := s.now()
		if len(msg) > 1000 {
			msg = msg[:1000] + "…"
		}
		_, err := tx.ExecContext(ctx, `UPDATE sources SET last_attempt_at = ?, last_error = ?, last_error_at = ?, next_attempt_at = ?, recent_pulls = `+appendOutcome+` WHERE id = ?`,
			now, msg, now, now.Add(backoff(n)), string(pullFailed), id)
		return err
	})
	return n, err
}

// fileDone reports whether a directory source took in a file of this content.
func (s *Sources) fileDone(ctx context.Context, id int64, sha string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM source_files WHERE source_id = ? AND sha256 = ?`, id, sha).Scan(&n)
	return n > 0, err
}

// SourceFile is a file a directory source took in.
type SourceFile struct {
	SHA256   string    `json:"sha256"`
	Name     string    `json:"name"`
	Size     int64     `json:"size"`
	Events   int       `json:"events"`
	Accepted int       `json:"accepted"`
	Rejected int       `json:"rejected"`
	DoneAt   time.Time `json:"done_at"`
}

// recordFile notes a file taken in and its events, in one transaction: a
// crash before it makes the file be read again (its events then count as
// duplicates in the ledger but once here).
func (s *Sources) recordFile(ctx context.Context, id int64, f SourceFile, p progress) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO source_files (source_id, sha256, name, size, events, accepted, rejected, done_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, f.SHA256, f.Name, f.Size, f.Events, f.Accepted, f.Rejected, s.now())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // recorded before
		}
		return s.recordStoredTx(ctx, tx, id, false, "", p)
	})
}

// Files lists the newest files a directory source took in.
func (s *Sources) Files(ctx context.Context, id int64, limit int) ([]SourceFile, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sha256, name, size, events, accepted, rejected, done_at FROM source_files
		WHERE source_id = ? ORDER BY done_at DESC, name LIMIT ?`, id, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SourceFile
	for rows.Next() {
		var f SourceFile
		if err := rows.Scan(&f.SHA256, &f.Name, &f.Size, &f.Events, &f.Accepted, &f.Rejected, &f.DoneAt); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
