package dashboards

// The week in review (the page /dashboards/week-in-review and GET
// /api/v1/metrics/week-in-review, one function: review): the period's
// findings as a few sentences in the reader's language, for pasting into
// the steering group's minutes, built from the overview's figures and the
// top wishes. Definitions: docs/figures.md#week-in-review.

import (
	"context"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/support"
)

// ReviewTopWishes is how many wishes the review names at most.
const ReviewTopWishes = 3

// Review is the week in review.
type Review struct {
	Period   Period  `json:"period"`
	Filters  Filters `json:"filters"`
	Language string  `json:"language"`
	Heading  string  `json:"heading"`
	// Sentences are the findings, one figure each, only for figures with
	// data in the period.
	Sentences []string `json:"sentences"`
	// Text is the heading and the sentences, a line each ("- " before
	// each sentence), ready to paste.
	Text        string   `json:"text"`
	Unavailable []string `json:"unavailable"`
}

// review computes the week in review of the request (its period and
// filters, as the overview reads them) in the reader's language.
func (h *handler) review(c *fiber.Ctx) (Review, error) {
	ov, err := h.overviewOf(c)
	if err != nil {
		return Review{}, err
	}
	return h.reviewOf(c.UserContext(), web.Language(c), ov)
}

// reviewOf is the week in review of the overview ov in lang: its heading,
// the sentences of its figures and the period's top wishes, and the text
// to paste. The page, its JSON twin, the overview and the weekly workbook
// read it.
func (h *handler) reviewOf(ctx context.Context, lang string, ov Overview) (Review, error) {
	r := Review{Period: ov.Period, Filters: ov.Filters, Language: lang, Heading: reviewHeading(lang, ov.Period), Sentences: []string{}, Unavailable: ov.Unavailable}
	if ov.Pilot != nil {
		w, err := h.wishes(ctx, lang, ov.Period, ov.Filters)
		if err != nil {
			return Review{}, err
		}
		r.Sentences = reviewSentences(lang, ov, w)
	}
	lines := []string{r.Heading}
	for _, s := range r.Sentences {
		lines = append(lines, "- "+s)
	}
	r.Text = strings.Join(lines, "\n")
	return r, nil
}

// reviewHeading is "Uge 46 (2012-W46)" or "2012-W43 – 2012-W46".
func reviewHeading(lang string, p Period) string {
	if p.From == p.To {
		return tf(lang, "review.heading_week", p.To.Number(), p.To.String())
	}
	return tf(lang, "review.heading_period", periodText(p))
}

// reviewSentences writes the findings of the overview's pilot figures and
// the wishes, in lang: a sentence per figure that has data in the period.
func reviewSentences(lang string, ov Overview, w Wishes) []string {
	p := ov.Pilot
	now, before := p.Period, p.PreviousPeriod
	cmp := comparer{lang: lang, period: ov.Period}
	of := func(s Share) string {
		return tf(lang, "review.of", count(lang, s.Part), count(lang, s.Whole), tf(lang, "review.noun_"+p.Kind))
	}
	change := func(now, before int) string { return cmp.count(int64(now), int64(before)) }
	out := []string{}
	if p.Companies == 0 {
		return append(out, tf(lang, "review.no_companies", tf(lang, "review.noun_"+p.Kind)))
	}
	answered := now.ResponseRate != nil
	if answered || now.Calls > 0 || now.SetupProblems.Part > 0 {
		out = append(out, tf(lang, "review.setup", of(now.SetupProblems), change(now.SetupProblems.Part, before.SetupProblems.Part)))
	}
	if now.Calls > 0 {
		out = append(out, tf(lang, "review.callers", of(now.CallingCompanies), change(now.CallingCompanies.Part, before.CallingCompanies.Part), count(lang, now.Calls)))
		var desks []string
		for _, d := range support.Desks {
			if s := now.NotSolvedByDesk[d]; s.Whole > 0 {
				desks = append(desks, tf(lang, "review.desk", tf(lang, "support.desk."+d), count(lang, s.Part), count(lang, s.Whole), percentOf(lang, s)))
			}
		}
		if len(desks) > 0 {
			out = append(out, tf(lang, "review.not_solved", strings.Join(desks, "; ")))
		}
	}
	if r := now.ResponseRate; r != nil {
		s := tf(lang, "review.response", count(lang, r.Part), count(lang, r.Whole), percentOf(lang, *r))
		if before.ResponseRate != nil {
			s = tf(lang, "review.response_change", s, cmp.points(*r, *before.ResponseRate))
		}
		out = append(out, s+".")
	}
	if answered || now.ThirdPartyAccessSources.Events != nil && *now.ThirdPartyAccessSources.Events > 0 {
		if now.ThirdPartyAccess.Part == 0 {
			out = append(out, tf(lang, "review.third_party_none", tf(lang, "review.noun_"+p.Kind)))
		} else {
			out = append(out, tf(lang, "review.third_party", of(now.ThirdPartyAccess), change(now.ThirdPartyAccess.Part, before.ThirdPartyAccess.Part)))
		}
	}
	if e := now.Ease; e != nil {
		s := tf(lang, "review.ease", web.FormatNumber(lang, *e, 1), count(lang, now.EaseAnswers))
		if before.Ease != nil {
			s = tf(lang, "review.ease_change", s, tf(lang, "overview.change", signed(lang, *e-*before.Ease, 1), cmp.since()))
		}
		out = append(out, s+".")
	}
	if top := topWishes(lang, w); top != "" {
		out = append(out, tf(lang, "review.wishes", top))
	}
	if m := now.Messages; m == nil {
		out = append(out, tf(lang, "review.volume_unavailable"))
	} else if *m > 0 || deref(before.Messages) > 0 {
		s := tf(lang, "review.volume", count(lang, *m), cmp.count(int64(*m), int64(deref(before.Messages))))
		if t := targetsReached(ov); t[1] > 0 {
			s += " " + tf(lang, "review.targets", count(lang, t[0]), count(lang, t[1]))
		}
		out = append(out, s)
	}
	return out
}

