package survey_test

import (
	"testing"

	"github.com/pilotpulse/pilotpulse/survey"
)

// An answer value reads as people write it: yes/no as words, choices as
// their option texts in the reader's language, anything else as given.
func TestAnswerText(t *testing.T) {
	d := survey.DefaultDefinition()
	q := func(key string) survey.Question {
		qq, ok := d.Question(key)
		if !ok {
			t.Fatalf("no question %s", key)
		}
		return qq
	}
	multi := q(survey.KeySetupProblemKinds)
	a, b := multi.Options[0], multi.Options[1]
	for _, c := range []struct {
		q           survey.Question
		value, lang string
		want        string
	}{
		{q(survey.KeySetupProblem), "yes", "da", "Ja"},
		{q(survey.KeySetupProblem), "no", "en", "No"},
		{multi, `["` + a.Key + `","` + b.Key + `"]`, "da", a.Text.DA + "; " + b.Text.DA},
		{multi, `["` + a.Key + `"]`, "en", a.Text.EN},
		{multi, `["gone"]`, "en", "gone"},
		{survey.Question{Type: survey.TypeSingle, Options: []survey.Option{{Key: "x", Text: survey.Text{DA: "Eks", EN: "Ex"}}}}, "x", "en", "Ex"},
		{survey.Question{Type: survey.TypeText}, "fri <tekst>", "da", "fri <tekst>"},
		{survey.Question{Type: survey.TypeRating}, "4", "da", "4"},
	} {
		if got := survey.AnswerText(c.q, c.value, c.lang); got != c.want {
			t.Errorf("%s %q in %s: %q, want %q", c.q.Key, c.value, c.lang, got, c.want)
		}
	}
}
