package dashboards

// The wishes' keyword rules (table wish_rules, edited at /admin/wishes)
// and how a rule finds its wish in a text: docs/figures.md#wish-rules.

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// WishRule is one wish and the keywords and option that count it.
type WishRule struct {
	ID         int64    `json:"id"`
	Position   int      `json:"position"`
	NameDA     string   `json:"name_da"`
	NameEN     string   `json:"name_en"`
	KeywordsDA []string `json:"keywords_da"`
	KeywordsEN []string `json:"keywords_en"`
	// OptionKey is a multiple-choice option key (of any questionnaire's
	// multiple-choice question) whose choice is this wish; "" is none.
	OptionKey string `json:"option_key"`
}

// Name is the wish's name in lang.
func (r WishRule) Name(lang string) string {
	if lang == "en" {
		return r.NameEN
	}
	return r.NameDA
}

// Limits of a rule.
const (
	MaxWishRules       = 50
	MaxWishNameLength  = 100
	MaxWishKeywords    = 50 // per language
	MaxKeywordLength   = 100
	maxOptionKeyLength = 64
)

var optionKeyPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// wishRules reads and writes the rules.
type wishRules struct{ db *store.DB }

// ErrWishRuleNotFound is a rule id that does not exist.
var ErrWishRuleNotFound = problem.NotFound("wishes.rule_not_found")

func (s wishRules) list(ctx context.Context) ([]WishRule, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, position, name_da, name_en, keywords_da, keywords_en, option_key FROM wish_rules ORDER BY position, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []WishRule{}
	for rows.Next() {
		var r WishRule
		var da, en string
		if err := rows.Scan(&r.ID, &r.Position, &r.NameDA, &r.NameEN, &da, &en, &r.OptionKey); err != nil {
			return nil, err
		}
		r.KeywordsDA, r.KeywordsEN = keywordLines(da), keywordLines(en)
		out = append(out, r)
	}
	return out, rows.Err()
}