// topWishes names the period's most mentioned wishes (at most
// ReviewTopWishes, with mentions), "" when none was mentioned.
func topWishes(lang string, w Wishes) string {
	ws := slices.Clone(w.Wishes)
	slices.SortStableFunc(ws, func(a, b WishFigure) int { return b.Mentions - a.Mentions })
	var names []string
	for _, wf := range ws {
		if wf.Mentions == 0 || len(names) == ReviewTopWishes {
			break
		}
		names = append(names, tf(lang, "review.wish", wf.Name, count(lang, wf.Mentions), count(lang, wf.Companies), tf(lang, "review.noun_"+w.Filters.Kind)))
	}
	return strings.Join(names, "; ")
}

// targetsReached counts the authorities with a weekly target above 0 whose
// messages in the period reached the target times the period's weeks, and
// those with a target: {reached, with a target}. Zero when the trend does
// not cover the period.
func targetsReached(ov Overview) [2]int {
	var out [2]int
	n := ov.Period.Range().Len()
	if n > len(ov.Weeks) {
		return out
	}
	for _, a := range ov.Pilot.Volume {
		if a.WeeklyTarget == nil || *a.WeeklyTarget <= 0 {
			continue
		}
		var sum uint64
		for _, m := range a.Messages[len(a.Messages)-n:] {
			sum += m
		}
		out[1]++
		if sum >= uint64(*a.WeeklyTarget)*uint64(n) {
			out[0]++
		}
	}
	return out
}

type reviewView struct {
	Review
	Filters filterBar
	Rows    int // of the text box
	// Empty says there is nothing to write yet and where to start.
	Empty, EmptyHref, EmptyLink string
}

func (h *handler) reviewPage(c *fiber.Ctx) error {
	page := pageRef{"dashboards_review", "review.title", "/dashboards/week-in-review", "/api/v1/metrics/week-in-review", filterFields{Kind: true, Cohort: true}}
	r, err := h.review(c)
	if err != nil {
		return h.filterProblem(c, err, page, func(bar filterBar) any { return reviewView{Filters: bar} })
	}
	lang := web.Language(c)
	v := reviewView{Review: r, Rows: len(r.Sentences) + 3}
	if v.Filters, err = h.filterBar(c.UserContext(), c, page.path, page.api, r.Period, r.Filters, page.show); err != nil {
		return err
	}
	if len(r.Sentences) == 0 {
		v.Empty, v.EmptyHref, v.EmptyLink = tf(lang, "review.empty"), "/companies", tf(lang, "nav.companies")
	}
	return h.srv.Render(c, "dashboards_review", web.PageData{Title: "review.title", Data: v})
}

// reviewExample is the JSON answer's example for the OpenAPI document.
func reviewExample() Review {
	w45, w46 := week.MustParse("2012-W45"), week.MustParse("2012-W46")
	s := []string{"14 af 30 virksomheder havde problemer med at oprette eller opsætte postkassen (+3 siden uge 45).",
		"7 af 30 virksomheder ringede til support (±0 siden uge 45); 12 opkald i alt."}
	return Review{Period: Period{Preset: PresetLatest, From: w46, To: w46, PreviousFrom: w45, PreviousTo: w45, First: w45, Latest: w46},
		Filters: Filters{Kind: "company"}, Language: "da", Heading: "Uge 46 (2012-W46)", Sentences: s,
		Text: "Uge 46 (2012-W46)\n- " + strings.Join(s, "\n- "), Unavailable: []string{}}
}
