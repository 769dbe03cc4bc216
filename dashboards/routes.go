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
	// Setup problems and the follow-up list (company figures: no authority users).
	companyReaders := []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleSupport}
	srv.Router.Add(web.Route{Method: "GET", Path: setupPath, Roles: companyReaders, Summary: "Setup problems per week from the three sources, the companies with a problem, setup times and the follow-up list",
		Nav: "nav.setup_problems", NavOrder: 2, Handler: h.setupPage})
	srv.Router.Add(web.Route{Method: "GET", Path: followUpsPath, Roles: companyReaders, Summary: "The companies to interview in the period's last week, and why",
		Nav: "nav.follow_ups", NavOrder: 2, Handler: h.followUpsPage})
	srv.Router.Add(web.Route{Method: "GET", Path: setupAPIPath, Roles: companyReaders, Tag: "figures",
		Summary: "Setup problems per week of the period: companies with a problem from questionnaire answers, support calls in setup categories and mailbox.setup_failed events (by kind of problem, category and reason), the same for the period and the previous period, the companies and their sources, and the time from setup started to completed. Company figures: not for authority users; authority= is refused. Period: period=latest|4w|pilot or from/to weeks; kind= (default company: the denominator), cohort=.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: setupExample(), Handler: h.setupJSON})
	srv.Router.Add(web.Route{Method: "GET", Path: followUpsAPIPath, Roles: companyReaders, Tag: "figures",
		Summary: "The follow-up list of the period's last week: companies with a new setup problem (none the week before), an unresolved support call, or no answer two waves running, each with every reason that applies and where to record the interview. Same parameters as setup-problems.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: followUpsExample(), Handler: h.followUpsJSON})
	srv.SetHome(h.overviewPage)
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/overview", Roles: web.UserRolesAll, Tag: "figures",
		Summary: "The pilot overview of the start page, per role: for admins and managers the pilot's figures (companies, setup-problem rate per week and cumulative, calling companies, calls by category, share not solved per desk, response rate, third-party access, messages per authority); for an authority user (or ?authority=CVR) its messages against its weekly target; for support staff today's and the week's calls and the open follow-ups. week: ISO week (2012-W46) or date; default: the newest week with data.",
		Query:   []string{"week", "authority"}, Returns: overviewExample(), Handler: h.overviewJSON})
	return nil
}
