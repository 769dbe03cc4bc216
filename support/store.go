package support

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// Errors of the store.
var (
	ErrNotFound       = problem.NotFound("support.not_found")
	ErrAlreadyDeleted = problem.Conflict("support.already_deleted")
)

// ConflictError is a change made from a version that is no longer current.
type ConflictError struct {
	Current Call
}

func (e *ConflictError) Error() string { return e.ProblemMessage().String() }

// ProblemMessage says who changed the call when, in the reader's language.
func (e *ConflictError) ProblemMessage() problem.Message {
	return problem.Msg("support.conflict", e.Current.UpdatedBy, e.Current.UpdatedAt.In(week.Copenhagen).Format("2006-01-02 15:04"), e.Current.Version)
}

// Unwrap makes it a problem.ErrConflict (409).
func (e *ConflictError) Unwrap() error { return problem.ErrConflict }

// Store keeps support calls in the app database.
type Store struct {
	db  *store.DB
	now func() time.Time
}

// NewStore returns the support-call store over db.
func NewStore(db *store.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }}
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// CompanyRef is a company as a call names it.
type CompanyRef struct {
	ID   int64  `json:"-"`
	CVR  string `json:"cvr"`
	Name string `json:"name"`
}

// Label is how the form's company picker shows a company: "Name — CVR".
func (c CompanyRef) Label() string { return c.Name + " — " + c.CVR }

// Companies lists every company of the registry by name, for the picker.
func (s *Store) Companies(ctx context.Context) ([]CompanyRef, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, cvr, name FROM companies ORDER BY name, cvr`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CompanyRef
	for rows.Next() {
		var c CompanyRef
		if err := rows.Scan(&c.ID, &c.CVR, &c.Name); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

var trailingCVR = regexp.MustCompile(`(?:^|[^0-9])([0-9]{8})\)?$`)

// resolveCompany finds the company named by s: a CVR ("1234 5678"
// allowed), "Name — CVR" as the picker shows it, or an exact name (any
// case). The message of the error says what to do.
func resolveCompany(ctx context.Context, q querier, s string) (CompanyRef, error) {
	s = strings.TrimSpace(s)
	var c CompanyRef
	cvr := ""
	if compact := strings.ReplaceAll(s, " ", ""); len(compact) == 8 && strings.Trim(compact, "0123456789") == "" {
		cvr = compact
	} else if m := trailingCVR.FindStringSubmatch(s); m != nil {
		cvr = m[1]
	}
	if cvr != "" {
		err := q.QueryRowContext(ctx, `SELECT id, cvr, name FROM companies WHERE cvr = ?`, cvr).Scan(&c.ID, &c.CVR, &c.Name)
		if errors.Is(err, sql.ErrNoRows) {
			return c, FieldErrors{{Field: "company_cvr", Message: problem.Msg("support.v.unknown_cvr", cvr)}}
		}
		return c, err
	}
	found, err := companiesNamed(ctx, q, `lower(trim(name)) = lower(?)`, s)
	if err != nil {
		return c, err
	}
	if len(found) == 0 && s != "" {
		// Not a whole name: the companies whose name starts with it
		// ("Nordsø" for "Nordsø Shipping A/S").
		found, err = companiesNamed(ctx, q, `name LIKE ? ESCAPE '\'`, likePrefix.Replace(s)+"%")
		if err != nil {
			return c, err
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return c, FieldErrors{{Field: "company_cvr", Message: problem.Msg("support.v.unknown_company", clip(s, 60))}}
	}
	names := make([]string, len(found))
	for i, f := range found {
		names[i] = f.Name + " — " + f.CVR
	}
	if len(found) > maxMatchesShown {
		names = append(names[:maxMatchesShown], "…")
	}
	return c, FieldErrors{{Field: "company_cvr", Message: problem.Msg("support.v.ambiguous_company", clip(s, 60), strings.Join(names, "; "))}}
}

// maxMatchesShown is how many companies an ambiguous name lists.
const maxMatchesShown = 5

