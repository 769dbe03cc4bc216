package sources

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// sourceCollector exports each pulled source's status on /metrics, read
// from the sources table at scrape time.
type sourceCollector struct {
	sources                             *Sources
	pulled, rejected, failures, success *prometheus.Desc
	flapping                            *prometheus.Desc
}

func newSourceCollector(s *Sources) *sourceCollector {
	l := []string{"source", "kind"}
	return &sourceCollector{sources: s,
		pulled:   prometheus.NewDesc("pilotpulse_source_events_pulled_total", "Valid events taken from a pulled source and stored.", l, nil),
		rejected: prometheus.NewDesc("pilotpulse_source_events_rejected_total", "Invalid events a pulled source delivered.", l, nil),
		failures: prometheus.NewDesc("pilotpulse_source_consecutive_failures", "Failed pull attempts in a row (0: healthy).", l, nil),
		success:  prometheus.NewDesc("pilotpulse_source_last_success_timestamp_seconds", "When the source was last pulled successfully (Unix time).", l, nil),
		flapping: prometheus.NewDesc("pilotpulse_source_flapping", "1 when the source's recent pulls alternate between success and failure (docs/events.md#source-health), else 0.", l, nil),
	}
}

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.pulled
	ch <- c.rejected
	ch <- c.failures
	ch <- c.success
	ch <- c.flapping
}

func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srcs, err := c.sources.List(ctx)
	if err != nil {
		return
	}
	for _, s := range srcs {
		if !s.Pulled() {
			continue
		}
		ch <- prometheus.MustNewConstMetric(c.pulled, prometheus.CounterValue, float64(s.Status.EventsPulled), s.Name, s.Kind)
		ch <- prometheus.MustNewConstMetric(c.rejected, prometheus.CounterValue, float64(s.Status.EventsRejected), s.Name, s.Kind)
		ch <- prometheus.MustNewConstMetric(c.failures, prometheus.GaugeValue, float64(s.Status.ConsecutiveFailures), s.Name, s.Kind)
		ch <- prometheus.MustNewConstMetric(c.flapping, prometheus.GaugeValue, flag(s.Status.Health == HealthFlapping), s.Name, s.Kind)
		if s.Status.LastSuccessAt != nil {
			ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, float64(s.Status.LastSuccessAt.Unix()), s.Name, s.Kind)
		}
	}
}
