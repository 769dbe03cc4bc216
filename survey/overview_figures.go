package survey

import (
	"context"
	"database/sql"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// AnsweredSpan is the first and the newest wave (ISO week) with at least
// one submitted answer; ok is false when there is none.
func (s *Store) AnsweredSpan(ctx context.Context) (first, last week.Week, ok bool, err error) {
	var lo, hi sql.NullString
	if err := s.db.QueryRowContext(ctx, `SELECT min(wave_id), max(wave_id) FROM survey_invitations WHERE status = 'submitted'`).Scan(&lo, &hi); err != nil {
		return first, last, false, err
	}
	if !lo.Valid || !hi.Valid {
		return first, last, false, nil
	}
	if first, err = week.Parse(lo.String); err != nil {
		return first, last, false, err
	}
	if last, err = week.Parse(hi.String); err != nil {
		return first, last, false, err
	}
	return first, last, true, nil
}

// CompaniesAnswering lists, per wave, the companies (CVR) with a submitted
// answer value to the question key (e.g. KeySetupProblem "yes"): any
// contact's submission counts. Waves without one have no entry.
func (s *Store) CompaniesAnswering(ctx context.Context, key, value string) (map[string][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT a.wave_id, co.cvr FROM survey_answers a
		JOIN survey_invitations i ON i.id = a.invitation_id JOIN companies co ON co.id = a.company_id
		WHERE i.status = 'submitted' AND a.question_key = ? AND a.value = ? ORDER BY a.wave_id, co.cvr`, key, value)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var wave, cvr string
		if err := rows.Scan(&wave, &cvr); err != nil {
			return nil, err
		}
		out[wave] = append(out[wave], cvr)
	}
	return out, rows.Err()
}