// likePrefix escapes LIKE's wildcards in a typed name.
var likePrefix = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// companiesNamed lists the companies matching where (with arg), by CVR, at
// most one more than maxMatchesShown.
func companiesNamed(ctx context.Context, q querier, where string, arg string) ([]CompanyRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, cvr, name FROM companies WHERE `+where+` ORDER BY name, cvr LIMIT ?`, arg, maxMatchesShown+1)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var found []CompanyRef
	for rows.Next() {
		var c CompanyRef
		if err := rows.Scan(&c.ID, &c.CVR, &c.Name); err != nil {
			return nil, err
		}
		found = append(found, c)
	}
	return found, rows.Err()
}

// prepare normalizes and validates in and resolves its company, returning
// every problem at once.
func (s *Store) prepare(ctx context.Context, q querier, in *Input, actor string) (CompanyRef, error) {
	in.normalize()
	es := in.validate(s.now(), actor)
	var co CompanyRef
	if in.CompanyCVR != "" {
		var err error
		co, err = resolveCompany(ctx, q, in.CompanyCVR)
		var fe FieldErrors
		if errors.As(err, &fe) {
			es = append(FieldErrors{fe[0]}, es...)
		} else if err != nil {
			return co, err
		}
	}
	return co, es.Err()
}

// callFrom builds the stored form of a call from valid input.
func callFrom(in Input, co CompanyRef) Call {
	return Call{
		CompanyCVR: co.CVR, CompanyName: co.Name, CallerName: in.CallerName, CallerRole: in.CallerRole,
		ReceivedAt: *in.ReceivedAt, EndedAt: in.EndedAt, Week: week.Of(*in.ReceivedAt).String(),
		Desk: in.Desk, Channel: in.Channel, Category: in.Category, Description: in.Description, Resolution: in.Resolution,
		DurationMinutes: in.DurationMinutes, FollowUpNeeded: in.FollowUpNeeded, FollowUpBy: in.FollowUpBy, FollowUpDone: in.FollowUpDone,
		HandledBy: in.HandledBy,
	}
}

// Create logs a new call (version 1).
func (s *Store) Create(ctx context.Context, in Input, actor string) (Call, error) {
	var c Call
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		co, err := s.prepare(ctx, tx, &in, actor)
		if err != nil {
			return err
		}
		c, err = s.insert(ctx, tx, callFrom(in, co), co.ID, actor, ActionCreated, "")
		return err
	})
	return c, err
}

// insert stores a new call and its first version.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, c Call, companyID int64, actor, action, importKey string) (Call, error) {
	now := s.now().Truncate(time.Second)
	c.Version, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy = 1, now, actor, now, actor
	var key any
	if importKey != "" {
		key = importKey
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO support_calls (company_id, caller_name, caller_role, received_at, ended_at, desk, channel,
		category, description, resolution, duration_minutes, follow_up_needed, follow_up_by, follow_up_done, handled_by, search_text,
		import_key, version, created_at, created_by, updated_at, updated_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		companyID, c.CallerName, c.CallerRole, c.ReceivedAt, c.EndedAt, c.Desk, c.Channel, c.Category, c.Description, c.Resolution,
		c.DurationMinutes, c.FollowUpNeeded, c.FollowUpBy, c.FollowUpDone, c.HandledBy, searchText(c), key,
		c.Version, c.CreatedAt, c.CreatedBy, c.UpdatedAt, c.UpdatedBy)
	if err != nil {
		return c, err
	}
	if c.ID, err = res.LastInsertId(); err != nil {
		return c, err
	}
	return c, writeVersion(ctx, tx, c, action, changedFields(Call{}, c), "")
}

func searchText(c Call) string {
	return strings.ToLower(c.Description + "\n" + c.CallerName + "\n" + c.CallerRole)
}

func writeVersion(ctx context.Context, tx *sql.Tx, c Call, action string, changed []string, reason string) error {
	snap, err := json.Marshal(c)
	if err != nil {
		return err
	}
	ch, _ := json.Marshal(changed)
	_, err = tx.ExecContext(ctx, `INSERT INTO support_call_versions (call_id, version, at, actor, action, changed, reason, snapshot)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.Version, c.UpdatedAt, c.UpdatedBy, action, string(ch), reason, string(snap))
	return err
}

