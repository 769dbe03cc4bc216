package survey

import (
	"context"
	"slices"
)

// Figures the dashboards read for setup problems and the follow-up list
// (docs/figures.md#setup-problems, #follow-up-list).

// CompaniesChoosing lists, per wave and company (CVR), the options of the
// multiple-choice question key the company's submitted answers chose (any
// contact's submission counts; each option once, in key order). Waves and
// companies without such an answer have no entry.
func (s *Store) CompaniesChoosing(ctx context.Context, key string) (map[string]map[string][]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT a.wave_id, co.cvr, a.value FROM survey_answers a
		JOIN survey_invitations i ON i.id = a.invitation_id JOIN companies co ON co.id = a.company_id
		WHERE i.status = 'submitted' AND a.question_key = ? ORDER BY a.wave_id, co.cvr`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string][]string{}
	for rows.Next() {
		var wave, cvr, value string
		if err := rows.Scan(&wave, &cvr, &value); err != nil {
			return nil, err
		}
		if out[wave] == nil {
			out[wave] = map[string][]string{}
		}
		for _, o := range MultiValues(value) {
			if !slices.Contains(out[wave][cvr], o) {
				out[wave][cvr] = append(out[wave][cvr], o)
			}
		}
		slices.Sort(out[wave][cvr])
	}
	return out, rows.Err()
}

// OptionTexts are the options of the question key as the questionnaires
// define them, in lang: from the newest version that has the question,
// older versions adding the options it dropped. Keyed by option key, in the
// newest version's order (Keys).
type OptionTexts struct {
	Keys  []string
	Texts map[string]string
}

// Text is the option's text, or the key itself for an option no version defines.
func (o OptionTexts) Text(key string) string {
	if t, ok := o.Texts[key]; ok {
		return t
	}
	return key
}

// QuestionOptions reads the options of the question key of every
// published version, in lang.
func (s *Store) QuestionOptions(ctx context.Context, key, lang string) (OptionTexts, error) {
	out := OptionTexts{Texts: map[string]string{}}
	vs, err := s.Versions(ctx)
	if err != nil {
		return out, err
	}
	slices.SortStableFunc(vs, func(a, b Version) int { return b.PublishedAt.Compare(a.PublishedAt) }) // newest first
	for _, v := range vs {
		q, ok := v.Definition.Question(key)
		if !ok {
			continue
		}
		for _, o := range q.Options {
			if _, seen := out.Texts[o.Key]; !seen {
				out.Texts[o.Key] = o.Text.In(lang)
				out.Keys = append(out.Keys, o.Key)
			}
		}
	}
	return out, nil
}

// WaveCompanies are the companies (CVR) with at least one invitation in
// the wave, and those of them with a submitted one.
func (s *Store) WaveCompanies(ctx context.Context, wave string) (invited, answered map[string]bool, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT co.cvr, max(i.status = 'submitted') FROM survey_invitations i
		JOIN companies co ON co.id = i.company_id WHERE i.wave_id = ? GROUP BY co.cvr`, wave)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	invited, answered = map[string]bool{}, map[string]bool{}
	for rows.Next() {
		var cvr string
		var submitted bool
		if err := rows.Scan(&cvr, &submitted); err != nil {
			return nil, nil, err
		}
		invited[cvr] = true
		if submitted {
			answered[cvr] = true
		}
	}
	return invited, answered, rows.Err()
}
