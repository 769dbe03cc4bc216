// Watching the steps: the backlog of pending batches (claimed, not yet
// marked stored) on /metrics.

package ingest

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// backlogCollector exports on /metrics what the ledger holds that is not
// yet marked stored in ClickHouse: acknowledged pushes on their way, or
// batches waiting for ClickHouse to come back.
type backlogCollector struct {
	ing                     *Ingester
	batches, events, oldest *prometheus.Desc
}

// NewBacklogCollector exports the backlog of ing on /metrics.
func NewBacklogCollector(ing *Ingester) prometheus.Collector {
	return &backlogCollector{ing: ing,
		batches: prometheus.NewDesc("pilotpulse_ingest_pending_batches", "Ingest batches claimed in the ledger and not yet marked stored in ClickHouse.", nil, nil),
		events:  prometheus.NewDesc("pilotpulse_ingest_pending_events", "New events of the pending ingest batches.", nil, nil),
		oldest:  prometheus.NewDesc("pilotpulse_ingest_oldest_pending_seconds", "Age of the oldest pending ingest batch (0 when none).", nil, nil),
	}
}

func (c *backlogCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.batches
	ch <- c.events
	ch <- c.oldest
}

func (c *backlogCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	b, err := c.ing.Backlog(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(c.batches, prometheus.GaugeValue, float64(b.Batches))
	ch <- prometheus.MustNewConstMetric(c.events, prometheus.GaugeValue, float64(b.Events))
	age := 0.0
	if b.Batches > 0 {
		age = max(0, c.ing.now().Sub(b.Oldest).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}

// Backlog is what the ledger holds that is not yet marked stored.
type Backlog struct {
	Batches, Events int64
	Oldest          time.Time // when the oldest pending batch was claimed (zero when none)
}

// Backlog reports the pending batches of every source.
func (i *Ingester) Backlog(ctx context.Context) (Backlog, error) {
	var b Backlog
	var first *int64
	if err := i.db.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(events), 0), min(id) FROM ingest_batches WHERE state = 'pending'`).
		Scan(&b.Batches, &b.Events, &first); err != nil || first == nil {
		return b, err
	}
	err := i.db.QueryRowContext(ctx, `SELECT created_at FROM ingest_batches WHERE id = ?`, *first).Scan(&b.Oldest)
	return b, err
}