// bookkeeping fields are not "what changed" in a version.
var bookkeeping = []string{"id", "version", "week", "company_name", "created_at", "created_by", "updated_at", "updated_by"}

// changedFields lists the JSON names of the fields that differ between a
// and b, in the order of the Call struct.
func changedFields(a, b Call) []string {
	am, bm := asMap(a), asMap(b)
	var out []string
	t := reflect.TypeOf(Call{})
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if slices.Contains(bookkeeping, name) {
			continue
		}
		if !reflect.DeepEqual(am[name], bm[name]) {
			out = append(out, name)
		}
	}
	if out == nil {
		out = []string{}
	}
	return out
}

func asMap(c Call) map[string]any {
	b, _ := json.Marshal(c)
	m := map[string]any{}
	json.Unmarshal(b, &m)
	return m
}

// Update changes a call: the current row and a new version, in one
// transaction. in.Version must be the current version (else a
// *ConflictError); a change that changes nothing stores nothing.
func (s *Store) Update(ctx context.Context, id int64, in Input, actor string) (Call, error) {
	var c Call
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Deleted != nil {
			return ErrNotFound
		}
		if in.Version == 0 {
			return FieldErrors{{Field: "version", Message: problem.Msg("support.v.version_required")}}
		}
		if in.Version != cur.Version {
			return &ConflictError{Current: cur}
		}
		// Left out, these keep what the call has (not "now" and "you").
		if in.ReceivedAt == nil {
			in.ReceivedAt = &cur.ReceivedAt
		}
		if strings.TrimSpace(in.HandledBy) == "" {
			in.HandledBy = cur.HandledBy
		}
		co, err := s.prepare(ctx, tx, &in, actor)
		if err != nil {
			return err
		}
		next := callFrom(in, co)
		changed := changedFields(cur, next)
		if len(changed) == 0 {
			c = cur
			return nil
		}
		next.ID, next.CreatedAt, next.CreatedBy = cur.ID, cur.CreatedAt, cur.CreatedBy
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, s.now().Truncate(time.Second), actor
		if err := writeVersion(ctx, tx, next, ActionUpdated, changed, ""); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE support_calls SET company_id = ?, caller_name = ?, caller_role = ?, received_at = ?, ended_at = ?,
			desk = ?, channel = ?, category = ?, description = ?, resolution = ?, duration_minutes = ?, follow_up_needed = ?, follow_up_by = ?,
			follow_up_done = ?, handled_by = ?, search_text = ?, version = ?, updated_at = ?, updated_by = ? WHERE id = ?`,
			co.ID, next.CallerName, next.CallerRole, next.ReceivedAt, next.EndedAt, next.Desk, next.Channel, next.Category, next.Description,
			next.Resolution, next.DurationMinutes, next.FollowUpNeeded, next.FollowUpBy, next.FollowUpDone, next.HandledBy, searchText(next),
			next.Version, next.UpdatedAt, next.UpdatedBy, id)
		c = next
		return err
	})
	return c, err
}

// Delete soft-deletes a call with a reason: it leaves every list (but an
// admin's) and every figure, and its history keeps it.
func (s *Store) Delete(ctx context.Context, id int64, reason, actor string) (Call, error) {
	reason = strings.TrimSpace(reason)
	var es FieldErrors
	text(&es, "reason", reason, MaxReasonLen, true)
	if len(es) > 0 {
		return Call{}, es
	}
	return s.setDeleted(ctx, id, &Deletion{By: actor, Reason: reason}, actor)
}

// Restore undoes a soft delete (a new version too).
func (s *Store) Restore(ctx context.Context, id int64, actor string) (Call, error) {
	return s.setDeleted(ctx, id, nil, actor)
}

func (s *Store) setDeleted(ctx context.Context, id int64, del *Deletion, actor string) (Call, error) {
	var c Call
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		cur, err := s.get(ctx, tx, id)
		if err != nil {
			return err
		}
		if (cur.Deleted != nil) == (del != nil) {
			c = cur
			if del != nil {
				return ErrAlreadyDeleted
			}
			return nil // restoring a call that is not deleted: nothing to do
		}
		next := cur
		next.Version, next.UpdatedAt, next.UpdatedBy = cur.Version+1, s.now().Truncate(time.Second), actor
		action, reason := ActionRestored, ""
		var at any
		by, why := "", ""
		if del != nil {
			del.At = next.UpdatedAt
			next.Deleted, action, reason = del, ActionDeleted, del.Reason
			at, by, why = del.At, del.By, del.Reason
		} else {
			next.Deleted = nil
		}
		if err := writeVersion(ctx, tx, next, action, []string{"deleted"}, reason); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE support_calls SET deleted_at = ?, deleted_by = ?, delete_reason = ?, version = ?, updated_at = ?, updated_by = ?
			WHERE id = ?`, at, by, why, next.Version, next.UpdatedAt, next.UpdatedBy, id)
		c = next
		return err
	})
	return c, err
}

