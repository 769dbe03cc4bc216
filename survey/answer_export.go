package survey

import (
	"context"
	"strconv"
	"time"
)

// ExportAnswer is one submitted answer as the raw answer export writes it
// (reports/exports): the question's text and the answer's label(s) in a
// language, never their keys.
type ExportAnswer struct {
	Wave         string
	CompanyCVR   string
	CompanyName  string
	ContactName  string
	ContactEmail string
	Question     string
	// Answer is the label(s) of a yes/no or choice answer, or the number
	// as given; "" for free text.
	Answer string
	// Number is the value of a number, rating or NPS answer.
	Number *float64
	// FreeText is the answer to a free-text question.
	FreeText    string
	SubmittedAt time.Time
}

// WaveSpan is the waves from From to To (ISO weeks like 2012-W46, both
// included).
type WaveSpan struct{ From, To string }

const exportAnswersFrom = ` FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id
	JOIN companies co ON co.id = a.company_id JOIN contacts ct ON ct.id = a.contact_id
	WHERE i.status = 'submitted' AND a.wave_id >= ? AND a.wave_id <= ?`

// CountExportAnswers is how many submitted answers the waves of span hold.
func (s *Store) CountExportAnswers(ctx context.Context, span WaveSpan) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT count(*)`+exportAnswersFrom, span.From, span.To).Scan(&n)
	return n, err
}

// EachExportAnswer calls fn with every submitted answer of the waves of
// span, read as a stream (never all at once), in lang: by wave, company,
// contact, and each contact's answers in the order of the questionnaire
// version it answered.
func (s *Store) EachExportAnswer(ctx context.Context, span WaveSpan, lang string, fn func(ExportAnswer) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT i.id, a.wave_id, co.cvr, co.name, ct.name, ct.email, i.submitted_at, a.version_id, a.question_key, a.value`+
		exportAnswersFrom+` ORDER BY a.wave_id, co.name, co.cvr, ct.email, i.id`, span.From, span.To)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		current int64 = -1
		head    ExportAnswer
		version int64
		given   = map[string]string{}
	)
	flush := func() error { // one invitation's answers, in question order
		if current < 0 {
			return nil
		}
		v, err := s.Version(ctx, version)
		if err != nil {
			return err
		}
		for _, q := range v.Definition.Questions {
			value, ok := given[q.Key]
			if !ok {
				continue
			}
			a := head
			a.Question = q.Text.In(lang)
			switch q.Type {
			case TypeText:
				a.FreeText = value
			case TypeNumber, TypeRating, TypeNPS:
				a.Answer = value
				if f, err := strconv.ParseFloat(value, 64); err == nil {
					a.Number = &f
				}
			default:
				a.Answer = AnswerText(q, value, lang)
			}
			if err := fn(a); err != nil {
				return err
			}
		}
		clear(given)
		return nil
	}
	for rows.Next() {
		var id, ver int64
		var a ExportAnswer
		var key, value string
		if err := rows.Scan(&id, &a.Wave, &a.CompanyCVR, &a.CompanyName, &a.ContactName, &a.ContactEmail, &a.SubmittedAt, &ver, &key, &value); err != nil {
			return err
		}
		if id != current {
			if err := flush(); err != nil {
				return err
			}
			current, head, version = id, a, ver
			head.SubmittedAt = head.SubmittedAt.UTC()
		}
		given[key] = value
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}
