// Package dashboards holds the pages that chart and tabulate the pilot's
// figures. Each page reads its figure through the one function that
// computes it (analytics, support, survey), with the request's authority
// scope, so a page, its JSON twin under /api/v1/metrics and an Excel sheet
// show the same numbers. First page: content volume per authority.
package dashboards

import (
	"embed"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

//go:embed all:templates
var templates embed.FS

// Deps is what the dashboards read.
type Deps struct {
	CH       driver.Conn
	Registry *registry.Store
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
	return nil
}