const callColumns = `c.id, co.cvr, co.name, c.caller_name, c.caller_role, c.received_at, c.ended_at, c.desk, c.channel, c.category,
	c.description, c.resolution, c.duration_minutes, c.follow_up_needed, c.follow_up_by, c.follow_up_done, c.handled_by, c.version,
	c.created_at, c.created_by, c.updated_at, c.updated_by, c.deleted_at, c.deleted_by, c.delete_reason`

func scanCall(sc interface{ Scan(...any) error }) (Call, error) {
	var c Call
	var ended, deletedAt sql.NullTime
	var dur sql.NullInt64
	var by, reason string
	err := sc.Scan(&c.ID, &c.CompanyCVR, &c.CompanyName, &c.CallerName, &c.CallerRole, &c.ReceivedAt, &ended, &c.Desk, &c.Channel,
		&c.Category, &c.Description, &c.Resolution, &dur, &c.FollowUpNeeded, &c.FollowUpBy, &c.FollowUpDone, &c.HandledBy, &c.Version,
		&c.CreatedAt, &c.CreatedBy, &c.UpdatedAt, &c.UpdatedBy, &deletedAt, &by, &reason)
	if err != nil {
		return c, err
	}
	c.ReceivedAt, c.CreatedAt, c.UpdatedAt = c.ReceivedAt.UTC(), c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	if ended.Valid {
		t := ended.Time.UTC()
		c.EndedAt = &t
	}
	if dur.Valid {
		c.DurationMinutes = &dur.Int64
	}
	if deletedAt.Valid {
		c.Deleted = &Deletion{At: deletedAt.Time.UTC(), By: by, Reason: reason}
	}
	c.Week = week.Of(c.ReceivedAt).String()
	return c, nil
}

