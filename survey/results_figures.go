package survey

// The questionnaire results of a wave per question
// (GET /api/v1/survey/waves/:wave/results and the weekly workbook's
// questionnaire sheet): one function, FigQuestionResults. Definition:
// docs/figures.md#questionnaire-results.

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/pilotpulse/pilotpulse/internal/web"
)

// QuestionResults are a wave's submitted answers counted per question, in
// a language: question texts and answer labels, never keys (Key fields are
// for machines).
type QuestionResults struct {
	Wave     string `json:"wave"`
	Language string `json:"language"`
	// Submitted is the wave's submitted invitations (the respondents).
	Submitted int              `json:"submitted"`
	Questions []QuestionResult `json:"questions"`
}

// QuestionResult is one question of the wave's questionnaire version.
type QuestionResult struct {
	Key      string `json:"key"`
	Type     string `json:"type"`
	Question string `json:"question"` // its text
	// Answered is the respondents who answered it: the denominator of the
	// options' shares.
	Answered int `json:"answered"`
	// Options count the respondents per answer (yes/no, each option of a
	// choice, each value of a rating or NPS scale); for a multiple choice a
	// respondent counts once per option chosen. Empty for numbers and text.
	Options []AnswerCount `json:"options"`
	// Mean of a rating, NPS or number question; null without answers or
	// for other types.
	Mean *float64 `json:"mean"`
	// Texts are the free-text answers with their company, by company name.
	Texts []TextAnswer `json:"texts"`
}

// AnswerCount is one answer's count and its share of the question's
// respondents (0 when none answered).
type AnswerCount struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Count int     `json:"count"`
	Share float64 `json:"share"`
}

// TextAnswer is a free-text answer and the company that gave it.
type TextAnswer struct {
	CompanyCVR  string `json:"company_cvr"`
	CompanyName string `json:"company_name"`
	Text        string `json:"text"`
}

// FigQuestionResults counts the submitted answers of the wave per question
// of its questionnaire version, in lang. ErrNotFound: no such wave.
func (s *Store) FigQuestionResults(ctx context.Context, wave, lang string) (QuestionResults, error) {
	w, err := s.Wave(ctx, wave)
	if err != nil {
		return QuestionResults{}, err
	}
	v, err := s.Version(ctx, w.VersionID)
	if err != nil {
		return QuestionResults{}, err
	}
	f, err := s.FigWaveResponse(ctx, w, s.Now())
	if err != nil {
		return QuestionResults{}, err
	}
	rows, err := s.SubmittedAnswers(ctx, AnswerFilter{Wave: w.ID})
	if err != nil {
		return QuestionResults{}, err
	}
	byKey := map[string][]AnswerRow{}
	for _, r := range rows {
		byKey[r.QuestionKey] = append(byKey[r.QuestionKey], r)
	}
	out := QuestionResults{Wave: w.ID, Language: lang, Submitted: f.Submitted, Questions: []QuestionResult{}}
	for _, q := range v.Definition.Questions {
		out.Questions = append(out.Questions, questionResult(q, byKey[q.Key], lang))
	}
	return out, nil
}

// scale is the values of a rating or NPS question, in order.
func scale(q Question) []string {
	lo, hi := 1, 5
	if q.Type == TypeNPS {
		lo, hi = 0, 10
	}
	var out []string
	for v := lo; v <= hi; v++ {
		out = append(out, strconv.Itoa(v))
	}
	return out
}

func questionResult(q Question, answers []AnswerRow, lang string) QuestionResult {
	r := QuestionResult{Key: q.Key, Type: q.Type, Question: q.Text.In(lang), Answered: len(answers), Options: []AnswerCount{}, Texts: []TextAnswer{}}
	counts := map[string]int{}
	var keys []string
	switch q.Type {
	case TypeYesNo:
		keys = []string{"yes", "no"}
	case TypeSingle, TypeMulti:
		for _, o := range q.Options {
			keys = append(keys, o.Key)
		}
	case TypeRating, TypeNPS:
		keys = scale(q)
	}
	var sum float64
	var numbers int
	for _, a := range answers {
		switch q.Type {
		case TypeMulti:
			var chosen []string
			if json.Unmarshal([]byte(a.Value), &chosen) == nil {
				for _, k := range chosen {
					counts[k]++
				}
			}
		case TypeText:
			r.Texts = append(r.Texts, TextAnswer{CompanyCVR: a.CompanyCVR, CompanyName: a.CompanyName, Text: a.Value})
		default:
			counts[a.Value]++
		}
		if q.Type == TypeRating || q.Type == TypeNPS || q.Type == TypeNumber {
			if n, err := strconv.ParseFloat(a.Value, 64); err == nil {
				sum += n
				numbers++
			}
		}
	}
	for _, k := range keys {
		c := AnswerCount{Key: k, Label: resultLabel(q, k, lang), Count: counts[k]}
		if r.Answered > 0 {
			c.Share = float64(c.Count) / float64(r.Answered)
		}
		r.Options = append(r.Options, c)
	}
	if numbers > 0 {
		m := sum / float64(numbers)
		r.Mean = &m
	}
	return r
}

// resultLabel is the label of one answer key of q in lang: yes/no as the
// words, an option as its text, a scale value as itself.
func resultLabel(q Question, key, lang string) string {
	switch q.Type {
	case TypeYesNo:
		return web.Translate(lang, "survey.answer."+key)
	case TypeSingle, TypeMulti:
		return AnswerText(Question{Type: TypeSingle, Options: q.Options}, key, lang)
	}
	return key
}
