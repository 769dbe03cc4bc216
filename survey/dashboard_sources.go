package survey

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// What the dashboards read of the questionnaire besides the wave figures:
// when each company joined the pilot, and the texts the wishes are counted
// in (docs/figures.md#wishes).

// JoinWeeks is the week each company joined the pilot, by CVR: the earlier
// of the week it was registered and the first wave it was invited to (a
// replayed pilot registers its companies today but invited them in 2012).
func (s *Store) JoinWeeks(ctx context.Context) (map[string]week.Week, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT co.cvr, co.created_at, min(i.wave_id) FROM companies co
		LEFT JOIN survey_invitations i ON i.company_id = co.id GROUP BY co.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]week.Week{}
	for rows.Next() {
		var cvr string
		var created time.Time
		var wave sql.NullString
		if err := rows.Scan(&cvr, &created, &wave); err != nil {
			return nil, err
		}
		w := week.Of(created)
		if wave.Valid {
			if first, err := week.Parse(wave.String); err == nil && first.Before(w) {
				w = first
			}
		}
		out[cvr] = w
	}
	return out, rows.Err()
}

// SubmittedText is one submitted answer to a question of a type that holds
// text or choices, as the wishes read it.
type SubmittedText struct {
	CompanyCVR  string
	CompanyName string
	Wave        string    // ISO week
	SubmittedAt time.Time // of the invitation
	QuestionKey string
	Type        string // TypeText or TypeMulti (then Value is a JSON array of option keys)
	Value       string
	// Definition is the questionnaire version the answer was given under,
	// for its question and option texts.
	Definition Definition
}

// AnswerTexts lists the submitted free-text and multiple-choice answers of
// the waves from to to (inclusive), oldest first.
func (s *Store) AnswerTexts(ctx context.Context, from, to week.Week) ([]SubmittedText, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT co.cvr, co.name, a.wave_id, i.submitted_at, a.question_key, k.type, a.value, a.version_id
		FROM survey_answers a
		JOIN survey_invitations i ON i.id = a.invitation_id
		JOIN companies co ON co.id = a.company_id
		JOIN survey_versions v ON v.id = a.version_id
		JOIN survey_question_keys k ON k.questionnaire_id = v.questionnaire_id AND k.key = a.question_key
		WHERE i.status = 'submitted' AND k.type IN (?, ?) AND a.value <> '' AND a.wave_id >= ? AND a.wave_id <= ?
		ORDER BY a.wave_id, co.name, a.invitation_id, a.question_key`, TypeText, TypeMulti, from.String(), to.String())
	if err != nil {
		return nil, err
	}
	var out []SubmittedText
	var versions []int64
	for rows.Next() {
		var a SubmittedText
		var at sql.NullTime
		var version int64
		if err := rows.Scan(&a.CompanyCVR, &a.CompanyName, &a.Wave, &at, &a.QuestionKey, &a.Type, &a.Value, &version); err != nil {
			rows.Close()
			return nil, err
		}
		a.SubmittedAt = at.Time
		out = append(out, a)
		versions = append(versions, version)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	defs := map[int64]Definition{}
	for i, v := range versions {
		d, ok := defs[v]
		if !ok {
			var raw string
			if err := s.db.QueryRowContext(ctx, `SELECT definition FROM survey_versions WHERE id = ?`, v).Scan(&raw); err != nil {
				return nil, err
			}
			if err := json.Unmarshal([]byte(raw), &d); err != nil {
				return nil, err
			}
			defs[v] = d
		}
		out[i].Definition = d
	}
	return out, nil
}

// InterviewsHeld lists the interview notes held from the Monday of from to
// the Sunday of to (Copenhagen calendar days), oldest first.
func (s *Store) InterviewsHeld(ctx context.Context, from, to week.Week) ([]Interview, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT iv.id, co.cvr, co.name, iv.held_on, iv.notes
		FROM survey_interviews iv JOIN companies co ON co.id = iv.company_id
		WHERE iv.held_on >= ? AND iv.held_on <= ? AND iv.notes <> '' ORDER BY iv.held_on, iv.id`,
		from.Monday().Format(time.DateOnly), to.Sunday().Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Interview
	for rows.Next() {
		var iv Interview
		if err := rows.Scan(&iv.ID, &iv.CompanyCVR, &iv.CompanyName, &iv.HeldOn, &iv.Notes); err != nil {
			return nil, err
		}
		out = append(out, iv)
	}
	return out, rows.Err()
}

// CompanyRating is one submitted rating answer (e.g. KeyEase, 1 to 5).
type CompanyRating struct {
	CompanyCVR string
	Value      int
}

// Ratings lists, per wave, every submitted answer to the rating question
// key (one per submitting contact). Waves without one have no entry.
func (s *Store) Ratings(ctx context.Context, key string) (map[string][]CompanyRating, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.wave_id, co.cvr, CAST(a.value AS INTEGER) FROM survey_answers a
		JOIN survey_invitations i ON i.id = a.invitation_id JOIN companies co ON co.id = a.company_id
		WHERE i.status = 'submitted' AND a.question_key = ? AND a.value GLOB '[0-9]*' ORDER BY a.wave_id, co.cvr`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]CompanyRating{}
	for rows.Next() {
		var wave string
		var r CompanyRating
		if err := rows.Scan(&wave, &r.CompanyCVR, &r.Value); err != nil {
			return nil, err
		}
		out[wave] = append(out[wave], r)
	}
	return out, rows.Err()
}

// LastInterviews is the day (YYYY-MM-DD) of the newest interview of each of
// the companies with the given CVRs, by CVR: one query for the whole set
// (the follow-up list), however many companies. A company never
// interviewed has no entry.
func (s *Store) LastInterviews(ctx context.Context, cvrs []string) (map[string]string, error) {
	out := map[string]string{}
	if len(cvrs) == 0 {
		return out, nil
	}
	set, err := json.Marshal(cvrs)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT co.cvr, max(iv.held_on) FROM survey_interviews iv JOIN companies co ON co.id = iv.company_id
		WHERE co.cvr IN (SELECT value FROM json_each(?)) GROUP BY co.cvr`, string(set))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cvr, day string
		if err := rows.Scan(&cvr, &day); err != nil {
			return nil, err
		}
		out[cvr] = day
	}
	return out, rows.Err()
}
