package dashboards

import (
	"fmt"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// The keyword rules match case-insensitively (Danish letters too), whole
// words only (a Danish letter is a letter), spaces as any white space, a
// trailing * as any ending; overlapping matches are merged.
func TestWishMatcher(t *testing.T) {
	r := WishRule{KeywordsDA: []string{"søgning på tværs af mapper", "log", "gendanne slettet", "slettet post", "slet*", "ændr"}, KeywordsEN: []string{"audit trail"}}
	m := r.matcher()
	for _, tc := range []struct {
		text string
		want string // the matched texts
	}{
		{"Vi savner SØGNING PÅ TVÆRS AF MAPPER.", "[SØGNING PÅ TVÆRS AF MAPPER]"},
		{"søgning  på\ntværs af mapper", "[søgning  på\ntværs af mapper]"},
		{"fejlsøgning på tværs af mapper", "[]"},             // inside a word
		{"Blogindlæg om login og en Log.", "[Log]"},          // blog, login: no; Log.: yes
		{"log, LOG; (log)", "[log LOG log]"},                 // next to punctuation
		{"gendanne slettet post", "[gendanne slettet post]"}, // two keywords overlapping: one mark
		{"slettet posten", "[slettet]"},                      // slettet post does not end a word; slet* does
		{"Sletning og slettede", "[Sletning slettede]"},      // the prefix
		{"ændring og Ændr og æændr", "[Ændr]"},               // æ is a letter: ændring and æændr are other words
		{"an Audit Trail", "[Audit Trail]"},                  // English keywords too
		{"", "[]"},
	} {
		var got []string
		for _, s := range m.Find(tc.text) {
			got = append(got, tc.text[s[0]:s[1]])
		}
		if fmt.Sprint(got) != tc.want && !(len(got) == 0 && tc.want == "[]") {
			t.Errorf("%q: %q, want %s", tc.text, got, tc.want)
		}
	}
}

// Keywords are typed one per line (or separated by commas), trimmed, blank
// lines and repeats dropped; a rule is checked field by field.
func TestWishRuleCheck(t *testing.T) {
	if got := keywordLines(" log \r\n\n  hvem   gjorde hvad ,log,"); fmt.Sprint(got) != "[log hvem gjorde hvad]" {
		t.Errorf("keyword lines: %q", got)
	}
	r := WishRule{NameDA: " ", NameEN: "x", KeywordsDA: []string{"*"}, OptionKey: "Search Folders"}
	err := r.check()
	if fmt.Sprint(err) == "" || !fieldsNamed(err, "keywords_da", "name_da", "option_key") {
		t.Errorf("a bad rule: %v", err)
	}
	r = WishRule{NameDA: "a", NameEN: "b"}
	if !fieldsNamed(r.check(), "keywords_da") {
		t.Error("a rule with nothing to match is accepted")
	}
	r = WishRule{NameDA: "a", NameEN: "b", OptionKey: "search_folders"}
	if err := r.check(); err != nil {
		t.Errorf("a rule with only an option: %v", err)
	}
}

// fieldsNamed says whether err is a problem.Fields naming exactly fields, in order.
func fieldsNamed(err error, fields ...string) bool {
	fs, ok := problem.AsFields(err)
	if !ok || len(fs) != len(fields) {
		return false
	}
	for i, f := range fs {
		if f.Field != fields[i] {
			return false
		}
	}
	return true
}
