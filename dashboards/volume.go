package dashboards

import (
	"cmp"
	"html/template"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// The volume page /dashboards/volume (one screen: the charts, each with its
// table, and the ranking) and its JSON twins; figures in volume_figures.go,
// the drill-down per authority in volume_authority.go.

// chartAuthorities is how many authorities the charts name; the others
// are one series.
const chartAuthorities = 10

// rankRow is a ranking row as the page writes it.
type rankRow struct {
	VolumeRank
	Name   string // the name, or "CVR x" outside the registry
	Href   string // the drill-down
	Change string // messages against the previous period
	// Cells are the row's cells after its authority: its numbers written
	// in the reader's language (as .Number and .Percent write them), each
	// escaped, in the order of the table's head. Written here, not by the
	// template: at national scale the ranking has 300 rows, and an action
	// per cell cost the page more than its figures. No user text is in
	// them (the name and the link stay the template's).
	Cells template.HTML
}

// rankCellsOf writes the cells of r after its authority as page p shows
// them; change is its change against the previous period.
func rankCellsOf(p web.PageData, r VolumeRank, change string) template.HTML {
	var b strings.Builder
	for _, cell := range []string{p.Number(r.Messages), change, strconv.Itoa(r.PreviousRank), p.Number(r.Digital), p.Number(r.RemotePrint),
		p.Percent(r.MetadataShare), p.Percent(r.DeepLinkShare), p.Number(r.WeeklyTarget), p.Percent(r.Attainment)} {
		b.WriteString(`<td class="num">`)
		b.WriteString(template.HTMLEscapeString(cell))
		b.WriteString(`</td>`)
	}
	return template.HTML(b.String())
}

type volumeView struct {
	chartPage
	Filters filterBar
	Ranking VolumeRanking
	Rows    []rankRow
	// Empty says nothing was sent in the period: what is missing and the
	// page that fills it.
	Empty, EmptyHref, EmptyLink string
	Summary                     string
	PerAuthority, PerChannel    WeekChart
	Attainment                  *WeekChart // nil when no authority shown has a target
	NoTargets                   string
	// OwnRank is an authority user's place ("place 3 of 12"); ReportHref
	// its report for the period.
	OwnRank, ReportHref string
}

func (h *handler) volumeJSON(c *fiber.Ctx) error {
	figs, err := h.volumeOf(c)
	if err != nil {
		return err
	}
	if figs.Weeks == nil {
		figs.Weeks = []VolumeWeek{}
	}
	return c.JSON(figs.Weeks)
}

func (h *handler) volumeRankingJSON(c *fiber.Ctx) error {
	figs, err := h.volumeOf(c)
	if err != nil {
		return err
	}
	return c.JSON(figs.Ranking)
}

func (h *handler) volumeOf(c *fiber.Ctx) (volumeFigures, error) {
	q, err := h.volumeQueryOf(c.UserContext(), c, "")
	if err != nil {
		return volumeFigures{}, err
	}
	return h.volume(c.UserContext(), q)
}

// volumePageError renders the page of path again with the parameters at
// fault marked (a problem.Fields), or returns err.
func (h *handler) volumePageError(c *fiber.Ctx, template string, v any, bar *filterBar, err error) error {
	fs, ok := problem.AsFields(err)
	if !ok {
		return err
	}
	bar.From, bar.To, bar.Fields = c.Query("from"), c.Query("to"), filterFields{}
	c.Status(fiber.StatusBadRequest)
	return h.srv.Render(c, template, web.PageData{Title: "volume.title", Data: v, Fields: fs, Errors: map[string]string{"form": "form.errors"}})
}

func (h *handler) volumePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	var v volumeView
	v.Filters.Action = "/dashboards/volume"
	q, err := h.volumeQueryOf(ctx, c, "")
	if err != nil {
		return h.volumePageError(c, "dashboards_volume", &v, &v.Filters, err)
	}
	figs, err := h.volume(ctx, q)
	if err != nil {
		return err
	}
	lang := web.Language(c)
	pr := web.PrincipalOf(c)
	if v.Filters, err = h.filterBar(ctx, c, "/dashboards/volume", "/api/v1/metrics/volume", q.Period, q.Filters, filterFields{Authority: true, AuthorityKind: true}); err != nil {
		return err
	}
	v.Ranking = figs.Ranking
	drill := q.Filters
	drill.Authority = ""
	drillQuery := drill.Query(q.Period).Encode()
	var total, previous uint64
	numbers := web.PageData{Lang: lang}
	for _, r := range figs.Ranking.Rows {
		row := rankRow{VolumeRank: r, Name: authorityLabel(r.AuthorityName, r.AuthorityCVR),
			Href:   "/dashboards/volume/authorities/" + url.PathEscape(r.AuthorityCVR) + "?" + drillQuery,
			Change: signed(lang, float64(r.Messages)-float64(r.PreviousMessages), 0)}
		row.Cells = rankCellsOf(numbers, r, row.Change)
		v.Rows = append(v.Rows, row)
		total += r.Messages
		previous += r.PreviousMessages
	}
	if pr != nil && pr.Role == auth.RoleAuthority && len(v.Rows) == 1 {
		v.OwnRank = tf(lang, "volume.own_rank", v.Rows[0].Rank, figs.Ranking.Ranked)
		v.ReportHref = authorityReportHref(v.Rows[0].AuthorityCVR, q.Period)
	}
	switch {
	case figs.Ranking.Ranked == 0:
		v.Empty, v.EmptyHref, v.EmptyLink = tf(lang, "volume.empty_authorities"), "/authorities", tf(lang, "volume.empty_authorities_link")
	case total == 0:
		v.Empty = tf(lang, "volume.empty_period", weeksText(q.Period.From.String(), q.Period.To.String()))
		if q.Period.HasData() {
			v.Empty += " " + tf(lang, "volume.empty_latest", q.Period.Latest.String())
			v.EmptyHref, v.EmptyLink = "/dashboards/volume?"+q.Filters.Query(Period{Preset: PresetLatest}).Encode(), tf(lang, "dashboards.preset_latest")
		} else if pr != nil && pr.Role == auth.RoleAdmin {
			v.Empty += " " + tf(lang, "volume.empty_sources")
			v.EmptyHref, v.EmptyLink = "/sources", tf(lang, "volume.empty_sources_link")
		}
	default:
		v.Summary = tf(lang, "volume.summary", count(lang, total), len(v.Rows), signed(lang, float64(total)-float64(previous), 0), weeksText(q.Period.PreviousFrom.String(), q.Period.PreviousTo.String()))
	}
	v.PerAuthority, v.PerChannel, v.Attainment = volumeCharts(lang, weekNames(q.Period.Range()), v.Rows, figs.Weeks)
	if v.Attainment == nil && len(v.Rows) > 0 {
		v.NoTargets = tf(lang, "volume.no_targets")
	}
	return h.srv.Render(c, "dashboards_volume", web.PageData{Title: "volume.title", Data: v})
}

