package dashboards

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// The drill-down from an authority of the volume page:
// /dashboards/volume/authorities/CVR and its JSON twin
// /api/v1/metrics/volume/authorities/CVR: the authority's weeks, its place
// in the ranking and the companies it reached in the period.

// CompaniesShown is how many companies the drill-down lists (most messages
// first); CompaniesReached counts them all.
const CompaniesShown = 200

// CompanyReached is a company an authority sent messages to in the period.
type CompanyReached struct {
	figures.CompanyVolume
	Name string `json:"name"` // "" for a company not in the registry
}

// AuthorityDrillDown is the drill-down of one authority for a period.
type AuthorityDrillDown struct {
	AuthorityCVR  string `json:"authority_cvr"`
	AuthorityName string `json:"authority_name"`
	AuthorityKind string `json:"authority_kind"`
	Period        Period `json:"period"`
	// Total is the authority's ranking row: its messages in the period and
	// the previous one, shares, attainment, rank among Ranked authorities.
	Total  VolumeRank `json:"total"`
	Ranked int        `json:"ranked"`
	// Weeks has every week of the period, weeks without messages included.
	Weeks []VolumeWeek `json:"weeks"`
	// CompaniesReached is the exact number of distinct companies reached
	// in the period; Companies the first CompaniesShown of them.
	CompaniesReached uint64           `json:"companies_reached"`
	Companies        []CompanyReached `json:"companies"`
}

// authorityVolume computes the drill-down of q's authority, listing the
// first shown companies reached.
func (h *handler) authorityVolume(ctx context.Context, q volumeQuery, shown int) (AuthorityDrillDown, error) {
	figs, err := h.volume(ctx, q)
	if err != nil {
		return AuthorityDrillDown{}, err
	}
	cvr := q.Filters.Authority
	out := AuthorityDrillDown{AuthorityCVR: cvr, Period: q.Period, Ranked: figs.Ranking.Ranked}
	a, err := h.Registry.Authority(ctx, auth.SystemScope(), cvr)
	if err == nil {
		out.AuthorityName, out.AuthorityKind = a.Name, a.Kind
	}
	if i := slices.IndexFunc(figs.Ranking.Rows, func(r VolumeRank) bool { return r.AuthorityCVR == cvr }); i >= 0 {
		out.Total = figs.Ranking.Rows[i]
	} else { // outside the kind filtered by: unranked
		out.Total = VolumeRank{AuthorityCVR: cvr, AuthorityName: a.Name, AuthorityKind: a.Kind, WeeklyTarget: a.WeeklyTarget}
	}
	byWeek := map[string]VolumeWeek{}
	for _, w := range figs.Weeks {
		byWeek[w.Week] = w
	}
	for _, wk := range q.Period.Range().Weeks() {
		w, ok := byWeek[wk.String()]
		if !ok {
			w = volumeWeek(figures.WeekVolume{AuthorityCVR: cvr, Week: wk.String(), Monday: wk.Monday().Format("2006-01-02")}, a)
		}
		out.Weeks = append(out.Weeks, w)
	}
	reached, n, err := h.Volume.CompaniesReached(ctx, cvr, q.Period.Range(), shown)
	if err != nil {
		return out, err
	}
	out.CompaniesReached = n
	names := map[string]string{}
	if len(reached) > 0 {
		cs, err := h.Registry.Participants(ctx)
		if err != nil {
			return out, err
		}
		for _, c := range cs {
			names[c.CVR] = c.Name
		}
	}
	out.Companies = []CompanyReached{}
	for _, c := range reached {
		out.Companies = append(out.Companies, CompanyReached{CompanyVolume: c, Name: names[c.CompanyCVR]})
	}
	return out, nil
}

func (h *handler) authorityVolumeOf(c *fiber.Ctx) (volumeQuery, AuthorityDrillDown, error) {
	q, err := h.volumeQueryOf(c.UserContext(), c, c.Params("cvr"))
	if err != nil {
		return q, AuthorityDrillDown{}, err
	}
	av, err := h.authorityVolume(c.UserContext(), q, CompaniesShown)
	return q, av, err
}

