package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// Store keeps questionnaires, waves, invitations and answers.
type Store struct {
	db     *store.DB
	sealer *sealer
	Now    func() time.Time

	mu       sync.Mutex
	versions map[int64]Version // published versions never change: cached by id
}

// NewStore returns the survey store over db; key seals tokens (32 bytes).
func NewStore(db *store.DB, key []byte) (*Store, error) {
	s, err := newSealer(key)
	if err != nil {
		return nil, err
	}
	return &Store{db: db, sealer: s, Now: func() time.Time { return time.Now().UTC() }, versions: map[int64]Version{}}, nil
}

// --- questionnaires and versions ---

// Publish stores def as the next version of its questionnaire (created on
// first publish). An unchanged definition publishes nothing and returns the
// current version. A key already published must keep its type.
func (s *Store) Publish(ctx context.Context, def Definition, by string) (Version, error) {
	if err := def.Validate(); err != nil {
		return Version{}, err
	}
	body, err := json.Marshal(def)
	if err != nil {
		return Version{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		var qid int64
		err := tx.QueryRowContext(ctx, `INSERT INTO survey_questionnaires (slug, created_at) VALUES (?, ?)
			ON CONFLICT (slug) DO UPDATE SET slug = excluded.slug RETURNING id`, def.Slug, now).Scan(&qid)
		if err != nil {
			return err
		}
		var curID int64
		var curBody string
		var cur int
		err = tx.QueryRowContext(ctx, `SELECT id, version, definition FROM survey_versions WHERE questionnaire_id = ? ORDER BY version DESC LIMIT 1`, qid).
			Scan(&curID, &cur, &curBody)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err == nil {
			if curBody == string(body) {
				id = curID
				return nil
			}
		}
		var fe FieldErrors
		for i, q := range def.Questions {
			var typ string
			err := tx.QueryRowContext(ctx, `SELECT type FROM survey_question_keys WHERE questionnaire_id = ? AND key = ?`, qid, q.Key).Scan(&typ)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if _, err := tx.ExecContext(ctx, `INSERT INTO survey_question_keys (questionnaire_id, key, type, first_version) VALUES (?, ?, ?, ?)`,
					qid, q.Key, q.Type, cur+1); err != nil {
					return err
				}
			case err != nil:
				return err
			case typ != q.Type:
				fe.Add(fmt.Sprintf("questions[%d].type", i), "%s: %s", questionName(i, q),
					problem.Msg("survey.def.type_kept", q.Key, problem.Msg("survey.qtype."+typ)))
			}
		}
		if len(fe) > 0 {
			return fe
		}
		return tx.QueryRowContext(ctx, `INSERT INTO survey_versions (questionnaire_id, version, definition, published_at, published_by)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, qid, cur+1, string(body), now, by).Scan(&id)
	})
	if err != nil {
		return Version{}, err
	}
	return s.Version(ctx, id)
}

// EnsureDefault publishes the shipped weekly questionnaire when no
// questionnaire exists yet.
func (s *Store) EnsureDefault(ctx context.Context) error {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM survey_versions`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	_, err := s.Publish(ctx, DefaultDefinition(), "system")
	return err
}

const versionSelect = `SELECT v.id, q.slug, v.version, v.published_at, v.published_by, v.definition
	FROM survey_versions v JOIN survey_questionnaires q ON q.id = v.questionnaire_id`

func scanVersion(row interface{ Scan(...any) error }) (Version, error) {
	var v Version
	var body string
	err := row.Scan(&v.ID, &v.Slug, &v.Version, &v.PublishedAt, &v.PublishedBy, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal([]byte(body), &v.Definition)
}

// Version returns one version by id.
func (s *Store) Version(ctx context.Context, id int64) (Version, error) {
	s.mu.Lock()
	v, ok := s.versions[id]
	s.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := scanVersion(s.db.QueryRowContext(ctx, versionSelect+` WHERE v.id = ?`, id))
	if err == nil {
		s.mu.Lock()
		s.versions[id] = v
		s.mu.Unlock()
	}
	return v, err
}

// Current returns the newest version of the questionnaire slug.
func (s *Store) Current(ctx context.Context, slug string) (Version, error) {
	v, err := scanVersion(s.db.QueryRowContext(ctx, versionSelect+` WHERE q.slug = ? ORDER BY v.version DESC LIMIT 1`, slug))
	if errors.Is(err, ErrNotFound) {
		return v, ErrNoVersion
	}
	return v, err
}

// Versions lists every version, newest first.
func (s *Store) Versions(ctx context.Context) ([]Version, error) {
	rows, err := s.db.QueryContext(ctx, versionSelect+` ORDER BY q.slug, v.version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vs := []Version{}
	for rows.Next() {
		v, err := scanVersion(rows)
		if err != nil {
			return nil, err
		}
		vs = append(vs, v)
	}
	return vs, rows.Err()
}

// --- waves ---

// Wave is one week's round of the questionnaire.
type Wave struct {
	ID                string    `json:"id"`
	VersionID         int64     `json:"version_id"`
	Version           int       `json:"version"`
	OpensAt           time.Time `json:"opens_at"`
	ClosesAt          time.Time `json:"closes_at"`
	ReminderAfterDays int       `json:"reminder_after_days"`
	MaxReminders      int       `json:"max_reminders"`
	CreatedAt         time.Time `json:"created_at"`
	CreatedBy         string    `json:"created_by"`
}

// State says whether the wave is upcoming, open or closed at now.
func (w Wave) State(now time.Time) string {
	switch {
	case now.Before(w.OpensAt):
		return "upcoming"
	case now.Before(w.ClosesAt):
		return "open"
	}
	return "closed"
}

const waveSelect = `SELECT w.id, w.version_id, v.version, w.opens_at, w.closes_at, w.reminder_after_days, w.max_reminders, w.created_at, w.created_by
	FROM survey_waves w JOIN survey_versions v ON v.id = w.version_id`

func scanWave(row interface{ Scan(...any) error }) (Wave, error) {
	var w Wave
	err := row.Scan(&w.ID, &w.VersionID, &w.Version, &w.OpensAt, &w.ClosesAt, &w.ReminderAfterDays, &w.MaxReminders, &w.CreatedAt, &w.CreatedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return w, ErrNotFound
	}
	return w, err
}

// Wave returns one wave.
func (s *Store) Wave(ctx context.Context, id string) (Wave, error) {
	return scanWave(s.db.QueryRowContext(ctx, waveSelect+` WHERE w.id = ?`, id))
}

// Waves lists every wave, newest first.
func (s *Store) Waves(ctx context.Context) ([]Wave, error) {
	rows, err := s.db.QueryContext(ctx, waveSelect+` ORDER BY w.opens_at DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ws := []Wave{}
	for rows.Next() {
		w, err := scanWave(rows)
		if err != nil {
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, rows.Err()
}

// CreateWave creates the wave of an ISO week with the current version of the
// default questionnaire and the schedule's times, and invites every active
// contact of the companies in the schedule's cohort. The week is what
// week.Parse reads; the wave's id is its canonical form (2012-W46). A week
// has one wave: ErrExists when it is there already (nothing is overwritten).
func (s *Store) CreateWave(ctx context.Context, weekText, by string) (Wave, int, error) {
	p, err := s.planWave(ctx, weekText)
	if err != nil {
		return Wave{}, 0, err
	}
	var n int
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err = s.insertWave(ctx, tx, p, by, s.Now())
		return err
	})
	if err != nil {
		return Wave{}, 0, err
	}
	w, err := s.Wave(ctx, p.id)
	return w, n, err
}

// wavePlan is a week's wave before it is stored: its id (the canonical
// week), the schedule's window and the current default version.
type wavePlan struct {
	id            string
	sc            Schedule
	opens, closes time.Time
	version       Version
}

// planWave reads the week and works out its wave.
func (s *Store) planWave(ctx context.Context, weekText string) (wavePlan, error) {
	var p wavePlan
	wk, err := week.Parse(weekText)
	if err != nil {
		return p, FieldErrors{{Field: "week", Message: problem.Msg("survey.v.week", weekText)}}
	}
	p.id = wk.String()
	if p.sc, err = s.Schedule(ctx); err != nil {
		return p, err
	}
	if p.opens, p.closes, err = p.sc.Window(wk); err != nil {
		var fe FieldErrors
		fe.AddErr("week", err)
		return p, fe
	}
	p.version, err = s.Current(ctx, DefaultSlug)
	return p, err
}

// insertWave stores a planned wave and invites the cohort's contacts,
// their invitations created at invitedAt. ErrExists: the week has a wave.
func (s *Store) insertWave(ctx context.Context, tx *sql.Tx, p wavePlan, by string, invitedAt time.Time) (int, error) {
	_, err := tx.ExecContext(ctx, `INSERT INTO survey_waves (id, version_id, opens_at, closes_at, reminder_after_days, max_reminders, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, p.id, p.version.ID, p.opens, p.closes, p.sc.ReminderAfterDays, p.sc.MaxReminders, s.Now(), by)
	if store.IsUnique(err) {
		return 0, ErrExists
	}
	if err != nil {
		return 0, err
	}
	return s.inviteContacts(ctx, tx, p.id, p.sc.Cohort, invitedAt)
}

// inviteContacts adds an invitation for every active contact (of a company in
// cohort, "" = all) that has none in the wave yet, created at at. It
// returns how many.
func (s *Store) inviteContacts(ctx context.Context, tx *sql.Tx, wave, cohort string, at time.Time) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT ct.id, ct.company_id FROM contacts ct JOIN companies co ON co.id = ct.company_id
		WHERE ct.removed_at IS NULL AND (? = '' OR co.cohort = ?)
		AND NOT EXISTS (SELECT 1 FROM survey_invitations i WHERE i.wave_id = ? AND i.contact_id = ct.id)
		ORDER BY co.name, ct.position, ct.id`, cohort, cohort, wave)
	if err != nil {
		return 0, err
	}
	type pair struct{ contact, company int64 }
	var ps []pair
	for rows.Next() {
		var p pair
		if err := rows.Scan(&p.contact, &p.company); err != nil {
			rows.Close()
			return 0, err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, p := range ps {
		tok := NewToken()
		h := HashToken(tok)
		if _, err := tx.ExecContext(ctx, `INSERT INTO survey_invitations (wave_id, contact_id, company_id, token_hash, token_sealed, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, wave, p.contact, p.company, h, s.sealer.seal(tok, h), at); err != nil {
			return 0, err
		}
	}
	return len(ps), nil
}

// InviteNewContacts adds invitations for contacts added since an open wave
// was created. It returns how many.
func (s *Store) InviteNewContacts(ctx context.Context, now time.Time) (int, error) {
	ws, err := s.Waves(ctx)
	if err != nil {
		return 0, err
	}
	sc, err := s.Schedule(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, w := range ws {
		if w.State(now) != "open" {
			continue
		}
		err := s.db.Tx(ctx, func(tx *sql.Tx) error {
			n, err := s.inviteContacts(ctx, tx, w.ID, sc.Cohort, s.Now())
			total += n
			return err
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// --- invitations ---

// Invitation is one contact's invitation to one wave.
type Invitation struct {
	ID            int64      `json:"id"`
	WaveID        string     `json:"wave"`
	ContactID     int64      `json:"contact_id"`
	ContactName   string     `json:"contact_name"`
	ContactEmail  string     `json:"contact_email"`
	Language      string     `json:"language"`
	CompanyID     int64      `json:"company_id"`
	CompanyCVR    string     `json:"company_cvr"`
	CompanyName   string     `json:"company_name"`
	Status        string     `json:"status"`
	OpenedAt      *time.Time `json:"opened_at"`
	SavedAt       *time.Time `json:"saved_at"`
	SubmittedAt   *time.Time `json:"submitted_at"`
	ReopenedAt    *time.Time `json:"reopened_at"`
	InvitedAt     *time.Time `json:"invited_at"`
	RemindersSent int        `json:"reminders_sent"`
	LastSentAt    *time.Time `json:"last_sent_at"`

	tokenHash, tokenSealed []byte
}

const invitationSelect = `SELECT i.id, i.wave_id, i.contact_id, ct.name, ct.email, ct.language, i.company_id, co.cvr, co.name,
	i.status, i.opened_at, i.saved_at, i.submitted_at, i.reopened_at, i.invited_at, i.reminders_sent, i.last_sent_at, i.token_hash, i.token_sealed
	FROM survey_invitations i JOIN contacts ct ON ct.id = i.contact_id JOIN companies co ON co.id = i.company_id`

func scanInvitation(row interface{ Scan(...any) error }) (Invitation, error) {
	var i Invitation
	err := row.Scan(&i.ID, &i.WaveID, &i.ContactID, &i.ContactName, &i.ContactEmail, &i.Language, &i.CompanyID, &i.CompanyCVR, &i.CompanyName,
		&i.Status, &i.OpenedAt, &i.SavedAt, &i.SubmittedAt, &i.ReopenedAt, &i.InvitedAt, &i.RemindersSent, &i.LastSentAt, &i.tokenHash, &i.tokenSealed)
	if errors.Is(err, sql.ErrNoRows) {
		return i, ErrNotFound
	}
	return i, err
}

func (s *Store) invitations(ctx context.Context, where string, args ...any) ([]Invitation, error) {
	rows, err := s.db.QueryContext(ctx, invitationSelect+` WHERE `+where+` ORDER BY co.name, ct.name, i.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	is := []Invitation{}
	for rows.Next() {
		i, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		is = append(is, i)
	}
	return is, rows.Err()
}

// Invitations lists a wave's invitations.
func (s *Store) Invitations(ctx context.Context, wave string) ([]Invitation, error) {
	return s.invitations(ctx, `i.wave_id = ?`, wave)
}

// Invitation returns one invitation by id.
func (s *Store) Invitation(ctx context.Context, id int64) (Invitation, error) {
	return scanInvitation(s.db.QueryRowContext(ctx, invitationSelect+` WHERE i.id = ?`, id))
}

// Token recovers an invitation's token (for its link in e-mails and lists).
func (s *Store) Token(i Invitation) (string, error) {
	return s.sealer.open(i.tokenSealed, i.tokenHash)
}

// ByToken finds the invitation of a token whose wave is open at now. A
// wrong token, a wave not yet open and a closed wave all give ErrNotFound:
// the caller cannot tell them apart.
func (s *Store) ByToken(ctx context.Context, token string, now time.Time) (Invitation, Wave, error) {
	if !validTokenShape(token) {
		return Invitation{}, Wave{}, ErrNotFound
	}
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, invitationSelect+` WHERE i.token_hash = ?`, HashToken(token)))
	if err != nil {
		return inv, Wave{}, err
	}
	w, err := s.Wave(ctx, inv.WaveID)
	if err != nil {
		return inv, w, err
	}
	if w.State(now) != "open" {
		return Invitation{}, Wave{}, ErrNotFound
	}
	return inv, w, nil
}

// MarkOpened moves an invitation from invited to opened.
func (s *Store) MarkOpened(ctx context.Context, id int64, now time.Time) error {
	_, err := s.db.ExecContext(ctx, `UPDATE survey_invitations SET status = 'opened', opened_at = ? WHERE id = ? AND status = 'invited'`, now, id)
	return err
}

// Answers returns an invitation's stored answers (question key -> value).
func (s *Store) Answers(ctx context.Context, invitation int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT question_key, value FROM survey_answers WHERE invitation_id = ?`, invitation)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		m[k] = v
	}
	return m, rows.Err()
}

// Save stores an invitation's answers as a draft or (final) as submitted,
// replacing its earlier draft, in one transaction. The guard on the status
// makes a double submit store one answer set: the second gets
// ErrAlreadySubmitted. A wave that closed meanwhile gives ErrClosed.
func (s *Store) Save(ctx context.Context, inv Invitation, w Wave, values map[string]string, final bool) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		now := s.Now()
		var closes time.Time
		if err := tx.QueryRowContext(ctx, `SELECT closes_at FROM survey_waves WHERE id = ?`, w.ID).Scan(&closes); err != nil {
			return err
		}
		if !now.Before(closes) {
			return ErrClosed
		}
		status, stamp := "draft", "saved_at"
		if final {
			status, stamp = "submitted", "submitted_at"
		}
		res, err := tx.ExecContext(ctx, `UPDATE survey_invitations SET status = ?, `+stamp+` = ?, saved_at = ?
			WHERE id = ? AND wave_id = ? AND status <> 'submitted'`, status, now, now, inv.ID, w.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrAlreadySubmitted
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM survey_answers WHERE invitation_id = ?`, inv.ID); err != nil {
			return err
		}
		for k, v := range values {
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (invitation_id, wave_id, company_id, contact_id, version_id, question_key, value)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, inv.ID, w.ID, inv.CompanyID, inv.ContactID, w.VersionID, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Reopen lets a respondent change submitted answers again (until the wave
// closes): the invitation goes back to draft, keeping its answers.
func (s *Store) Reopen(ctx context.Context, id int64, by string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE survey_invitations SET status = 'draft', reopened_at = ?, reopened_by = ? WHERE id = ? AND status = 'submitted'`,
		s.Now(), by, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// --- answers in long format ---

// AnswerRow is one answer in long format.
type AnswerRow struct {
	Wave        string    `json:"wave"`
	CompanyCVR  string    `json:"company_cvr"`
	CompanyName string    `json:"company_name"`
	ContactID   int64     `json:"contact_id"`
	Contact     string    `json:"contact"`
	QuestionKey string    `json:"question_key"`
	Version     int       `json:"questionnaire_version"`
	Value       string    `json:"value"`
	SubmittedAt time.Time `json:"submitted_at"`
}

// AnswerFilter narrows the long-format answers.
type AnswerFilter struct {
	Wave       string
	CompanyCVR string
	Key        string
}

// SubmittedAnswers lists submitted answers in long format: wave, company,
// contact, question key, value (drafts are not answers yet).
func (s *Store) SubmittedAnswers(ctx context.Context, f AnswerFilter) ([]AnswerRow, error) {
	q := `SELECT a.wave_id, co.cvr, co.name, a.contact_id, ct.email, a.question_key, v.version, a.value, i.submitted_at
		FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id
		JOIN companies co ON co.id = a.company_id JOIN contacts ct ON ct.id = a.contact_id
		JOIN survey_versions v ON v.id = a.version_id
		WHERE i.status = 'submitted'`
	var args []any
	if f.Wave != "" {
		q, args = q+` AND a.wave_id = ?`, append(args, f.Wave)
	}
	if f.CompanyCVR != "" {
		q, args = q+` AND co.cvr = ?`, append(args, f.CompanyCVR)
	}
	if f.Key != "" {
		q, args = q+` AND a.question_key = ?`, append(args, f.Key)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY a.wave_id, co.name, ct.email, a.question_key`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []AnswerRow{}
	for rows.Next() {
		var r AnswerRow
		if err := rows.Scan(&r.Wave, &r.CompanyCVR, &r.CompanyName, &r.ContactID, &r.Contact, &r.QuestionKey, &r.Version, &r.Value, &r.SubmittedAt); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CompanyID finds a company by CVR.
func (s *Store) CompanyID(ctx context.Context, cvr string) (int64, string, error) {
	var id int64
	var name string
	err := s.db.QueryRowContext(ctx, `SELECT id, name FROM companies WHERE cvr = ?`, cvr).Scan(&id, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", ErrNotFound
	}
	return id, name, err
}
