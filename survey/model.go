// Package survey runs the pilot's weekly questionnaires: questionnaires with
// immutable versions and stable question keys, one wave per ISO week
// (Europe/Copenhagen), personal invitations with hashed tokens, the
// respondent page at /q/TOKEN (drafts, final submit), reminders by e-mail,
// response tracking per wave and per company, follow-up interview notes and
// the JSON API with answers in long format.
package survey

import (
	"encoding/json"
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
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// FieldErrors is a list of problems; as an error it names them all.
type FieldErrors []FieldError

func (fe FieldErrors) Error() string {
	parts := make([]string, len(fe))
	for i, e := range fe {
		parts[i] = e.Field + ": " + e.Message
	}
	return strings.Join(parts, "; ")
}

// ProblemFields lists the problems for the web answer (400 with "fields").
func (fe FieldErrors) ProblemFields() problem.Fields {
	fs := make(problem.Fields, len(fe))
	for i, e := range fe {
		fs[i] = problem.FieldError{Field: e.Field, Message: problem.Msg("%s", e.Message)}
	}
	return fs
}

var keyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Validate checks a definition: keys well-formed and unique, types known,
// options where needed, conditions pointing at an earlier question with a
// value it can have, texts in both languages.
func (d Definition) Validate() error {
	var errs FieldErrors
	add := func(field, format string, args ...any) {
		errs = append(errs, FieldError{field, fmt.Sprintf(format, args...)})
	}
	if !keyPattern.MatchString(d.Slug) {
		add("slug", "want lower-case letters, digits and _ (starting with a letter)")
	}
	if strings.TrimSpace(d.Title.DA) == "" || strings.TrimSpace(d.Title.EN) == "" {
		add("title", "needs a Danish and an English text")
	}
	if len(d.Questions) == 0 {
		add("questions", "at least one question is needed")
	}
	if len(d.Questions) > 200 {
		add("questions", "at most 200 questions")
	}
	seen := map[string]Question{}
	for i, q := range d.Questions {
		f := fmt.Sprintf("questions[%d]", i)
		if !keyPattern.MatchString(q.Key) {
			add(f+".key", "%q: want lower-case letters, digits and _ (starting with a letter)", q.Key)
		} else if _, dup := seen[q.Key]; dup {
			add(f+".key", "%q is used twice", q.Key)
		}
		if !slices.Contains(Types, q.Type) {
			add(f+".type", "%q: want one of %s", q.Type, strings.Join(Types, ", "))
		}
		if strings.TrimSpace(q.Text.DA) == "" || strings.TrimSpace(q.Text.EN) == "" {
			add(f+".text", "needs a Danish and an English text")
		}
		switch q.Type {
		case TypeSingle, TypeMulti:
			if len(q.Options) < 2 {
				add(f+".options", "a choice question needs at least two options")
			}
			okeys := map[string]bool{}
			for j, o := range q.Options {
				of := fmt.Sprintf("%s.options[%d]", f, j)
				if !keyPattern.MatchString(o.Key) {
					add(of+".key", "%q: want lower-case letters, digits and _", o.Key)
				} else if okeys[o.Key] {
					add(of+".key", "%q is used twice", o.Key)
				}
				okeys[o.Key] = true
				if strings.TrimSpace(o.Text.DA) == "" || strings.TrimSpace(o.Text.EN) == "" {
					add(of+".text", "needs a Danish and an English text")
				}
			}
		default:
			if len(q.Options) > 0 {
				add(f+".options", "only single and multiple choice questions have options")
			}
		}
		if (q.Min != nil || q.Max != nil) && q.Type != TypeNumber {
			add(f+".min", "only number questions have min and max")
		}
		if q.Min != nil && q.Max != nil && *q.Min > *q.Max {
			add(f+".min", "min is above max")
		}
		if c := q.ShowIf; c != nil {
			dep, ok := seen[c.Key]
			switch {
			case !ok:
				add(f+".show_if", "%q is not an earlier question", c.Key)
			case !conditionValueOK(dep, c.Equals):
				add(f+".show_if", "%q cannot be an answer to %q", c.Equals, c.Key)
			}
		}
		if keyPattern.MatchString(q.Key) {
			seen[q.Key] = q
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

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
			return d, FieldErrors{{"file", "not valid JSON: " + err.Error()}}
		}
	case "yaml", "yml":
		if err := yamlUnmarshalStrict(data, &d); err != nil {
			return d, FieldErrors{{"file", "not valid YAML: " + err.Error()}}
		}
	default:
		return d, FieldErrors{{"format", "want json or yaml"}}
	}
	return d, d.Validate()
}
