package sources

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
)

// /metrics has each source's duplicates, lag, newest event and last error
// (with its time), as the README promises; a pulled source that also took
// a push has its push counts.
func TestSourceMetricsHaveLagNewestEventAndLastError(t *testing.T) {
	ctx := context.Background()
	s := NewSources(analyticstest.NewDB(t, t.TempDir())).Within(LocalReach(t))
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	src, err := s.Create(ctx, SourceInput{Name: "feed", Kind: KindHTTPFeed, URL: "http://127.0.0.1:1/events"})
	if err != nil {
		t.Fatal(err)
	}
	newest := time.Date(2012, 11, 6, 10, 30, 0, 0, time.UTC)
	if err := s.recordStored(ctx, src.ID, true, "c1", progress{Accepted: 5, Duplicates: 2, Rejected: 1, Newest: newest}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(90 * time.Second)
	msg := `feed answered 502: "bad gateway" ` + strings.Repeat("x", 300)
	if _, err := s.recordFailure(ctx, src.ID, msg, func(int) time.Duration { return time.Minute }); err != nil {
		t.Fatal(err)
	}
	if err := s.recordPush(ctx, "feed", progress{Accepted: 2, Duplicates: 1}); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(newSourceCollector(s)); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	var errorLabel string
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key := f.GetName()
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "error":
					errorLabel = l.GetValue()
				case "outcome":
					key += "/" + l.GetValue()
				}
			}
			got[key] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{
		"pilotpulse_source_events_pulled_total":            7,
		"pilotpulse_source_events_duplicate_total":         2,
		"pilotpulse_source_events_rejected_total":          1,
		"pilotpulse_source_consecutive_failures":           1,
		"pilotpulse_source_lag_seconds":                    90,
		"pilotpulse_source_newest_event_timestamp_seconds": float64(newest.Unix()),
		"pilotpulse_source_last_error_timestamp_seconds":   float64(now.Unix()),
		"pilotpulse_source_last_error_info":                1,
		"pilotpulse_source_events_pushed_total/accepted":   2,
		"pilotpulse_source_events_pushed_total/duplicate":  1,
		"pilotpulse_source_events_pushed_total/rejected":   0,
	}
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
	if !strings.HasPrefix(errorLabel, `feed answered 502: "bad gateway" xxx`) || len([]rune(errorLabel)) != 200 {
		t.Errorf("error label %q (%d characters)", errorLabel, len([]rune(errorLabel)))
	}
}
