// Package survey runs the pilot's weekly questionnaires: questionnaires with
// immutable versions and stable question keys, one wave per ISO week
// (Europe/Copenhagen), personal invitations with hashed tokens, the
// respondent page at /q/TOKEN (drafts, final submit), reminders by e-mail,
// response tracking per wave and per company, follow-up interview notes and
// the JSON API with answers in long format.
package survey

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Question types.
const (
	TypeYesNo  = "yes_no"
	TypeSingle = "single"
	TypeMulti  = "multi"
	TypeRating = "rating" // 1-5
	TypeNPS    = "nps"    // 0-10
	TypeNumber = "number"
	TypeText   = "text"
)

// Types lists the question types.
var Types = []string{TypeYesNo, TypeSingle, TypeMulti, TypeRating, TypeNPS, TypeNumber, TypeText}

// Limits on what a respondent may send.
const (
	MaxTextLength   = 2000 // characters in a free-text answer
	MaxNumberDigits = 15
)

// Text is a text in Danish and English.
type Text struct {
	DA string `json:"da" yaml:"da"`
	EN string `json:"en" yaml:"en"`
}

// In returns the text in lang, falling back to Danish.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.DA
}

// Option is one choice of a single or multiple choice question.
type Option struct {
	Key  string `json:"key" yaml:"key"`
	Text Text   `json:"text" yaml:"text"`
}

// Condition shows a question only when another question's answer equals a
// value (for a multiple choice: includes it; for yes/no: "yes" or "no").
type Condition struct {
	Key    string `json:"key" yaml:"key"`
	Equals string `json:"equals" yaml:"equals"`
}

// Question is one question. Its Key is stable across versions: answers to
// the same key are comparable from wave to wave.
type Question struct {
	Key      string     `json:"key" yaml:"key"`
	Type     string     `json:"type" yaml:"type"`
	Text     Text       `json:"text" yaml:"text"`
	Help     Text       `json:"help,omitzero" yaml:"help,omitempty"`
	Required bool       `json:"required" yaml:"required"`
	Options  []Option   `json:"options,omitempty" yaml:"options,omitempty"`
	Min      *float64   `json:"min,omitempty" yaml:"min,omitempty"` // number only
	Max      *float64   `json:"max,omitempty" yaml:"max,omitempty"` // number only
	ShowIf   *Condition `json:"show_if,omitempty" yaml:"show_if,omitempty"`
}

// Definition is a questionnaire as authored, imported and exported.
type Definition struct {
	Slug      string     `json:"slug" yaml:"slug"`
	Title     Text       `json:"title" yaml:"title"`
	Intro     Text       `json:"intro" yaml:"intro"`
	Questions []Question `json:"questions" yaml:"questions"`
}

// Version is one published version of a questionnaire.
type Version struct {
	ID          int64      `json:"id"`
	Slug        string     `json:"slug"`
	Version     int        `json:"version"`
	PublishedAt time.Time  `json:"published_at"`
	PublishedBy string     `json:"published_by"`
	Definition  Definition `json:"definition"`
}

// Question returns the question with key.
func (d Definition) Question(key string) (Question, bool) {
	for _, q := range d.Questions {
		if q.Key == key {
			return q, true
		}
	}
	return Question{}, false
}

// Keys lists the question keys in order.
func (d Definition) Keys() []string {
	ks := make([]string, len(d.Questions))
	for i, q := range d.Questions {
		ks[i] = q.Key
	}
	return ks
}

// FieldError is a problem with one field of a definition or an answer.
type FieldError = problem.FieldError

// FieldErrors is a list of problems; as an error it names them all.
type FieldErrors = problem.Fields

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// questionName names a question for a message: its number and its text in
// the reader's language (only the number while it has no text).
func questionName(i int, q Question) problem.Message {
	if strings.TrimSpace(q.Text.DA) == "" && strings.TrimSpace(q.Text.EN) == "" {
		return problem.Msg("survey.def.question_n", i+1)
	}
	return problem.Msg("survey.def.question", i+1, q.Text)
}

// typeNames lists the question types by their labels.
func typeNames() problem.Message {
	names := make([]any, len(Types))
	for i, t := range Types {
		names[i] = problem.Msg("survey.qtype." + t)
	}
	return problem.Join(", ", names...)
}

