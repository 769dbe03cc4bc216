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
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/volume", Roles: []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority},
		Summary: "Content volume per authority and week", Nav: "nav.volume", NavOrder: 5, Handler: h.volumePage})
	srv.SetHome(h.overviewPage)
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/overview", Roles: web.UserRolesAll, Tag: "figures",
		Summary: "The pilot overview of the start page, per role: for admins and managers the pilot's figures (companies, setup-problem rate per week and cumulative, calling companies, calls by category, share not solved per desk, response rate, third-party access, messages per authority); for an authority user (or ?authority=CVR) its messages against its weekly target; for support staff today's and the week's calls and the open follow-ups. week: ISO week (2012-W46) or date; default: the newest week with data.",
		Query:   []string{"week", "authority"}, Returns: overviewExample(), Handler: h.overviewJSON})
	return nil
}
