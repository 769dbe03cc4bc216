package survey

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is what is wrong with one answer: a code (translated as
// "survey.err.CODE") and the numbers the message names.
type Problem struct {
	Code string
	Args []any
}

// FormField is the form field name of a question.
func FormField(key string) string { return "q_" + key }

// Visible reports whether question q is shown, given the answers: a question
// with a condition is shown only when its condition holds (and the question
// it depends on is itself shown).
func Visible(d Definition, q Question, answers map[string]string) bool {
	for depth := 0; q.ShowIf != nil && depth < 50; depth++ {
		dep, ok := d.Question(q.ShowIf.Key)
		if !ok || !conditionHolds(dep, q.ShowIf.Equals, answers[dep.Key]) {
			return false
		}
		q = dep
	}
	return true
}

func conditionHolds(dep Question, want, got string) bool {
	if got == "" {
		return false
	}
	switch dep.Type {
	case TypeMulti:
		var ks []string
		json.Unmarshal([]byte(got), &ks)
		return slices.Contains(ks, want)
	case TypeRating, TypeNPS, TypeNumber:
		a, err1 := parseNumber(want)
		b, err2 := parseNumber(got)
		return err1 == nil && err2 == nil && a == b
	}
	return got == want
}

// ParseAnswers reads a respondent's form values (field name -> values) for
// definition d. It returns the values to store (question key -> value; only
// answered, visible questions; a multiple choice as a JSON array of option
// keys) and the problems by question key ("" for the form as a whole).
// Required answers are checked only when final.
func ParseAnswers(d Definition, form map[string][]string, final bool) (map[string]string, map[string]Problem) {
	values := map[string]string{}
	problems := map[string]Problem{}
	for name := range form {
		key, ok := strings.CutPrefix(name, "q_")
		if !ok {
			continue
		}
		if _, known := d.Question(key); !known {
			problems[""] = Problem{Code: "tampered"}
		}
	}
	for _, q := range d.Questions {
		raw := form[FormField(q.Key)]
		var nonEmpty []string
		for _, v := range raw {
			if v = strings.TrimSpace(v); v != "" {
				nonEmpty = append(nonEmpty, v)
			}
		}
		if len(nonEmpty) == 0 {
			continue
		}
		if q.Type != TypeMulti && len(nonEmpty) > 1 {
			problems[q.Key] = Problem{Code: "one_value"}
			continue
		}
		v := nonEmpty[0]
		switch q.Type {
		case TypeYesNo:
			if v != "yes" && v != "no" {
				problems[q.Key] = Problem{Code: "choice"}
				continue
			}
		case TypeSingle:
			if !hasOption(q, v) {
				problems[q.Key] = Problem{Code: "choice"}
				continue
			}
		case TypeMulti:
			var keys []string
			bad := false
			for _, o := range q.Options { // option order, no duplicates
				if slices.Contains(nonEmpty, o.Key) {
					keys = append(keys, o.Key)
				}
			}
			for _, x := range nonEmpty {
				if !hasOption(q, x) {
					bad = true
				}
			}
			if bad {
				problems[q.Key] = Problem{Code: "choice"}
				continue
			}
			b, _ := json.Marshal(keys)
			v = string(b)
		case TypeRating, TypeNPS:
			lo, hi := 1, 5
			if q.Type == TypeNPS {
				lo, hi = 0, 10
			}
			n, err := strconv.Atoi(v)
			if err != nil || n < lo || n > hi {
				problems[q.Key] = Problem{Code: "range_int", Args: []any{lo, hi}}
				continue
			}
			v = strconv.Itoa(n)
		case TypeNumber:
			if len(v) > MaxNumberDigits+2 {
				problems[q.Key] = Problem{Code: "number"}
				continue
			}
			n, err := parseNumber(v)
			if err != nil {
				problems[q.Key] = Problem{Code: "number"}
				continue
			}
			if (q.Min != nil && n < *q.Min) || (q.Max != nil && n > *q.Max) {
				problems[q.Key] = Problem{Code: "range", Args: []any{fmtNum(q.Min, "…"), fmtNum(q.Max, "…")}}
				continue
			}
			v = strconv.FormatFloat(n, 'f', -1, 64)
		case TypeText:
			v = strings.ReplaceAll(strings.TrimSpace(raw[0]), "\r\n", "\n")
			if !utf8.ValidString(v) {
				problems[q.Key] = Problem{Code: "encoding"}
				continue
			}
			if n := utf8.RuneCountInString(v); n > MaxTextLength {
				problems[q.Key] = Problem{Code: "too_long", Args: []any{MaxTextLength, n}}
				continue
			}
		}
		values[q.Key] = v
	}
	// Drop answers to hidden questions; require the visible required ones.
	for _, q := range d.Questions {
		if !Visible(d, q, values) {
			delete(values, q.Key)
			delete(problems, q.Key)
			continue
		}
		if final && q.Required && values[q.Key] == "" && problems[q.Key].Code == "" {
			problems[q.Key] = Problem{Code: "required"}
		}
	}
	return values, problems
}

func hasOption(q Question, key string) bool {
	return slices.ContainsFunc(q.Options, func(o Option) bool { return o.Key == key })
}

func parseNumber(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(s), ",", "."), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, strconv.ErrRange
	}
	return f, nil
}

func fmtNum(p *float64, none string) string {
	if p == nil {
		return none
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// MultiValues splits a stored multiple-choice value into its option keys.
func MultiValues(v string) []string {
	var ks []string
	json.Unmarshal([]byte(v), &ks)
	return ks
}
