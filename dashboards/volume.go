package dashboards

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// volumeRow is one authority's week, with its shares and target.
type volumeRow struct {
	figures.WeekVolume
	MetadataShare string // "62.5 %", "" when no messages
	DeepLinkShare string
	Target        *int64
	OfTarget      string // share of the weekly target reached
}

type authorityVolume struct {
	Authority registry.Authority
	Weeks     []volumeRow
	Total     uint64
}

type volumeView struct {
	From, To    string // ISO weeks shown
	Authorities []authorityVolume
	APIQuery    string
}

func share(part, whole uint64) string {
	if whole == 0 {
		return ""
	}
	return fmt.Sprintf("%.1f %%", 100*float64(part)/float64(whole))
}

func (h *handler) volumePage(c *fiber.Ctx) error {
	scope := web.ScopeOf(c)
	ctx := c.UserContext()
	from, to, err := figures.VolumeRange(ctx, h.CH, scope, c.Query("from"), c.Query("to"))
	if errors.Is(err, ingest.ErrUnavailable) {
		return web.Unavailable("the event store (ClickHouse)", err)
	} else if err != nil {
		return web.BadRequest("%v", err)
	}
	weeks, err := figures.VolumePerAuthorityWeek(ctx, h.CH, scope, from, to)
	if err != nil {
		return web.Unavailable("the event store (ClickHouse)", err)
	}
	known, err := h.Registry.Authorities(ctx, scope, "")
	if err != nil {
		return web.Unavailable("the app database", err)
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
	v := volumeView{From: figures.ISOWeek(from), To: figures.ISOWeek(to)}
	v.APIQuery = "from=" + v.From + "&to=" + v.To
	for _, cvr := range order {
		v.Authorities = append(v.Authorities, *byCVR[cvr])
	}
	return h.srv.Render(c, "dashboards_volume", web.PageData{Title: "volume.title", Data: v,
		Form: map[string]string{"from": c.Query("from", v.From), "to": c.Query("to", v.To)}})
}
