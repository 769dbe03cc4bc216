package dashboards

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The adoption page (/dashboards/adoption) and the legal-notice page
// (/dashboards/legal-notice) with their JSON twins; both read their
// figures through adoption and legalNotice (adoption_figures.go,
// legal_notice.go).

// adoptionFilters are the filters the adoption pages offer.
var adoptionFilters = filterFields{Kind: true, Cohort: true}

func (h *handler) adoptionOf(c *fiber.Ctx) (Adoption, error) {
	p, f, err := h.adoptionInputs(c, time.Now())
	if err != nil {
		return Adoption{}, err
	}
	return h.adoption(c.UserContext(), companyScope(web.PrincipalOf(c)), p, f)
}

func (h *handler) adoptionJSON(c *fiber.Ctx) error {
	a, err := h.adoptionOf(c)
	if err != nil {
		return err
	}
	return c.JSON(a)
}

// stepRow is one step of the funnel's table.
type stepRow struct {
	Step, Label string
	Reached     int
	Percent     *float64
	Change      string
	Stuck       []StuckCompany
	StuckTitle  string
}

type adoptionView struct {
	chartPage
	Adoption
	Filters    filterBar
	Intro      string
	Rows       []stepRow
	Chart      WeekChart
	Empty      string // what is missing, and where to get it
	EmptyHref  string
	EmptyLink  string
	NoticeHref string
	// Denominator says what the shares are of (registry.Denominator).
	Denominator string
}

// pagePercent is a share in percent for the page, nil when its whole is 0.
func pagePercent(s Share) *float64 {
	if s.Whole == 0 {
		return nil
	}
	v := 100 * s.Share
	return &v
}

// emptyState says what a company page misses: companies of the filters in
// the registry, or usage events.
func emptyState(lang string, companies int, p Period) (text, href, link string) {
	switch {
	case companies == 0:
		return tf(lang, "adoption.empty_companies"), "/companies", tf(lang, "nav.companies")
	case !p.HasData():
		return tf(lang, "adoption.empty_events"), "/sources", tf(lang, "nav.sources")
	}
	return "", "", ""
}

func (h *handler) adoptionPage(c *fiber.Ctx) error {
	a, err := h.adoptionOf(c)
	if err != nil {
		return h.filterProblem(c, err, pageRef{"dashboards_adoption", "adoption.title", "/dashboards/adoption", "/api/v1/metrics/adoption", adoptionFilters},
			func(bar filterBar) any { return adoptionView{Filters: bar} })
	}
	ctx, lang := c.UserContext(), web.Language(c)
	v := adoptionView{Adoption: a, Intro: tf(lang, "adoption.intro", a.AsOf, count(lang, a.Companies), tf(lang, "dashboards.kind_"+a.Filters.Kind))}
	if v.Filters, err = h.filterBar(ctx, c, "/dashboards/adoption", "/api/v1/metrics/adoption", a.Period, a.Filters, adoptionFilters); err != nil {
		return err
	}
	v.Denominator = registry.Denominator(a.Companies, a.Filters.Kind, a.Filters.Cohort).In(lang)
	v.NoticeHref = "/dashboards/legal-notice?" + a.Filters.Query(a.Period).Encode()
	v.Chart = WeekChart{ID: "adoption-funnel", Title: tf(lang, "adoption.chart"), Kind: BarChart, Unit: Count, Weeks: weekNames(a.Period.Range())}
	for i, st := range a.Steps {
		label := tf(lang, "adoption.step_"+st.Step)
		row := stepRow{Step: st.Step, Label: label, Reached: st.Reached.Part, Percent: pagePercent(st.Reached), Stuck: st.Stuck,
			Change: tf(lang, "adoption.change", signed(lang, float64(st.Change), 0), a.PreviousAsOf)}
		if i < len(a.Steps)-1 {
			row.StuckTitle = tf(lang, "adoption.stuck_at", label, tf(lang, "adoption.step_"+a.Steps[i+1].Step))
		}
		v.Rows = append(v.Rows, row)
		values := make([]float64, len(a.Weeks))
		for j, w := range a.Weeks {
			values[j] = float64(w.Companies[i])
		}
		v.Chart.Series = append(v.Chart.Series, Series{Name: label, Values: values})
	}
	v.Empty, v.EmptyHref, v.EmptyLink = emptyState(lang, a.Companies, a.Period)
	return h.srv.Render(c, "dashboards_adoption", web.PageData{Title: "adoption.title", Data: v})
}

type legalNoticeView struct {
	LegalNotice
	Filters   filterBar
	Intro     string
	CSVHref   string
	XLSXHref  string
	Hidden    url.Values // the filters, for the since form
	Empty     string
	EmptyHref string
	EmptyLink string
	None      string // when no company is on the list
}

func (h *handler) legalNoticePage(c *fiber.Ctx) error {
	ln, err := h.legalNoticeOf(c)
	if err != nil {
		return h.filterProblem(c, err, pageRef{"dashboards_legal_notice", "legal_notice.title", "/dashboards/legal-notice", "/api/v1/metrics/legal-notice", adoptionFilters},
			func(bar filterBar) any { return legalNoticeView{Filters: bar} })
	}
	ctx, lang := c.UserContext(), web.Language(c)
	v := legalNoticeView{LegalNotice: ln,
		Intro: tf(lang, "legal_notice.intro", count(lang, len(ln.NotLoggedIn)), count(lang, ln.Companies), tf(lang, "dashboards.kind_"+ln.Filters.Kind), ln.Since, ln.AsOf)}
	if v.Filters, err = h.filterBar(ctx, c, "/dashboards/legal-notice", "/api/v1/metrics/legal-notice", ln.Period, ln.Filters, adoptionFilters); err != nil {
		return err
	}
	q := ln.Filters.Query(ln.Period)
	v.Hidden = ln.Filters.Query(ln.Period)
	if c.Query("since") != "" {
		v.Filters.APIHref += "&" + url.Values{"since": {ln.Since}}.Encode()
	}
	q.Set("since", ln.Since)
	v.CSVHref = "/dashboards/legal-notice.csv?" + q.Encode()
	v.XLSXHref = "/dashboards/legal-notice.xlsx?" + q.Encode()
	v.Empty, v.EmptyHref, v.EmptyLink = emptyState(lang, ln.Companies, ln.Period)
	if len(ln.NotLoggedIn) == 0 && ln.Companies > 0 {
		v.None = tf(lang, "legal_notice.none", ln.Since)
	}
	return h.srv.Render(c, "dashboards_legal_notice", web.PageData{Title: "legal_notice.title", Data: v, Form: map[string]string{"since": c.Query("since")}})
}