func (s *Store) get(ctx context.Context, q querier, id int64) (Call, error) {
	c, err := scanCall(q.QueryRowContext(ctx, `SELECT `+callColumns+` FROM support_calls c JOIN companies co ON co.id = c.company_id WHERE c.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	return c, err
}

// Get returns one call; a deleted one only when withDeleted (admins).
func (s *Store) Get(ctx context.Context, id int64, withDeleted bool) (Call, error) {
	c, err := s.get(ctx, s.db, id)
	if err == nil && c.Deleted != nil && !withDeleted {
		return Call{}, ErrNotFound
	}
	return c, err
}

// History returns every version of a call, oldest first.
func (s *Store) History(ctx context.Context, id int64) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, at, actor, action, changed, reason, snapshot FROM support_call_versions
		WHERE call_id = ? ORDER BY version`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Version
	for rows.Next() {
		var v Version
		var changed, snap string
		if err := rows.Scan(&v.Version, &v.At, &v.Actor, &v.Action, &changed, &v.Reason, &snap); err != nil {
			return nil, err
		}
		v.At = v.At.UTC()
		if err := json.Unmarshal([]byte(changed), &v.Changed); err != nil {
			return nil, fmt.Errorf("version %d of call %d: %w", v.Version, id, err)
		}
		if err := json.Unmarshal([]byte(snap), &v.Snapshot); err != nil {
			return nil, fmt.Errorf("version %d of call %d: %w", v.Version, id, err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Filter narrows a listing of calls. Zero values mean "any".
type Filter struct {
	Week       *week.Week
	CompanyCVR string
	Desk       string
	Category   string
	Resolution string
	// FollowUp is "open" (needed, not done) or "overdue" (open and due
	// before today in Copenhagen).
	FollowUp string
	// Search is text to find in the description or the caller's name or role (any case).
	Search string
	// Deleted is "" (live calls only), "include" or "only"; the handlers
	// allow the last two to admins alone.
	Deleted string
	Limit   int
	Offset  int
}

// FilterValues lists the accepted values of the filters, for messages.
var (
	FollowUpFilters = []string{"open", "overdue"}
	DeletedFilters  = []string{"include", "only"}
)

// Check reports a filter value that is not accepted.
func (f Filter) Check() error {
	var es FieldErrors
	check := func(field, v string, allowed []string, labels string) {
		if v != "" && !slices.Contains(allowed, v) {
			es.AddOnce(field, "field.unknown_choice", clip(v, 40), choices(labels, allowed))
		}
	}
	check("desk", f.Desk, Desks, "support.desk.")
	check("category", f.Category, Categories, "support.category.")
	check("resolution", f.Resolution, Resolutions, "support.resolution.")
	check("follow_up", f.FollowUp, FollowUpFilters, "support.follow_up_")
	check("deleted", f.Deleted, DeletedFilters, "support.deleted_")
	return es.Err()
}

// MaxList is the most calls one listing returns.
const MaxList = 1000

// List returns the calls matching f, newest first.
func (s *Store) List(ctx context.Context, f Filter) ([]Call, error) {
	if err := f.Check(); err != nil {
		return nil, err
	}
	where := []string{"1 = 1"}
	var args []any
	add := func(cond string, a ...any) { where, args = append(where, cond), append(args, a...) }
	switch f.Deleted {
	case "":
		add("c.deleted_at IS NULL")
	case "only":
		add("c.deleted_at IS NOT NULL")
	}
	if f.Week != nil {
		add("c.received_at >= ? AND c.received_at < ?", f.Week.Start().UTC(), f.Week.End().UTC())
	}
	if f.CompanyCVR != "" {
		add("co.cvr = ?", strings.ReplaceAll(f.CompanyCVR, " ", ""))
	}
	if f.Desk != "" {
		add("c.desk = ?", f.Desk)
	}
	if f.Category != "" {
		add("c.category = ?", f.Category)
	}
	if f.Resolution != "" {
		add("c.resolution = ?", f.Resolution)
	}
	switch f.FollowUp {
	case "open":
		add("c.follow_up_needed = 1 AND c.follow_up_done = 0")
	case "overdue":
		add("c.follow_up_needed = 1 AND c.follow_up_done = 0 AND c.follow_up_by < ?", s.now().In(week.Copenhagen).Format(time.DateOnly))
	}
	if q := strings.ToLower(strings.TrimSpace(f.Search)); q != "" {
		for _, word := range strings.Fields(q) {
			add("instr(c.search_text, ?) > 0", word)
		}
	}
	if f.Limit <= 0 || f.Limit > MaxList {
		f.Limit = 200
	}
	q := `SELECT ` + callColumns + ` FROM support_calls c JOIN companies co ON co.id = c.company_id WHERE ` + strings.Join(where, " AND ") +
		` ORDER BY c.received_at DESC, c.id DESC LIMIT ? OFFSET ?`
	return scanCalls(s.db.QueryContext(ctx, q, append(args, f.Limit, max(f.Offset, 0))...))
}

// scanCalls reads the calls a query of callColumns returns.
func scanCalls(rows *sql.Rows, err error) ([]Call, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Call{}
	for rows.Next() {
		c, err := scanCall(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ResolveCompany finds a company by CVR, "Name — CVR" or exact name; an
// unknown or ambiguous one is a FieldErrors saying what to do.
func (s *Store) ResolveCompany(ctx context.Context, text string) (CompanyRef, error) {
	return resolveCompany(ctx, s.db, text)
}

// Check validates in as Create would, storing nothing.
func (s *Store) Check(ctx context.Context, in Input, actor string) error {
	_, err := s.prepare(ctx, s.db, &in, actor)
	return err
}
