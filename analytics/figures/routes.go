package figures

import (
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// Register adds the figures route GET /api/v1/metrics/volume, read from ch.
func Register(srv *web.Server, ch driver.Conn) error {
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume", Roles: []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority},
		Tag: "figures", Summary: "Messages sent per authority and ISO week (Europe/Copenhagen), split by channel, with metadata and deep-link counts; an authority user sees only its own authority. from/to: ISO week (2012-W46) or date; default: the 12 weeks up to the newest week with messages.",
		Query:   []string{"from", "to"},
		Returns: []WeekVolume{{AuthorityCVR: "10000025", Week: "2012-W46", Monday: "2012-11-12", Messages: 120, Digital: 100, RemotePrint: 20, WithMetadata: 80, WithDeepLink: 30, Companies: 12}},
		Handler: func(c *fiber.Ctx) error {
			r, err := VolumeRange(c.UserContext(), ch, web.ScopeOf(c), c.Query("from"), c.Query("to"))
			if err != nil {
				return err
			}
			out, err := VolumePerAuthorityWeek(c.UserContext(), ch, web.ScopeOf(c), r)
			if err != nil {
				return err
			}
			if out == nil {
				out = []WeekVolume{}
			}
			return c.JSON(out)
		}})
	return nil
}
