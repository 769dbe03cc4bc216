package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// With PILOTPULSE_METRICS_ADDR, /metrics is served there only: the public
// address answers 404 for it.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	requireClickHouse(t)
	metricsAddr := freeAddr(t)
	s := startServe(t, buildBinary(t), t.TempDir(), "PILOTPULSE_METRICS_ADDR="+metricsAddr)
	get := func(url string) (int, string) {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatalf("GET %s: %v", url, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("http://" + s.addr + "/healthz"); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	if code, body := get("http://" + s.addr + "/metrics"); code != http.StatusNotFound {
		t.Fatalf("/metrics on the public address: %d %.200s, want 404", code, body)
	}
	code, body := get("http://" + metricsAddr + "/metrics")
	if code != 200 || !strings.Contains(body, `pilotpulse_http_requests_total{method="GET",route="/healthz",status="OK"} 1`) {
		t.Fatalf("/metrics on %s: %d %.500s", metricsAddr, code, body)
	}
	if code, _ := get("http://" + metricsAddr + "/healthz"); code != http.StatusNotFound {
		t.Fatalf("the metrics address serves more than /metrics: %d", code)
	}
}
