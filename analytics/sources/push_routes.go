package sources

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// RegisterPush adds the push route POST /api/v1/events: events of the
// sources, stored by ing, bounded by limits.
func RegisterPush(srv *web.Server, sources *Sources, ing *ingest.Ingester, limits PushLimits) error {
	counter := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pilotpulse_events_ingested_total",
		Help: "Usage events received through the push API, by outcome (accepted, duplicate, rejected)."}, []string{"outcome"})
	if err := srv.Metrics.Register(counter); err != nil {
		return err
	}
	if err := srv.Metrics.Register(ingest.NewBacklogCollector(ing)); err != nil {
		return err
	}
	h := &pushHandler{ing: ing, sources: sources, limiter: newLimiter(limits.Rate), counter: counter, slots: make(chan struct{}, maxConcurrentPushes), wait: limits.Wait}
	srv.Router.Add(web.Route{Method: "POST", Path: "/api/v1/events", Roles: []auth.Role{auth.RoleSource, auth.RoleAdmin}, LargeBody: true,
		Tag: "events", Summary: "Send usage events (NDJSON, JSON array or CSV; gzip accepted). A source token sends for its own source; an admin names an existing one with ?source=NAME. 200 means stored for good (durable in the ledger, in ClickHouse within the next insert); 503 with Retry-After means nothing was kept. " +
			"The body is stored in parts of 5,000 events or 4 MiB decompressed, each durable before the next is read. A push that stops part way " +
			"(413 past 64 MiB decompressed; 400 for a gzip body cut off, an unreadable body or more than 10,000 rejected lines; 503 after an earlier part was stored) " +
			"answers {\"error\", \"accepted\", \"duplicates\", \"rejected\", \"stopped_at_line\"}: every line before stopped_at_line was stored, a duplicate or rejected, none from it on. Sending the whole body again is safe.",
		Query:   []string{"source"},
		Body:    []map[string]any{{"event_id": "e-1", "occurred_at": "2012-11-05T09:30:00+01:00", "type": "message.sent", "company_cvr": "10000009", "authority_cvr": "10000025", "channel": "digital", "has_metadata": true, "has_deep_link": false}},
		Returns: PushResult{Accepted: 1, Duplicates: 0, Rejected: []event.LineError{{Line: 2, Error: "occurred_at: not an RFC 3339 time with offset"}}},
		Handler: h.push})
	return nil
}