func (h *handler) authorityVolumeJSON(c *fiber.Ctx) error {
	_, av, err := h.authorityVolumeOf(c)
	if err != nil {
		return err
	}
	return c.JSON(av)
}

type authorityDrillDownView struct {
	chartPage
	AuthorityDrillDown
	Name              string
	Filters           filterBar
	BackHref          string
	Rank, Change      string
	PerChannel, Reach WeekChart
	Attainment        *WeekChart
	CompanyLinks      bool // the reader may open /companies/CVR
	MoreCompanies     string
	Empty             string
	ReportHref        string // the authority's report for the period
}

func (h *handler) authorityVolumePage(c *fiber.Ctx) error {
	ctx := c.UserContext()
	v := authorityDrillDownView{Name: c.Params("cvr")}
	path := "/dashboards/volume/authorities/" + c.Params("cvr")
	v.Filters.Action = path
	q, av, err := h.authorityVolumeOf(c)
	if err != nil {
		return h.volumePageError(c, "dashboards_volume_authority", &v, &v.Filters, err)
	}
	lang := web.Language(c)
	v.AuthorityDrillDown, v.Name = av, authorityLabel(av.AuthorityName, av.AuthorityCVR)
	bar := q.Filters
	bar.Authority = "" // in the path
	if v.Filters, err = h.filterBar(ctx, c, path, "/api/v1/metrics/volume/authorities/"+av.AuthorityCVR, q.Period, bar, filterFields{}); err != nil {
		return err
	}
	v.BackHref = "/dashboards/volume?" + q.Filters.Query(q.Period).Encode()
	v.ReportHref = authorityReportHref(av.AuthorityCVR, q.Period)
	if av.Total.Rank > 0 {
		v.Rank = tf(lang, "volume.own_rank", av.Total.Rank, av.Ranked)
	}
	v.Change = signed(lang, float64(av.Total.Messages)-float64(av.Total.PreviousMessages), 0)
	if av.Total.Messages == 0 {
		v.Empty = tf(lang, "volume.empty_period", weeksText(q.Period.From.String(), q.Period.To.String()))
	}
	weeks := weekNames(q.Period.Range())
	digital, remote, reach, attained := make([]float64, len(weeks)), make([]float64, len(weeks)), make([]float64, len(weeks)), make([]float64, len(weeks))
	for i, w := range av.Weeks {
		digital[i], remote[i], reach[i] = float64(w.Digital), float64(w.RemotePrint), float64(w.Companies)
		if w.Attainment != nil {
			attained[i] = *w.Attainment
		}
	}
	v.PerChannel = WeekChart{ID: "volume-authority-channels", Title: tf(lang, "volume.chart_channels"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks,
		Series: []Series{{Name: tf(lang, "volume.digital"), Values: digital}, {Name: tf(lang, "volume.remote_print"), Values: remote}}}
	v.Reach = WeekChart{ID: "volume-authority-reach", Title: tf(lang, "volume.chart_reach"), Kind: BarChart, Unit: Count, Weeks: weeks,
		Series: []Series{{Name: tf(lang, "volume.companies"), Values: reach}}}
	if t := av.Total.WeeklyTarget; t != nil && *t > 0 {
		v.Attainment = &WeekChart{ID: "volume-authority-attainment", Title: tf(lang, "volume.chart_attainment"), Kind: LineChart, Unit: Percent, Weeks: weeks,
			Series: []Series{{Name: v.Name, Values: attained}}}
	}
	if pr := web.PrincipalOf(c); pr != nil && (pr.Role == auth.RoleAdmin || pr.Role == auth.RoleManager) {
		v.CompanyLinks = true
	}
	if n := av.CompaniesReached; n > uint64(len(av.Companies)) {
		v.MoreCompanies = tf(lang, "volume.more_companies", len(av.Companies), count(lang, n))
	}
	return h.srv.Render(c, "dashboards_volume_authority", web.PageData{Title: "volume.authority_title", Data: v})
}
