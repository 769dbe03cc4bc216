package dashboards

// Wishes (the page /dashboards/wishes and GET /api/v1/metrics/wishes, one
// function: wishes): how often each wish of the keyword rules comes up in
// the period's multiple-choice answers, free-text answers, interview notes
// and support-call notes, with the quotes behind each count.
// Definitions: docs/figures.md#wishes.

import (
	"context"
	"encoding/json"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/survey"
)

// The kinds of source a wish is counted in.
const (
	WishSourceChoice    = "choice"      // a multiple-choice answer picked the wish's option
	WishSourceAnswer    = "answer_text" // a free-text answer of the questionnaire
	WishSourceInterview = "interview"   // interview notes
	WishSourceCall      = "call"        // a support call's description
)

// WishSources lists the source kinds in the order pages show them.
var WishSources = []string{WishSourceChoice, WishSourceAnswer, WishSourceInterview, WishSourceCall}

// MaxWishQuotes is the most quotes a wish lists (newest first); its counts
// cover every mention.
const MaxWishQuotes = 100

// quoteContext is how many characters of a long text a quote shows before
// its first match, and quoteLength how many in all.
const (
	quoteContext = 120
	quoteLength  = 360
)

// Wishes is what the wishes page and its JSON twin show.
type Wishes struct {
	Period   Period  `json:"period"`
	Filters  Filters `json:"filters"`
	Language string  `json:"language"` // of names, question texts and option labels
	// Weeks are the previous period's and the period's weeks: the axis of
	// each wish's PerWeek.
	Weeks  []string     `json:"weeks"`
	Wishes []WishFigure `json:"wishes"`
}

// WishFigure is one wish's counts and quotes.
type WishFigure struct {
	RuleID int64  `json:"rule_id"`
	Name   string `json:"name"`
	// Mentions counts the period's records (answers, interviews, calls)
	// that mention the wish, each once however often; PreviousMentions
	// those of the previous period.
	Mentions         int `json:"mentions"`
	PreviousMentions int `json:"previous_mentions"`
	// Companies counts the distinct companies with a mention in the period.
	Companies int            `json:"companies"`
	BySource  map[string]int `json:"by_source"` // the period's mentions per source kind
	PerWeek   []int          `json:"per_week"`  // mentions per week of Wishes.Weeks
	// Quotes are the period's mentions, newest first, at most MaxWishQuotes.
	Quotes []WishQuote `json:"quotes"`
}

// WishQuote is one mention: who, when, where, and the text with the
// matches marked.
type WishQuote struct {
	CompanyCVR  string `json:"company_cvr"`
	CompanyName string `json:"company_name"`
	Date        string `json:"date"` // Copenhagen calendar day
	Week        string `json:"week"`
	Source      string `json:"source"`
	// Question is the question's text (answers only), in Language.
	Question string `json:"question,omitempty"`
	// Parts are the quoted text in order; Mark is set on the matches.
	// A long text is cut around its first match ("…").
	Parts []QuotePart `json:"parts"`
}

// QuotePart is a piece of a quote.
type QuotePart struct {
	Text string `json:"text"`
	Mark bool   `json:"mark,omitempty"`
}

// wishRecord is one answer, interview or call a wish may be counted in.
type wishRecord struct {
	cvr, name, date, source, question, text string
	week                                    week.Week
	at                                      time.Time // for the order of quotes
	options                                 []string  // chosen option keys (choice)
}

// wishes computes the wish figures of the period in lang: the one
// function behind the page and its JSON twin (and the week in review's top
// wishes).
func (h *handler) wishes(ctx context.Context, lang string, p Period, f Filters) (Wishes, error) {
	out := Wishes{Period: p, Filters: f, Language: lang, Weeks: weekNames(week.Range{From: p.PreviousFrom, To: p.To}), Wishes: []WishFigure{}}
	rules, err := h.rules().list(ctx)
	if err != nil {
		return out, err
	}
	records, err := h.wishRecords(ctx, lang, p, f)
	if err != nil {
		return out, err
	}
	for _, r := range rules {
		out.Wishes = append(out.Wishes, countWish(r, lang, p, records))
	}
	return out, nil
}

// countWish counts one rule over the records.
func countWish(r WishRule, lang string, p Period, records []wishRecord) WishFigure {
	m := r.matcher()
	wf := WishFigure{RuleID: r.ID, Name: r.Name(lang), BySource: map[string]int{}, PerWeek: make([]int, week.Range{From: p.PreviousFrom, To: p.To}.Len()), Quotes: []WishQuote{}}
	for _, s := range WishSources {
		wf.BySource[s] = 0
	}
	companies := map[string]bool{}
	for _, rec := range records {
		var spans [][2]int
		if rec.source == WishSourceChoice {
			if r.OptionKey == "" || !slices.Contains(rec.options, r.OptionKey) {
				continue
			}
			spans = [][2]int{{0, len(rec.text)}}
		} else if spans = m.Find(rec.text); len(spans) == 0 {
			continue
		}
		wf.PerWeek[week.Range{From: p.PreviousFrom, To: rec.week}.Len()-1]++
		if rec.week.Before(p.From) {
			wf.PreviousMentions++
			continue
		}
		wf.Mentions++
		wf.BySource[rec.source]++
		companies[rec.cvr] = true
		wf.Quotes = append(wf.Quotes, WishQuote{CompanyCVR: rec.cvr, CompanyName: rec.name, Date: rec.date, Week: rec.week.String(), Source: rec.source,
			Question: rec.question, Parts: quoteParts(rec.text, spans)})
	}
	wf.Companies = len(companies)
	slices.Reverse(wf.Quotes) // records come oldest first
	if len(wf.Quotes) > MaxWishQuotes {
		wf.Quotes = wf.Quotes[:MaxWishQuotes]
	}
	return wf
}

