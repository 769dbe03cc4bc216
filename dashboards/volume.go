package dashboards

import (
	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// volumeRow is one authority's week, with its shares and target.
type volumeRow struct {
	figures.WeekVolume
	MetadataShare *float64 // percent; nil when no messages
	DeepLinkShare *float64
	Target        *int64
	OfTarget      *float64 // percent of the weekly target reached
}

type authorityVolume struct {
	Authority registry.Authority
	Weeks     []volumeRow
	Total     uint64
}

type volumeView struct {
	chartPage
	From, To    string // ISO weeks shown
	Authorities []authorityVolume
	// PerAuthority charts messages per week, a series per authority;
	// PerChannel the same messages by channel.
	PerAuthority, PerChannel WeekChart
	APIQuery                 string
}

// share is part of whole in percent, nil when whole is zero.
func share(part, whole uint64) *float64 {
	if whole == 0 {
		return nil
	}
	s := 100 * float64(part) / float64(whole)
	return &s
}

func (h *handler) volumePage(c *fiber.Ctx) error {
	scope := web.ScopeOf(c)
	ctx := c.UserContext()
	r, err := figures.VolumeRange(ctx, h.CH, scope, c.Query("from"), c.Query("to"))
	if fs, ok := problem.AsFields(err); ok { // the form again, the parameter at fault marked
		c.Status(fiber.StatusBadRequest)
		return h.srv.Render(c, "dashboards_volume", web.PageData{Title: "volume.title", Data: volumeView{}, Fields: fs,
			Errors: map[string]string{"form": "form.errors"}, Form: map[string]string{"from": c.Query("from"), "to": c.Query("to")}})
	} else if err != nil {
		return err
	}
	weeks, err := figures.VolumePerAuthorityWeek(ctx, h.CH, scope, r)
	if err != nil {
		return err
	}
	known, err := h.Registry.Authorities(ctx, scope, "")
	if err != nil {
		return err
	}
	byCVR := map[string]*authorityVolume{}
	var order []string
	for _, a := range known {
		byCVR[a.CVR] = &authorityVolume{Authority: a}
		order = append(order, a.CVR)
	}
	for _, w := range weeks {
		av, ok := byCVR[w.AuthorityCVR]
		if !ok { // events from an authority not (yet) in the registry
			av = &authorityVolume{Authority: registry.Authority{CVR: w.AuthorityCVR}}
			byCVR[w.AuthorityCVR] = av
			order = append(order, w.AuthorityCVR)
		}
		row := volumeRow{WeekVolume: w, MetadataShare: share(w.WithMetadata, w.Messages), DeepLinkShare: share(w.WithDeepLink, w.Messages),
			Target: av.Authority.WeeklyTarget}
		if t := av.Authority.WeeklyTarget; t != nil && *t > 0 {
			row.OfTarget = share(w.Messages, uint64(*t))
		}
		av.Weeks = append(av.Weeks, row)
		av.Total += w.Messages
	}
	v := volumeView{From: r.From.String(), To: r.To.String()}
	v.APIQuery = "from=" + v.From + "&to=" + v.To
	for _, cvr := range order {
		v.Authorities = append(v.Authorities, *byCVR[cvr])
	}
	lang := web.Language(c)
	v.PerAuthority, v.PerChannel = volumeCharts(lang, weekNames(r), v.Authorities)
	return h.srv.Render(c, "dashboards_volume", web.PageData{Title: "volume.title", Data: v,
		Form: map[string]string{"from": c.Query("from", v.From), "to": c.Query("to", v.To)}})
}

// volumeCharts charts the messages per week: a series per authority, and
// the same messages by channel.
func volumeCharts(lang string, weeks []string, authorities []authorityVolume) (perAuthority, perChannel WeekChart) {
	at := make(map[string]int, len(weeks))
	for i, w := range weeks {
		at[w] = i
	}
	perAuthority = WeekChart{ID: "volume-authorities", Title: web.Translate(lang, "volume.chart_authorities"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks}
	digital, remote := make([]float64, len(weeks)), make([]float64, len(weeks))
	for _, a := range authorities {
		name := a.Authority.Name
		if name == "" {
			name = "CVR " + a.Authority.CVR
		}
		values := make([]float64, len(weeks))
		for _, w := range a.Weeks {
			if i, ok := at[w.Week]; ok {
				values[i] += float64(w.Messages)
				digital[i] += float64(w.Digital)
				remote[i] += float64(w.RemotePrint)
			}
		}
		perAuthority.Series = append(perAuthority.Series, Series{Name: name, Values: values})
	}
	perChannel = WeekChart{ID: "volume-channels", Title: web.Translate(lang, "volume.chart_channels"), Kind: BarChart, Stacked: true, Unit: Count, Weeks: weeks,
		Series: []Series{{Name: web.Translate(lang, "volume.digital"), Values: digital}, {Name: web.Translate(lang, "volume.remote_print"), Values: remote}}}
	return perAuthority, perChannel
}