// Validate checks a definition: keys well-formed and unique, types known,
// options where needed, conditions pointing at an earlier question with a
// value it can have, texts in both languages. A question's problems name
// the question by its number and text.
func (d Definition) Validate() error {
	var errs FieldErrors
	if !keyPattern.MatchString(d.Slug) {
		errs.Add("slug", "survey.def.slug")
	}
	if strings.TrimSpace(d.Title.DA) == "" || strings.TrimSpace(d.Title.EN) == "" {
		errs.Add("title", "survey.def.both_languages")
	}
	if len(d.Questions) == 0 {
		errs.Add("questions", "survey.def.no_questions")
	}
	if len(d.Questions) > maxQuestions {
		errs.Add("questions", "survey.def.too_many", maxQuestions)
	}
	seen := map[string]Question{}
	for i, q := range d.Questions {
		f := fmt.Sprintf("questions[%d]", i)
		add := func(field, key string, args ...any) {
			errs.Add(f+field, "%s: %s", questionName(i, q), problem.Msg(key, args...))
		}
		if !keyPattern.MatchString(q.Key) {
			add(".key", "survey.def.key", q.Key)
		} else if _, dup := seen[q.Key]; dup {
			add(".key", "survey.def.key_twice", q.Key)
		}
		if !slices.Contains(Types, q.Type) {
			add(".type", "survey.def.type", q.Type, typeNames())
		}
		if strings.TrimSpace(q.Text.DA) == "" || strings.TrimSpace(q.Text.EN) == "" {
			add(".text", "survey.def.both_languages")
		}
		switch q.Type {
		case TypeSingle, TypeMulti:
			if len(q.Options) < 2 {
				add(".options", "survey.def.two_options")
			}
			okeys := map[string]bool{}
			for j, o := range q.Options {
				of := fmt.Sprintf(".options[%d]", j)
				if !keyPattern.MatchString(o.Key) {
					add(of+".key", "survey.def.option_key", o.Key)
				} else if okeys[o.Key] {
					add(of+".key", "survey.def.option_twice", o.Key)
				}
				okeys[o.Key] = true
				if strings.TrimSpace(o.Text.DA) == "" || strings.TrimSpace(o.Text.EN) == "" {
					add(of+".text", "survey.def.option_text", o.Key)
				}
			}
		default:
			if len(q.Options) > 0 {
				add(".options", "survey.def.options_only_choice")
			}
		}
		if (q.Min != nil || q.Max != nil) && q.Type != TypeNumber {
			add(".min", "survey.def.min_max_number")
		}
		if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
			add(".min", "survey.def.min_above_max")
		}
		if c := q.ShowIf; c != nil {
			dep, ok := seen[c.Key]
			switch {
			case !ok:
				add(".show_if", "survey.def.show_if_earlier", c.Key)
			case !conditionValueOK(dep, c.Equals):
				add(".show_if", "survey.def.show_if_value", c.Equals, dep.Text)
			}
		}
		if keyPattern.MatchString(q.Key) {
			seen[q.Key] = q
		}
	}
	return errs.Err()
}

// maxQuestions is the most questions a questionnaire may have.
const maxQuestions = 200

func conditionValueOK(q Question, v string) bool {
	switch q.Type {
	case TypeYesNo:
		return v == "yes" || v == "no"
	case TypeSingle, TypeMulti:
		return slices.ContainsFunc(q.Options, func(o Option) bool { return o.Key == v })
	case TypeRating, TypeNPS, TypeNumber:
		_, err := parseNumber(v)
		return err == nil
	}
	return v != ""
}

// ParseDefinition reads a definition from JSON or YAML (by the format, or
// by sniffing when format is empty) and validates it.
func ParseDefinition(data []byte, format string) (Definition, error) {
	var d Definition
	if format == "" {
		format = "yaml"
		if t := strings.TrimSpace(string(data)); strings.HasPrefix(t, "{") {
			format = "json"
		}
	}
	switch format {
	case "json":
		dec := json.NewDecoder(strings.NewReader(string(data)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return d, FieldErrors{{Field: "file", Message: jsonProblem(err)}}
		}
	case "yaml", "yml":
		if err := yamlUnmarshalStrict(data, &d); err != nil {
			return d, FieldErrors{{Field: "file", Message: yamlProblem(err)}}
		}
	default:
		return d, FieldErrors{{Field: "format", Message: problem.Msg("survey.def.format")}}
	}
	return d, d.Validate()
}

var (
	jsonUnknownField = regexp.MustCompile(`unknown field "([^"]*)"`)
	yamlUnknownField = regexp.MustCompile(`line (\d+): field (\S+) not found`)
	yamlLine         = regexp.MustCompile(`line (\d+)`)
)

// jsonProblem says where a definition's JSON is wrong, in the reader's
// language (the decoder's own text is English).
func jsonProblem(err error) problem.Message {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return problem.Msg("survey.def.bad_json_at", se.Offset)
	case errors.As(err, &te):
		return problem.Msg("survey.def.bad_json_type", te.Field)
	}
	if m := jsonUnknownField.FindStringSubmatch(err.Error()); m != nil {
		return problem.Msg("survey.def.bad_json_field", m[1])
	}
	return problem.Msg("survey.def.bad_json")
}

// yamlProblem says where a definition's YAML is wrong: its line, and an
// unknown field by name.
func yamlProblem(err error) problem.Message {
	if m := yamlUnknownField.FindStringSubmatch(err.Error()); m != nil {
		return problem.Msg("survey.def.bad_yaml_field", m[1], m[2])
	}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		return problem.Msg("survey.def.bad_yaml_line", m[1])
	}
	return problem.Msg("survey.def.bad_yaml")
}
