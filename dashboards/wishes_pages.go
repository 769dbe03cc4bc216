package dashboards

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The wishes page, its JSON twin, and the admin's page of rules.

func (h *handler) rules() wishRules { return wishRules{db: h.DB} }

// wishesOf reads the request's period and filters and computes the wishes.
func (h *handler) wishesOf(c *fiber.Ctx) (Wishes, error) {
	ctx := c.UserContext()
	f, _, err := h.filtersOf(ctx, c)
	if err != nil {
		return Wishes{}, err
	}
	first, last, err := h.sqliteSpan(ctx)
	if err != nil {
		return Wishes{}, err
	}
	p, err := ResolvePeriod(periodQueryOf(c), first, last, time.Now())
	if err != nil {
		return Wishes{}, err
	}
	return h.wishes(ctx, web.Language(c), p, f)
}

// sqliteSpan is the first and newest week with a submitted answer or a
// live call: the weeks with data of the pages read from the app database.
func (h *handler) sqliteSpan(ctx context.Context) (first, last week.Week, err error) {
	return spanOf(ctx, h.Survey.AnsweredSpan, h.Support.CallSpan)
}

var wishesPageRef = pageRef{"dashboards_wishes", "wishes.title", "/dashboards/wishes", "/api/v1/metrics/wishes", filterFields{Kind: true, Cohort: true}}

type wishesView struct {
	chartPage
	Wishes
	Filters filterBar
	Chart   WeekChart
	Cards   []wishCard
	// Empty says why nothing was counted and where to change that.
	Empty, EmptyHref, EmptyLink string
	CanEdit                     bool
}

type wishCard struct {
	WishFigure
	Value, Change, Companies string
	Sources                  []string // "2 i spørgeskemaets valg", …
}

func (h *handler) wishesPage(c *fiber.Ctx) error {
	canEdit := web.PrincipalOf(c).Role == auth.RoleAdmin
	w, err := h.wishesOf(c)
	if err != nil {
		return h.filterProblem(c, err, wishesPageRef, func(bar filterBar) any { return wishesView{Filters: bar, CanEdit: canEdit} })
	}
	lang := web.Language(c)
	v := wishesView{Wishes: w, CanEdit: canEdit}
	if v.Filters, err = h.filterBar(c.UserContext(), c, wishesPageRef.path, wishesPageRef.api, w.Period, w.Filters, wishesPageRef.show); err != nil {
		return err
	}
	cmp := comparer{lang: lang, period: w.Period}
	v.Chart = WeekChart{ID: "wishes-chart", Title: tf(lang, "wishes.chart"), Kind: BarChart, Unit: Count, Weeks: w.Weeks}
	total := 0
	for _, wf := range w.Wishes {
		card := wishCard{WishFigure: wf, Value: tf(lang, "wishes.mentions", count(lang, wf.Mentions)), Change: cmp.count(int64(wf.Mentions), int64(wf.PreviousMentions)),
			Companies: tf(lang, "wishes.companies", count(lang, wf.Companies), tf(lang, "review.noun_"+w.Filters.Kind))}
		for _, s := range WishSources {
			if n := wf.BySource[s]; n > 0 {
				card.Sources = append(card.Sources, tf(lang, "wishes.source_count", count(lang, n), tf(lang, "wishes.source_"+s)))
			}
		}
		v.Cards = append(v.Cards, card)
		values := make([]float64, len(wf.PerWeek))
		for i, n := range wf.PerWeek {
			values[i] = float64(n)
		}
		v.Chart.Series = append(v.Chart.Series, Series{Name: wf.Name, Values: values})
		total += wf.Mentions
	}
	switch {
	case len(w.Wishes) == 0:
		v.Empty, v.EmptyHref, v.EmptyLink = tf(lang, "wishes.empty_rules"), "/admin/wishes", tf(lang, "wishes.edit_rules")
	case total == 0:
		v.Empty, v.EmptyHref, v.EmptyLink = tf(lang, "wishes.empty", periodText(w.Period)), "/survey", tf(lang, "nav.survey")
	}
	return h.srv.Render(c, "dashboards_wishes", web.PageData{Title: "wishes.title", Data: v})
}

// --- the admin's rules ---

type wishRulesView struct {
	Rules []WishRule
	// Failed is the rule whose form failed (ID 0: the new rule's), shown
	// as typed with its errors.
	Failed *WishRule
	Saved  string
}

// Empty is the blank rule of the new rule's form.
func (wishRulesView) Empty() WishRule { return WishRule{} }

