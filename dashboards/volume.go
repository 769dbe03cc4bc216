package dashboards

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

// volumeRow is one authority's week, with its shares and target.
type volumeRow struct {
	analytics.WeekVolume
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

// outage marks analytics' ErrUnavailable as the outage it is (503); to go
// when analytics.ErrUnavailable wraps problem.ErrUnavailable itself.
func outage(err error) error {
	if errors.Is(err, analytics.ErrUnavailable) {
		return fmt.Errorf("%w: %w", problem.ErrUnavailable, err)
	}
	return err
}

func (h *handler) volumePage(c *fiber.Ctx) error {
	scope := web.ScopeOf(c)
	ctx := c.UserContext()
	from, to, err := analytics.VolumeRange(ctx, h.CH, scope, c.Query("from"), c.Query("to"))
	if errors.Is(err, analytics.ErrUnavailable) {
		return outage(err)
	} else if err != nil {
		return web.BadRequest("%v", err) // analytics' text, untranslated until analytics speaks package problem
	}
	weeks, err := analytics.VolumePerAuthorityWeek(ctx, h.CH, scope, from, to)
	if err != nil {
		return outage(err)
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
	v := volumeView{From: analytics.ISOWeek(from), To: analytics.ISOWeek(to)}
	v.APIQuery = "from=" + v.From + "&to=" + v.To
	for _, cvr := range order {
		v.Authorities = append(v.Authorities, *byCVR[cvr])
	}
	return h.srv.Render(c, "dashboards_volume", web.PageData{Title: "volume.title", Data: v,
		Form: map[string]string{"from": c.Query("from", v.From), "to": c.Query("to", v.To)}})
}