// wishRecords loads the answers, interviews and calls of the previous
// period and the period, of the companies the filters count, oldest first.
func (h *handler) wishRecords(ctx context.Context, lang string, p Period, f Filters) ([]wishRecord, error) {
	participants, err := h.Registry.Participants(ctx)
	if err != nil {
		return nil, err
	}
	counted := map[string]bool{}
	for _, c := range f.Companies(participants) {
		counted[c.CVR] = true
	}
	var out []wishRecord
	answers, err := h.Survey.AnswerTexts(ctx, p.PreviousFrom, p.To)
	if err != nil {
		return nil, err
	}
	for _, a := range answers {
		wave, err := week.Parse(a.Wave)
		if err != nil || !counted[a.CompanyCVR] {
			continue
		}
		rec := wishRecord{cvr: a.CompanyCVR, name: a.CompanyName, week: wave, at: a.SubmittedAt, date: a.SubmittedAt.In(week.Copenhagen).Format(time.DateOnly)}
		if a.SubmittedAt.IsZero() {
			rec.at, rec.date = wave.Monday(), wave.Monday().Format(time.DateOnly)
		}
		q, _ := a.Definition.Question(a.QuestionKey)
		rec.question = q.Text.In(lang)
		if a.Type == survey.TypeText {
			rec.source, rec.text = WishSourceAnswer, a.Value
			out = append(out, rec)
			continue
		}
		var keys []string
		if json.Unmarshal([]byte(a.Value), &keys) != nil {
			continue
		}
		// One record per option chosen: its label is the quote.
		for _, k := range keys {
			label := k
			for _, o := range q.Options {
				if o.Key == k {
					label = o.Text.In(lang)
				}
			}
			choice := rec
			choice.source, choice.text, choice.options = WishSourceChoice, label, []string{k}
			out = append(out, choice)
		}
	}
	interviews, err := h.Survey.InterviewsHeld(ctx, p.PreviousFrom, p.To)
	if err != nil {
		return nil, err
	}
	for _, iv := range interviews {
		day, err := time.ParseInLocation(time.DateOnly, iv.HeldOn, week.Copenhagen)
		if err != nil || !counted[iv.CompanyCVR] {
			continue
		}
		out = append(out, wishRecord{cvr: iv.CompanyCVR, name: iv.CompanyName, week: week.Of(day), at: day, date: iv.HeldOn, source: WishSourceInterview, text: iv.Notes})
	}
	calls, err := h.Support.CallNotes(ctx, p.PreviousFrom, p.To)
	if err != nil {
		return nil, err
	}
	for _, c := range calls {
		if !counted[c.CompanyCVR] {
			continue
		}
		out = append(out, wishRecord{cvr: c.CompanyCVR, name: c.CompanyName, week: week.Of(c.ReceivedAt), at: c.ReceivedAt,
			date: c.ReceivedAt.In(week.Copenhagen).Format(time.DateOnly), source: WishSourceCall, text: c.Description})
	}
	slices.SortStableFunc(out, func(a, b wishRecord) int { return a.at.Compare(b.at) })
	return out, nil
}

// quoteParts cuts text into the pieces between and at the spans (sorted,
// not overlapping); a text longer than quoteLength characters is cut to a
// window starting quoteContext characters before the first span.
func quoteParts(text string, spans [][2]int) []QuotePart {
	from, to := 0, len(text)
	if utf8.RuneCountInString(text) > quoteLength {
		from = backRunes(text, spans[0][0], quoteContext)
		to = forwardRunes(text, from, quoteLength)
		to = max(to, spans[0][1])
	}
	var parts []QuotePart
	if from > 0 {
		parts = append(parts, QuotePart{Text: "…"})
	}
	at := from
	for _, s := range spans {
		if s[0] >= to {
			break
		}
		if s[0] > at {
			parts = append(parts, QuotePart{Text: text[at:s[0]]})
		}
		end := min(s[1], to)
		if s[0] >= at {
			parts = append(parts, QuotePart{Text: text[s[0]:end], Mark: true})
		}
		at = end
	}
	if at < to {
		parts = append(parts, QuotePart{Text: text[at:to]})
	}
	if to < len(text) {
		parts = append(parts, QuotePart{Text: "…"})
	}
	return parts
}

// backRunes is the byte offset n characters before at (or 0).
func backRunes(s string, at, n int) int {
	for ; n > 0 && at > 0; n-- {
		_, size := utf8.DecodeLastRuneInString(s[:at])
		at -= size
	}
	return at
}

// forwardRunes is the byte offset n characters after at (or the end).
func forwardRunes(s string, at, n int) int {
	for ; n > 0 && at < len(s); n-- {
		_, size := utf8.DecodeRuneInString(s[at:])
		at += size
	}
	return at
}
