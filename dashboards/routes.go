// Package dashboards holds the pages that chart and tabulate the pilot's
// figures. Each page reads its figure through the one function that
// computes it (analytics, support, survey), with the request's authority
// scope, so a page, its JSON twin under /api/v1/metrics and an Excel sheet
// show the same numbers. Pages: the pilot overview (the start page, per
// role) and content volume per authority.
package dashboards

import (
	"embed"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

//go:embed all:templates
var templates embed.FS

// Deps is what the dashboards read.
type Deps struct {
	CH       driver.Conn
	Volume   *figures.Volume // the weekly volume figures
	Registry *registry.Store
	Support  *support.Store
	Survey   *survey.Store
}

type handler struct {
	srv *web.Server
	Deps
}

// Register adds the dashboard pages.
func Register(srv *web.Server, d Deps) error {
	if err := srv.Views().Add(templates); err != nil {
		return err
	}
	h := &handler{srv: srv, Deps: d}
	// Volume per authority (volume*.go).
	volumeReaders := []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority}
	volumeQuery := []string{"period", "from", "to", "authority", "authority_kind"}
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/volume", Roles: volumeReaders,
		Summary: "Content volume per authority: messages per week by authority and channel, attainment of the weekly targets, the ranking of the authorities", Nav: "nav.volume", NavOrder: 5, Handler: h.volumePage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/volume/authorities/:cvr", Roles: volumeReaders,
		Summary: "One authority's volume: its weeks, its place in the ranking, the companies it reached", Handler: h.authorityVolumePage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume", Roles: volumeReaders, Tag: "figures",
		Summary: "Messages sent per authority and ISO week (Europe/Copenhagen) with messages, split by channel, with metadata and deep-link counts and shares, companies reached (exact) and attainment of the weekly target; an authority user sees only its own authority. period=latest|4w|pilot or from/to: ISO week (2012-W46) or date; default: the newest week with messages. authority=CVR, authority_kind=state|municipality|region.",
		Query:   volumeQuery, Returns: []VolumeWeek{volumeWeekExample()}, Handler: h.volumeJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume/ranking", Roles: volumeReaders, Tag: "figures",
		Summary: "The authorities ranked by messages sent in the period, with channels, shares, attainment and the previous period; an authority user gets its own row and its rank among all authorities, never another's. Parameters as /api/v1/metrics/volume.",
		Query:   volumeQuery, Returns: VolumeRanking{Ranked: 12, Rows: []VolumeRank{volumeRankExample()}}, Handler: h.volumeRankingJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume/authorities/:cvr", Roles: volumeReaders, Tag: "figures",
		Summary: "One authority's volume for the period: every week (also those without messages), its ranking row, the exact number of companies reached and the first 200 of them with their messages. Another authority's CVR is 404 for an authority user.",
		Query:   []string{"period", "from", "to", "authority_kind"}, Returns: AuthorityDrillDown{AuthorityCVR: "10000025", Total: volumeRankExample(), Ranked: 12, Weeks: []VolumeWeek{volumeWeekExample()}, CompaniesReached: 12, Companies: []CompanyReached{{CompanyVolume: figures.CompanyVolume{CompanyCVR: "10000050", Messages: 3, Digital: 2, RemotePrint: 1, WithMetadata: 2, WithDeepLink: 1, Weeks: 2}, Name: "Nordsø Shipping A/S"}}},
		Handler: h.authorityVolumeJSON})
	srv.SetHome(h.overviewPage)
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/overview", Roles: web.UserRolesAll, Tag: "figures",
		Summary: "The pilot overview of the start page, per role: for admins and managers the pilot's figures (companies, setup-problem rate per week and cumulative, calling companies, calls by category, share not solved per desk, response rate, third-party access, messages per authority); for an authority user (or ?authority=CVR) its messages against its weekly target; for support staff today's and the week's calls and the open follow-ups. week: ISO week (2012-W46) or date; default: the newest week with data.",
		Query:   []string{"week", "authority"}, Returns: overviewExample(), Handler: h.overviewJSON})
	return nil
}
