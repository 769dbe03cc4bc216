// Package dashboards holds the pages that chart and tabulate the pilot's
// figures. Each page reads its figure through the one function that
// computes it (analytics, support, survey), with the request's authority
// scope, so a page, its JSON twin under /api/v1/metrics and an Excel sheet
// show the same numbers. Pages: the pilot overview (the start page, per
// role), content volume per authority, wishes (with the admin's keyword
// rules) and the week in review.
package dashboards

import (
	"embed"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
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
	// DB holds the wishes' keyword rules; Audit records their changes.
	DB    *store.DB
	Audit *audit.Log
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
		Query:   []string{"period", "from", "to", "week", "kind", "cohort", "authority"}, Returns: overviewExample(), Handler: jsonOf(h.overviewOf)})

	// Wishes and the week in review (issue 10, items 6 and 7).
	pilotRoles := []auth.Role{auth.RoleAdmin, auth.RoleManager}
	admin := []auth.Role{auth.RoleAdmin}
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/wishes", Roles: pilotRoles,
		Summary: "Wishes: how often each wish comes up in answers, interviews and support calls, with the quotes", Nav: "nav.wishes", NavOrder: 7, Handler: h.wishesPage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/wishes", Roles: pilotRoles, Tag: "figures",
		Summary: "Wishes of the period (docs/figures.md#wishes): per keyword rule the mentions in multiple-choice answers, free-text answers, interview notes and support-call notes, against the previous period, the companies and the quotes with their matches marked. period=latest|4w|pilot or from/to (ISO weeks); kind, cohort filter the companies.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: wishesExample(), Handler: jsonOf(h.wishesOf)})
	srv.Router.Add(web.Route{Method: "GET", Path: "/dashboards/week-in-review", Roles: pilotRoles,
		Summary: "Week in review: the period's findings as a short text for the minutes", Nav: "nav.week_in_review", NavOrder: 8, Handler: h.reviewPage})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/week-in-review", Roles: pilotRoles, Tag: "figures",
		Summary: "Week in review (docs/figures.md#week-in-review): the period's findings as sentences in the reader's language, from the overview's figures and the top wishes; only figures with data. period=latest|4w|pilot or from/to; kind, cohort.",
		Query:   []string{"period", "from", "to", "kind", "cohort"}, Returns: reviewExample(), Handler: jsonOf(h.review)})
	srv.Router.Add(web.Route{Method: "GET", Path: "/admin/wishes", Roles: admin, Summary: "The wishes' keyword rules", Nav: "nav.wish_rules", NavOrder: 83, Handler: h.wishRulesPage})
	srv.Router.Add(web.Route{Method: "POST", Path: "/admin/wishes", Roles: admin, Summary: "Add a wish rule", Handler: h.createWishRuleForm})
	srv.Router.Add(web.Route{Method: "POST", Path: "/admin/wishes/:id", Roles: admin, Summary: "Change a wish rule", Handler: h.updateWishRuleForm})
	srv.Router.Add(web.Route{Method: "POST", Path: "/admin/wishes/:id/delete", Roles: admin, Summary: "Delete a wish rule", Handler: h.deleteWishRuleForm})
	return nil
}
