package sources

import (
	"context"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// sourceCollector exports each source's status on /metrics, read from the
// sources table at scrape time: the pull figures of pulled sources, the
// push counts of sources that take pushes, and for every source its lag,
// newest event and last error.
type sourceCollector struct {
	sources                             *Sources
	pulled, rejected, failures, success *prometheus.Desc
	duplicates, pushed                  *prometheus.Desc
	lag, newest, errorAt, errorInfo     *prometheus.Desc
	flapping                            *prometheus.Desc
}

func newSourceCollector(s *Sources) *sourceCollector {
	l := []string{"source", "kind"}
	return &sourceCollector{sources: s,
		pulled:     prometheus.NewDesc("pilotpulse_source_events_pulled_total", "Valid events taken from a pulled source and stored.", l, nil),
		duplicates: prometheus.NewDesc("pilotpulse_source_events_duplicate_total", "Valid events taken from a pulled source that were stored already.", l, nil),
		rejected:   prometheus.NewDesc("pilotpulse_source_events_rejected_total", "Invalid events a pulled source delivered.", l, nil),
		failures:   prometheus.NewDesc("pilotpulse_source_consecutive_failures", "Failed pull attempts in a row (0: healthy).", l, nil),
		success:    prometheus.NewDesc("pilotpulse_source_last_success_timestamp_seconds", "When the source was last pulled successfully (Unix time).", l, nil),
		pushed: prometheus.NewDesc("pilotpulse_source_events_pushed_total",
			"Events pushed for the source (POST /api/v1/events), by outcome: accepted (new), duplicate, rejected.", append(l, "outcome"), nil),
		lag:     prometheus.NewDesc("pilotpulse_source_lag_seconds", "Seconds since the source's last success (a push source: its last push).", l, nil),
		newest:  prometheus.NewDesc("pilotpulse_source_newest_event_timestamp_seconds", "The newest occurred_at among the source's stored events (Unix time).", l, nil),
		errorAt: prometheus.NewDesc("pilotpulse_source_last_error_timestamp_seconds", "When the source's last error happened (Unix time).", l, nil),
		errorInfo: prometheus.NewDesc("pilotpulse_source_last_error_info",
			"The source's last error as the label error (at most 200 characters); always 1.", append(l, "error"), nil),
		flapping: prometheus.NewDesc("pilotpulse_source_flapping", "1 when the source's recent pulls alternate between success and failure (docs/events.md#source-health), else 0.", l, nil),
	}
}

func (c *sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.pulled, c.duplicates, c.rejected, c.failures, c.success, c.pushed, c.lag, c.newest, c.errorAt, c.errorInfo, c.flapping} {
		ch <- d
	}
}

func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	srcs, err := c.sources.List(ctx)
	if err != nil {
		return
	}
	for _, s := range srcs {
		st := s.Status
		gauge := func(d *prometheus.Desc, v float64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, append([]string{s.Name, s.Kind}, labels...)...)
		}
		counter := func(d *prometheus.Desc, v int64, labels ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append([]string{s.Name, s.Kind}, labels...)...)
		}
		if s.Pulled() {
			counter(c.pulled, st.EventsPulled)
			counter(c.duplicates, st.EventsDuplicate)
			counter(c.rejected, st.EventsRejected)
			gauge(c.failures, float64(st.ConsecutiveFailures))
			gauge(c.flapping, flag(st.Health == HealthFlapping))
			if st.LastSuccessAt != nil {
				gauge(c.success, float64(st.LastSuccessAt.Unix()))
			}
		}
		if !s.Pulled() || st.Pushed.LastAt != nil {
			counter(c.pushed, st.Pushed.Accepted, "accepted")
			counter(c.pushed, st.Pushed.Duplicates, "duplicate")
			counter(c.pushed, st.Pushed.Rejected, "rejected")
		}
		if st.LagSeconds != nil {
			gauge(c.lag, float64(*st.LagSeconds))
		}
		if st.NewestEventAt != nil {
			gauge(c.newest, float64(st.NewestEventAt.Unix()))
		}
		if st.LastError != "" {
			if st.LastErrorAt != nil {
				gauge(c.errorAt, float64(st.LastErrorAt.Unix()))
			}
			gauge(c.errorInfo, 1, clipLabel(st.LastError, 200))
		}
	}
}

// clipLabel shortens s to at most n characters (a label value).
func clipLabel(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