// keywordLines splits keywords typed one per line (commas too), trimmed,
// blank lines and repeats dropped, inner spaces collapsed.
func keywordLines(s string) []string {
	out := []string{}
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' || r == ',' }) {
		k := strings.Join(strings.Fields(line), " ")
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// check validates a rule, naming the fields at fault.
func (r *WishRule) check() error {
	var fs problem.Fields
	r.NameDA, r.NameEN = strings.TrimSpace(r.NameDA), strings.TrimSpace(r.NameEN)
	r.OptionKey = strings.TrimSpace(r.OptionKey)
	for field, name := range map[string]string{"name_da": r.NameDA, "name_en": r.NameEN} {
		switch {
		case name == "":
			fs.Add(field, "field.required")
		case utf8.RuneCountInString(name) > MaxWishNameLength:
			fs.Add(field, "field.too_long", MaxWishNameLength)
		}
	}
	for field, ks := range map[string][]string{"keywords_da": r.KeywordsDA, "keywords_en": r.KeywordsEN} {
		if len(ks) > MaxWishKeywords {
			fs.Add(field, "wishes.too_many_keywords", MaxWishKeywords)
		}
		for _, k := range ks {
			if utf8.RuneCountInString(k) > MaxKeywordLength {
				fs.Add(field, "wishes.keyword_too_long", MaxKeywordLength)
				break
			}
			if strings.Trim(k, "*") == "" {
				fs.Add(field, "wishes.keyword_only_star")
				break
			}
		}
	}
	if r.OptionKey != "" && (len(r.OptionKey) > maxOptionKeyLength || !optionKeyPattern.MatchString(r.OptionKey)) {
		fs.Add("option_key", "wishes.bad_option_key")
	}
	if len(r.KeywordsDA)+len(r.KeywordsEN) == 0 && r.OptionKey == "" {
		fs.Add("keywords_da", "wishes.nothing_to_match")
	}
	slices.SortFunc(fs, func(a, b problem.FieldError) int { return strings.Compare(a.Field, b.Field) })
	if len(fs) > 0 {
		return fs
	}
	return nil
}

func (s wishRules) create(ctx context.Context, r WishRule) (WishRule, error) {
	if err := r.check(); err != nil {
		return r, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM wish_rules`).Scan(&n); err != nil {
		return r, err
	}
	if n >= MaxWishRules {
		return r, problem.Fields{{Field: "name_da", Message: problem.Msg("wishes.too_many_rules", MaxWishRules)}}
	}
	err := s.db.QueryRowContext(ctx, `INSERT INTO wish_rules (position, name_da, name_en, keywords_da, keywords_en, option_key)
		VALUES ((SELECT coalesce(max(position), 0) + 1 FROM wish_rules), ?, ?, ?, ?, ?) RETURNING id, position`,
		r.NameDA, r.NameEN, strings.Join(r.KeywordsDA, "\n"), strings.Join(r.KeywordsEN, "\n"), r.OptionKey).Scan(&r.ID, &r.Position)
	return r, err
}

func (s wishRules) update(ctx context.Context, r WishRule) (WishRule, error) {
	if err := r.check(); err != nil {
		return r, err
	}
	err := s.db.QueryRowContext(ctx, `UPDATE wish_rules SET name_da = ?, name_en = ?, keywords_da = ?, keywords_en = ?, option_key = ?
		WHERE id = ? RETURNING position`, r.NameDA, r.NameEN, strings.Join(r.KeywordsDA, "\n"), strings.Join(r.KeywordsEN, "\n"), r.OptionKey, r.ID).Scan(&r.Position)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrWishRuleNotFound
	}
	return r, err
}

func (s wishRules) delete(ctx context.Context, id int64) (WishRule, error) {
	var r WishRule
	err := s.db.QueryRowContext(ctx, `DELETE FROM wish_rules WHERE id = ? RETURNING id, name_da, name_en`, id).Scan(&r.ID, &r.NameDA, &r.NameEN)
	if errors.Is(err, sql.ErrNoRows) {
		return r, ErrWishRuleNotFound
	}
	return r, err
}

// wishMatcher finds a rule's keywords in texts.
type wishMatcher struct {
	patterns []*regexp.Regexp // a keyword each
}

// matcher compiles the rule's keywords, Danish and English alike (a
// Danish note may use an English term): case-insensitive (Unicode case
// folding: Æ æ, Ø ø, Å å), spaces matching any run of white space, a
// trailing * any letters; whole words is checked by Find.
func (r WishRule) matcher() wishMatcher {
	var m wishMatcher
	for _, k := range append(slices.Clone(r.KeywordsDA), r.KeywordsEN...) {
		prefix := strings.HasSuffix(k, "*")
		k = strings.TrimRight(k, "*")
		var parts []string
		for _, w := range strings.Fields(k) {
			parts = append(parts, regexp.QuoteMeta(w))
		}
		expr := `(?i)` + strings.Join(parts, `\s+`)
		if prefix {
			expr += `[\p{L}\p{N}]*`
		}
		m.patterns = append(m.patterns, regexp.MustCompile(expr))
	}
	return m
}

// Find returns where the keywords occur in text as whole words (no letter
// or digit right before or after), as byte ranges in order, overlapping
// ranges merged.
func (m wishMatcher) Find(text string) [][2]int {
	var spans [][2]int
	for _, p := range m.patterns {
		// A match that fails the edge test may hide one starting inside
		// it: the search goes on from its next letter.
		for start := 0; start < len(text); {
			loc := p.FindStringIndex(text[start:])
			if loc == nil {
				break
			}
			a, b := start+loc[0], start+loc[1]
			if !wordEdge(text, a, b) {
				_, size := utf8.DecodeRuneInString(text[a:])
				start = a + max(size, 1)
				continue
			}
			spans = append(spans, [2]int{a, b})
			start = b
		}
	}
	slices.SortFunc(spans, func(a, b [2]int) int { return a[0] - b[0] })
	var out [][2]int
	for _, s := range spans {
		if n := len(out); n > 0 && s[0] <= out[n-1][1] {
			out[n-1][1] = max(out[n-1][1], s[1])
			continue
		}
		out = append(out, s)
	}
	return out
}

// wordEdge says whether text[a:b] starts and ends at a word's edge.
func wordEdge(text string, a, b int) bool {
	if a > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:a])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	if b < len(text) {
		r, _ := utf8.DecodeRuneInString(text[b:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return false
		}
	}
	return true
}
