// Watching the steps: the backlog of pending batches (claimed, not yet
// marked stored) and its bound on /metrics.

package ingest

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// backlogCollector exports on /metrics what the ledger holds that is not
// yet marked stored in ClickHouse: acknowledged pushes on their way, or
// batches waiting for ClickHouse to come back; and the bound past which
// calls are refused.
type backlogCollector struct {
	ing                                            *Ingester
	batches, events, bytes, oldest, limEv, limByte *prometheus.Desc
}

// NewBacklogCollector exports the backlog of ing on /metrics.
func NewBacklogCollector(ing *Ingester) prometheus.Collector {
	return &backlogCollector{ing: ing,
		batches: prometheus.NewDesc("pilotpulse_ingest_pending_batches", "Ingest batches claimed in the ledger and not yet marked stored in ClickHouse.", nil, nil),
		events:  prometheus.NewDesc("pilotpulse_ingest_pending_events", "New events of the pending ingest batches.", nil, nil),
		bytes:   prometheus.NewDesc("pilotpulse_ingest_pending_bytes", "Bytes of the spooled events of the pending ingest batches.", nil, nil),
		oldest:  prometheus.NewDesc("pilotpulse_ingest_oldest_pending_seconds", "Age of the oldest pending ingest batch (0 when none).", nil, nil),
		limEv:   prometheus.NewDesc("pilotpulse_ingest_backlog_limit_events", "Pending events past which new events are refused (503).", nil, nil),
		limByte: prometheus.NewDesc("pilotpulse_ingest_backlog_limit_bytes", "Pending bytes past which new events are refused (503).", nil, nil),
	}
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.batches, c.events, c.bytes, c.oldest, c.limEv, c.limByte} {
		ch <- d
	}
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := c.ing.Backlog(ctx)
	if err != nil {
		return
	}
	for d, v := range map[*prometheus.Desc]int64{c.batches: b.Batches, c.events: b.Events, c.bytes: b.Bytes, c.limEv: b.Limit.Events, c.limByte: b.Limit.Bytes} {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v))
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, b.OldestSeconds)
}
