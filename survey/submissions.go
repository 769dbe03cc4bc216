package survey

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/web"
)

// ReadableAnswer is one submitted answer as people read it: the question's
// text and the answer's label in a language, never their keys (Key is for
// machines).
type ReadableAnswer struct {
	Key      string `json:"key"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// Submission is one contact's submitted answers in one wave.
type Submission struct {
	Wave        string           `json:"wave"`
	Contact     string           `json:"contact"`
	SubmittedAt time.Time        `json:"submitted_at"`
	Answers     []ReadableAnswer `json:"answers"`
}

// CompanySubmissions lists a company's submitted answers, one Submission
// per invitation (wave and contact), newest first, each answer written in
// lang from the questionnaire version the contact answered, in its
// question order. A company without any is an empty list.
func (s *Store) CompanySubmissions(ctx context.Context, cvr, lang string) ([]Submission, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT i.id, a.wave_id, ct.name, i.submitted_at, a.version_id, a.question_key, a.value
		FROM survey_answers a JOIN survey_invitations i ON i.id = a.invitation_id
		JOIN companies co ON co.id = a.company_id JOIN contacts ct ON ct.id = a.contact_id
		WHERE co.cvr = ? AND i.status = 'submitted'
		ORDER BY i.submitted_at DESC, i.id`, cvr)
	if err != nil {
		return nil, err
	}
	type answer struct {
		version    int64
		key, value string
	}
	var order []int64
	subs := map[int64]*Submission{}
	answers := map[int64][]answer{}
	for rows.Next() {
		var id, version int64
		var sub Submission
		var a answer
		if err := rows.Scan(&id, &sub.Wave, &sub.Contact, &sub.SubmittedAt, &version, &a.key, &a.value); err != nil {
			rows.Close()
			return nil, err
		}
		a.version = version
		if subs[id] == nil {
			sub.Answers = []ReadableAnswer{}
			subs[id] = &sub
			order = append(order, id)
		}
		answers[id] = append(answers[id], a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	versions := map[int64]Definition{}
	out := make([]Submission, 0, len(order))
	for _, id := range order {
		sub := subs[id]
		given := map[string]string{}
		var def Definition
		for _, a := range answers[id] {
			d, ok := versions[a.version]
			if !ok {
				v, err := s.Version(ctx, a.version)
				if err != nil {
					return nil, err
				}
				d, versions[a.version] = v.Definition, v.Definition
			}
			def, given[a.key] = d, a.value
		}
		for _, q := range def.Questions {
			if v, ok := given[q.Key]; ok {
				sub.Answers = append(sub.Answers, ReadableAnswer{Key: q.Key, Question: q.Text.In(lang), Answer: AnswerText(q, v, lang)})
			}
		}
		out = append(out, *sub)
	}
	return out, nil
}

// AnswerText writes a stored answer value of question q for people in
// lang: yes/no as the words, choices as their option texts, numbers and
// free text as given.
func AnswerText(q Question, value, lang string) string {
	option := func(key string) string {
		for _, o := range q.Options {
			if o.Key == key {
				return o.Text.In(lang)
			}
		}
		return key
	}
	switch q.Type {
	case TypeYesNo:
		if value == "yes" || value == "no" {
			return web.Translate(lang, "survey.answer."+value)
		}
	case TypeSingle:
		return option(value)
	case TypeMulti:
		var keys []string
		if err := json.Unmarshal([]byte(value), &keys); err != nil {
			return value
		}
		texts := make([]string, len(keys))
		for i, k := range keys {
			texts[i] = option(k)
		}
		return strings.Join(texts, "; ")
	}
	return value
}