// authorityLabel is an authority's name, or its CVR when the registry does
// not know it.
func authorityLabel(name, cvr string) string {
	return cmp.Or(name, "CVR "+cvr)
}

// volumeCharts charts the messages per week: a series for each of the
// first chartAuthorities authorities of the ranking and one for the
// others; the same messages by channel; and the attainment of the weekly
// target per authority with a target (nil when none has one).
func volumeCharts(lang string, weeks []string, rows []rankRow, data []VolumeWeek) (perAuthority, perChannel WeekChart, attained *WeekChart) {
	at := make(map[string]int, len(weeks))
	for i, w := range weeks {
		at[w] = i
	}
	series := map[string]int{} // authority -> series of perAuthority
	perAuthority = WeekChart{ID: "volume-authorities", Title: tf(lang, "volume.chart_authorities"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks}
	attainment := WeekChart{ID: "volume-attainment", Title: tf(lang, "volume.chart_attainment"), Kind: LineChart, Unit: Percent, Weeks: weeks}
	targeted := map[string]int{}
	for _, r := range rows {
		if len(series) < chartAuthorities {
			series[r.AuthorityCVR] = len(perAuthority.Series)
			perAuthority.Series = append(perAuthority.Series, Series{Name: r.Name, Values: make([]float64, len(weeks))})
		}
		if r.WeeklyTarget != nil && *r.WeeklyTarget > 0 && len(targeted) < chartAuthorities {
			targeted[r.AuthorityCVR] = len(attainment.Series)
			attainment.Series = append(attainment.Series, Series{Name: r.Name, Values: make([]float64, len(weeks))})
		}
	}
	if len(rows) > chartAuthorities {
		perAuthority.Series = append(perAuthority.Series, Series{Name: tf(lang, "volume.other_authorities"), Values: make([]float64, len(weeks))})
	}
	digital, remote := make([]float64, len(weeks)), make([]float64, len(weeks))
	for _, w := range data {
		i, ok := at[w.Week]
		if !ok {
			continue
		}
		s, named := series[w.AuthorityCVR]
		if !named {
			s = len(perAuthority.Series) - 1
		}
		perAuthority.Series[s].Values[i] += float64(w.Messages)
		digital[i] += float64(w.Digital)
		remote[i] += float64(w.RemotePrint)
		if s, ok := targeted[w.AuthorityCVR]; ok && w.Attainment != nil {
			attainment.Series[s].Values[i] = *w.Attainment
		}
	}
	perChannel = WeekChart{ID: "volume-channels", Title: tf(lang, "volume.chart_channels"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks,
		Series: []Series{{Name: tf(lang, "volume.digital"), Values: digital}, {Name: tf(lang, "volume.remote_print"), Values: remote}}}
	if len(attainment.Series) > 0 {
		attained = &attainment
	}
	return perAuthority, perChannel, attained
}
