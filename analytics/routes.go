package analytics

import (
	"errors"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// Register adds the ingestion and figures routes: POST /api/v1/events and
// GET /api/v1/metrics/volume; pushes are bounded by limits.
func Register(srv *web.Server, ing *Ingester, limits PushLimits) error {
	counter := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pilotpulse_events_ingested_total",
		Help: "Usage events received through the push API, by outcome (accepted, duplicate, rejected)."}, []string{"outcome"})
	if err := srv.Metrics.Register(counter); err != nil {
		return err
	}
	if err := srv.Metrics.Register(newBacklogCollector(ing)); err != nil {
		return err
	}
	h := &pushHandler{ing: ing, limiter: newLimiter(limits.Rate), counter: counter, slots: make(chan struct{}, maxConcurrentPushes), wait: limits.Wait}
	srv.Router.Add(web.Route{Method: "POST", Path: "/api/v1/events", Roles: []auth.Role{auth.RoleSource, auth.RoleAdmin},
		Tag: "events", Summary: "Send usage events (NDJSON, JSON array or CSV; gzip accepted). A source token sends for its own source; an admin names an existing one with ?source=NAME. 200 means stored for good (durable in the ledger, in ClickHouse within the next insert); 503 with Retry-After means nothing was kept.",
		Query:   []string{"source"},
		Body:    []map[string]any{{"event_id": "e-1", "occurred_at": "2012-11-05T09:30:00+01:00", "type": "message.sent", "company_cvr": "10000009", "authority_cvr": "10000025", "channel": "digital", "has_metadata": true, "has_deep_link": false}},
		Returns: PushResult{Accepted: 1, Duplicates: 0, Rejected: []LineError{{Line: 2, Error: "occurred_at: not an RFC 3339 time with offset"}}},
		Handler: h.push})
	srv.Router.Add(web.Route{Method: "GET", Path: "/api/v1/metrics/volume", Roles: []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleAuthority},
		Tag: "figures", Summary: "Messages sent per authority and ISO week (Europe/Copenhagen), split by channel, with metadata and deep-link counts; an authority user sees only its own authority. from/to: ISO week (2012-W46) or date; default: the 12 weeks up to the newest week with messages.",
		Query:   []string{"from", "to"},
		Returns: []WeekVolume{{AuthorityCVR: "10000025", Week: "2012-W46", Monday: "2012-11-12", Messages: 120, Digital: 100, RemotePrint: 20, WithMetadata: 80, WithDeepLink: 30, Companies: 12}},
		Handler: func(c *fiber.Ctx) error {
			from, to, err := VolumeRange(c.UserContext(), ing.ch, web.ScopeOf(c), c.Query("from"), c.Query("to"))
			if errors.Is(err, ErrUnavailable) {
				return web.Unavailable("the event store (ClickHouse)", err)
			} else if err != nil {
				return web.BadRequest("%v", err)
			}
			out, err := VolumePerAuthorityWeek(c.UserContext(), ing.ch, web.ScopeOf(c), from, to)
			if err != nil {
				if errors.Is(err, ErrUnavailable) {
					return web.Unavailable("the event store (ClickHouse)", err)
				}
				return err
			}
			if out == nil {
				out = []WeekVolume{}
			}
			return c.JSON(out)
		}})
	return nil
}
