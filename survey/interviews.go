package survey

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Interview is the notes of one follow-up interview with a company.
type Interview struct {
	ID          int64     `json:"id"`
	CompanyCVR  string    `json:"company_cvr"`
	CompanyName string    `json:"company_name"`
	HeldOn      string    `json:"held_on"` // YYYY-MM-DD
	Interviewer string    `json:"interviewer"`
	Topics      []string  `json:"topics"` // question keys of the questionnaire
	Notes       string    `json:"notes"`
	CreatedAt   time.Time `json:"created_at"`
	CreatedBy   string    `json:"created_by"`
}

// MaxNotesLength caps interview notes (characters).
const MaxNotesLength = 20000

// Topics is the key list interview topics come from: every question key
// ever published.
func (s *Store) Topics(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT key FROM survey_question_keys ORDER BY key`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ks := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		ks = append(ks, k)
	}
	return ks, rows.Err()
}

// AddInterview validates and stores interview notes.
func (s *Store) AddInterview(ctx context.Context, in Interview, by string) (Interview, error) {
	var errs FieldErrors
	in.Interviewer = strings.TrimSpace(in.Interviewer)
	in.Notes = strings.TrimSpace(in.Notes)
	if _, err := time.Parse("2006-01-02", in.HeldOn); err != nil {
		errs.Add("held_on", "survey.v.date")
	}
	if in.Interviewer == "" || utf8.RuneCountInString(in.Interviewer) > 200 {
		errs.Add("interviewer", "survey.v.interviewer", 200)
	}
	if utf8.RuneCountInString(in.Notes) > MaxNotesLength {
		errs.Add("notes", "field.too_long", MaxNotesLength)
	}
	topics, err := s.Topics(ctx)
	if err != nil {
		return in, err
	}
	for _, t := range in.Topics {
		if !slices.Contains(topics, t) {
			errs.Add("topics", "survey.v.topic", t)
		}
	}
	companyID, name, err := s.CompanyID(ctx, in.CompanyCVR)
	if err != nil {
		errs.Add("company_cvr", "survey.v.company")
	}
	if len(errs) > 0 {
		return in, errs
	}
	in.CompanyName = name
	if in.Topics == nil {
		in.Topics = []string{}
	}
	in.CreatedAt, in.CreatedBy = s.Now(), by
	err = s.db.QueryRowContext(ctx, `INSERT INTO survey_interviews (company_id, held_on, interviewer, topics, notes, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, companyID, in.HeldOn, in.Interviewer, strings.Join(in.Topics, " "), in.Notes, in.CreatedAt, by).Scan(&in.ID)
	return in, err
}

// InterviewFilter narrows a search of interview notes.
type InterviewFilter struct {
	Search     string // in notes, interviewer or company name
	CompanyCVR string
	Topic      string
}

// Interviews searches interview notes, newest first.
func (s *Store) Interviews(ctx context.Context, f InterviewFilter) ([]Interview, error) {
	q := `SELECT iv.id, co.cvr, co.name, iv.held_on, iv.interviewer, iv.topics, iv.notes, iv.created_at, iv.created_by
		FROM survey_interviews iv JOIN companies co ON co.id = iv.company_id WHERE 1 = 1`
	var args []any
	if f.Search != "" {
		like := "%" + likeEscape(f.Search) + "%"
		q += ` AND (iv.notes LIKE ? ESCAPE '\' OR iv.interviewer LIKE ? ESCAPE '\' OR co.name LIKE ? ESCAPE '\')`
		args = append(args, like, like, like)
	}
	if f.CompanyCVR != "" {
		q, args = q+` AND co.cvr = ?`, append(args, f.CompanyCVR)
	}
	if f.Topic != "" {
		q, args = q+` AND (' ' || iv.topics || ' ') LIKE ? ESCAPE '\'`, append(args, "% "+likeEscape(f.Topic)+" %")
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY iv.held_on DESC, iv.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Interview{}
	for rows.Next() {
		var iv Interview
		var topics string
		if err := rows.Scan(&iv.ID, &iv.CompanyCVR, &iv.CompanyName, &iv.HeldOn, &iv.Interviewer, &topics, &iv.Notes, &iv.CreatedAt, &iv.CreatedBy); err != nil {
			return nil, err
		}
		iv.Topics = strings.Fields(topics)
		out = append(out, iv)
	}
	return out, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