// Keywords writes keywords one per line, for a textarea.
func (wishRulesView) Keywords(ks []string) string { return strings.Join(ks, "\n") }

func (h *handler) renderWishRules(c *fiber.Ctx, d web.PageData, v wishRulesView) error {
	rules, err := h.rules().list(c.UserContext())
	if err != nil {
		return err
	}
	v.Rules = rules
	d.Title, d.Data = "wishes.rules_title", v
	return h.srv.Render(c, "dashboards_wish_rules", d)
}

func (h *handler) wishRulesPage(c *fiber.Ctx) error {
	return h.renderWishRules(c, web.PageData{}, wishRulesView{Saved: c.Query("saved")})
}

func ruleFromForm(c *fiber.Ctx) WishRule {
	return WishRule{NameDA: c.FormValue("name_da"), NameEN: c.FormValue("name_en"), KeywordsDA: keywordLines(c.FormValue("keywords_da")),
		KeywordsEN: keywordLines(c.FormValue("keywords_en")), OptionKey: c.FormValue("option_key")}
}

// saveWishRule stores a rule from the form with save, audits it as
// action, and shows the rules again: the form as typed with its errors
// when the rule is refused.
func (h *handler) saveWishRule(c *fiber.Ctx, action string, r WishRule, save func(context.Context, WishRule) (WishRule, error)) error {
	saved, err := save(c.UserContext(), r)
	if fs, ok := problem.AsFields(err); ok {
		c.Status(fiber.StatusBadRequest)
		return h.renderWishRules(c, web.PageData{Fields: fs, Errors: map[string]string{"form": "form.errors"}}, wishRulesView{Failed: &r})
	}
	if err != nil {
		return err
	}
	h.Audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: action, Target: "wish rule " + strconv.FormatInt(saved.ID, 10),
		Detail: saved.NameDA + " / " + saved.NameEN + "; option " + saved.OptionKey + "; da: " + strings.Join(saved.KeywordsDA, ", ") + "; en: " + strings.Join(saved.KeywordsEN, ", "), IP: c.IP()})
	return c.Redirect("/admin/wishes?saved="+strconv.FormatInt(saved.ID, 10), fiber.StatusSeeOther)
}

func (h *handler) createWishRuleForm(c *fiber.Ctx) error {
	return h.saveWishRule(c, audit.RecordCreated, ruleFromForm(c), h.rules().create)
}

func (h *handler) updateWishRuleForm(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return ErrWishRuleNotFound
	}
	r := ruleFromForm(c)
	r.ID = id
	return h.saveWishRule(c, audit.RecordChanged, r, h.rules().update)
}

func (h *handler) deleteWishRuleForm(c *fiber.Ctx) error {
	id, err := strconv.ParseInt(c.Params("id"), 10, 64)
	if err != nil {
		return ErrWishRuleNotFound
	}
	r, err := h.rules().delete(c.UserContext(), id)
	if err != nil {
		return err
	}
	h.Audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Name(), Action: audit.RecordDeleted, Target: "wish rule " + strconv.FormatInt(r.ID, 10),
		Detail: r.NameDA + " / " + r.NameEN, IP: c.IP()})
	return c.Redirect("/admin/wishes", fiber.StatusSeeOther)
}

// wishesExample is the JSON answer's example for the OpenAPI document.
func wishesExample() Wishes {
	w45, w46 := week.MustParse("2012-W45"), week.MustParse("2012-W46")
	return Wishes{Period: Period{Preset: PresetLatest, From: w46, To: w46, PreviousFrom: w45, PreviousTo: w45, First: w45, Latest: w46},
		Filters: Filters{Kind: "company"}, Language: "da", Weeks: []string{"2012-W45", "2012-W46"},
		Wishes: []WishFigure{{RuleID: 1, Name: "Søgning på tværs af mapper", Mentions: 3, PreviousMentions: 1, Companies: 2,
			BySource: map[string]int{WishSourceChoice: 1, WishSourceAnswer: 1, WishSourceInterview: 0, WishSourceCall: 1}, PerWeek: []int{1, 3},
			Quotes: []WishQuote{{CompanyCVR: "10000025", CompanyName: "Firma A/S", Date: "2012-11-13", Week: "2012-W46", Source: WishSourceCall,
				Parts: []QuotePart{{Text: "Kunden savner "}, {Text: "søgning på tværs af mapper", Mark: true}, {Text: "."}}}}}}}
}
