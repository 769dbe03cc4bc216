package survey_test

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/survey"
)

func TestWindowAcrossDST(t *testing.T) {
	// DST ended in Denmark on Sunday 28 October 2012 at 03:00 (back to 02:00).
	// (Which week an instant falls in is tested in internal/week.)
	// A wave opening Monday 09:00 of the DST week and closing 7 days later:
	// both ends at 09:00 Copenhagen wall clock; the wave lasts 169 hours.
	sc := survey.Schedule{OpenWeekday: 1, OpenTime: "09:00", CloseAfterDays: 7}
	opens, closes, err := sc.Window(week.MustParse("2012-W43"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2012, 10, 22, 7, 0, 0, 0, time.UTC); !opens.Equal(want) {
		t.Errorf("opens %s, want %s (09:00 CEST)", opens, want)
	}
	if want := time.Date(2012, 10, 29, 8, 0, 0, 0, time.UTC); !closes.Equal(want) {
		t.Errorf("closes %s, want %s (09:00 CET)", closes, want)
	}
	if d := closes.Sub(opens); d != 169*time.Hour {
		t.Errorf("wave lasts %s, want 169h", d)
	}
	// Opening on the Sunday of the change itself, at 10:00 CET.
	sc = survey.Schedule{OpenWeekday: 7, OpenTime: "10:00", CloseAfterDays: 3}
	opens, _, err = sc.Window(week.MustParse("2012-W43"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2012, 10, 28, 9, 0, 0, 0, time.UTC); !opens.Equal(want) {
		t.Errorf("Sunday opening %s, want %s", opens, want)
	}
	if got := week.Of(opens).String(); got != "2012-W43" {
		t.Errorf("the Sunday opening falls in %s", got)
	}
}

func TestDefaultQuestionnaireAndImportExport(t *testing.T) {
	d := survey.DefaultDefinition()
	if err := d.Validate(); err != nil {
		t.Fatalf("default questionnaire invalid: %v", err)
	}
	for _, k := range []string{"used_mailbox", "setup_problem", "setup_problem_kinds", "ease", "contacted_support", "support_desk",
		"support_solved", "third_party_access", "missing_features", "comments"} {
		if _, ok := d.Question(k); !ok {
			t.Errorf("default questionnaire lacks %s", k)
		}
	}
	kinds, _ := d.Question("setup_problem_kinds")
	for _, o := range []string{"creating_mailbox", "employee_signature", "rights_roles", "folders_rules", "notifications", "finding_mail"} {
		if !strings.Contains(strings.Join(optionKeys(kinds), " "), o) {
			t.Errorf("setup problem kinds lack %s", o)
		}
	}
	for _, format := range []string{"yaml", "json"} {
		b, err := survey.MarshalDefinition(d, format)
		if err != nil {
			t.Fatal(err)
		}
		back, err := survey.ParseDefinition(b, "")
		if err != nil {
			t.Fatalf("%s round trip: %v\n%s", format, err, b)
		}
		if !reflect.DeepEqual(back, d) {
			t.Errorf("%s round trip changed the definition", format)
		}
	}
	bad := []struct{ text, want string }{
		{`{"slug":"weekly","title":{"da":"a","en":"b"},"questions":[{"key":"a","type":"rating","text":{"da":"x","en":"y"}},{"key":"a","type":"text","text":{"da":"x","en":"y"}}]}`, "used twice"},
		{`{"slug":"weekly","title":{"da":"a","en":"b"},"questions":[{"key":"b","type":"yes_no","text":{"da":"x","en":"y"},"show_if":{"key":"zz","equals":"yes"}}]}`, "not an earlier question"},
		{"slug: weekly\ntitle: {da: a, en: b}\nquestions:\n  - {key: a, type: single, text: {da: x, en: y}, options: [{key: o, text: {da: o, en: o}}]}\n", "at least two options"},
		{"slug: weekly\nbogus: 1\n", "not valid YAML"},
		{`{"slug":"weekly","title":{"da":"a","en":""},"questions":[{"key":"a","type":"smiley","text":{"da":"x","en":"y"}}]}`, "want one of"},
	}
	for _, b := range bad {
		if _, err := survey.ParseDefinition([]byte(b.text), ""); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("ParseDefinition(%.60s…): %v, want %q", b.text, err, b.want)
		}
	}
}

func optionKeys(q survey.Question) []string {
	var ks []string
	for _, o := range q.Options {
		ks = append(ks, o.Key)
	}
	return ks
}

func TestConditionsHiddenQuestionNotRequired(t *testing.T) {
	d := survey.DefaultDefinition()
	base := map[string][]string{"q_used_mailbox": {"yes"}, "q_ease": {"3"}, "q_third_party_access": {"no"}}
	form := func(extra map[string][]string) map[string][]string {
		m := map[string][]string{}
		for k, v := range base {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	// setup_problem = no and contacted_support = no: their follow-ups are hidden, not required.
	vals, probs := survey.ParseAnswers(d, form(map[string][]string{"q_setup_problem": {"no"}, "q_contacted_support": {"no"},
		"q_setup_problem_kinds": {"rights_roles"}, "q_support_desk": {"eboks"}}), true)
	if len(probs) != 0 {
		t.Fatalf("problems %v", probs)
	}
	if _, ok := vals["setup_problem_kinds"]; ok {
		t.Error("an answer to a hidden question was kept")
	}
	if _, ok := vals["support_desk"]; ok {
		t.Error("an answer to a hidden question was kept")
	}
	// setup_problem = yes: the kinds become required.
	_, probs = survey.ParseAnswers(d, form(map[string][]string{"q_setup_problem": {"yes"}, "q_contacted_support": {"yes"}}), true)
	for _, k := range []string{"setup_problem_kinds", "support_desk", "support_solved"} {
		if probs[k].Code != "required" {
			t.Errorf("%s: problem %+v, want required", k, probs[k])
		}
	}
	// A draft needs nothing.
	if _, probs := survey.ParseAnswers(d, map[string][]string{}, false); len(probs) != 0 {
		t.Errorf("draft problems %v", probs)
	}
	// Out of range, wrong option, too long, two values for one, unknown field.
	_, probs = survey.ParseAnswers(d, map[string][]string{"q_ease": {"6"}, "q_setup_problem": {"maybe"}, "q_comments": {strings.Repeat("æ", survey.MaxTextLength+1)},
		"q_used_mailbox": {"yes", "no"}, "q_is_admin": {"1"}}, false)
	want := map[string]string{"ease": "range_int", "setup_problem": "choice", "comments": "too_long", "used_mailbox": "one_value", "": "tampered"}
	for k, code := range want {
		if probs[k].Code != code {
			t.Errorf("%q: %+v, want %s", k, probs[k], code)
		}
	}
	vals, probs = survey.ParseAnswers(d, map[string][]string{"q_comments": {strings.Repeat("æ", survey.MaxTextLength)}, "q_ease": {"5"}}, false)
	if len(probs) != 0 || len([]rune(vals["comments"])) != survey.MaxTextLength {
		t.Errorf("a text of exactly the limit: %v", probs)
	}
}

func TestTokenEntropyAndHash(t *testing.T) {
	seen := map[string]bool{}
	for range 2000 {
		tok := survey.NewToken()
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil {
			t.Fatal(err)
		}
		if len(b)*8 < 128 {
			t.Fatalf("token has %d bits", len(b)*8)
		}
		if seen[tok] {
			t.Fatal("a token repeated")
		}
		seen[tok] = true
		if h := survey.HashToken(tok); len(h) != 32 || strings.Contains(string(h), tok) {
			t.Fatal("hash is not a SHA-256")
		}
	}
	if survey.TokenBytes*8 < 128 {
		t.Fatal("fewer than 128 random bits")
	}
}
