package sources

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
)

func TestParseFeedPageIsStrict(t *testing.T) {
	bad := map[string]string{
		`<html>`:                           "not a JSON object",
		`[]`:                               "not a JSON object",
		``:                                 "not a JSON object",
		`{"next": "1", "has_more": false}`: `no "events"`,
		`{"events": null, "next": "1", "has_more": false}`: `"events" is null`,
		`{"events": {}, "next": "1", "has_more": false}`:   `"events" is not an array`,
		`{"events": [], "has_more": false}`:                `no "next"`,
		`{"events": [], "next": 3, "has_more": false}`:     `"next" is not a string`,
		`{"events": [], "next": "3"}`:                      `no "has_more"`,
		`{"events": [], "next": "3", "has_more": "no"}`:    `"has_more" is not true or false`,
		`{"events": [{}], "next": "", "has_more": false}`:  `"next" is empty`,
		`{"events": [], "next": "", "has_more": true}`:     `"next" is empty`,
		`{"events": [], "next": "3", "has_more": false} x`: "not a JSON object",
	}
	for body, want := range bad {
		_, err := parseFeedPage([]byte(body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", body, err, want)
		}
	}
	p, err := parseFeedPage([]byte(`{"events": [{"event_id": "a"}, 7], "next": "c2", "has_more": true, "server": "x"}`))
	if err != nil || len(p.Events) != 2 || p.Next != "c2" || !p.HasMore {
		t.Errorf("good page: %+v %v", p, err)
	}
	if p, err := parseFeedPage([]byte(`{"events": [], "next": "", "has_more": false}`)); err != nil || p.Next != "" {
		t.Errorf("empty feed: %+v %v", p, err)
	}
}

func TestFetchPageHonoursRetryAfter(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	p := NewPuller(nil, nil, analyticstest.QuietLogger(), PullOptions{Client: LocalReach(t).feedClient()})
	_, err := p.fetchPage(context.Background(), Source{URL: srv.URL, BatchLimit: 10}, nil)
	var ra retryAfterError
	if !errors.As(err, &ra) || ra.after != 7*time.Second || !strings.Contains(err.Error(), "429") {
		t.Fatalf("error %v", err)
	}
}

// A broken answer is quoted in the last error as it reads: no JSON-escaped
// quotes, no line breaks.
func TestSnippetReadsAsText(t *testing.T) {
	for in, want := range map[string]string{
		`{"events": [garbage`: `“{"events": [garbage”`,
		"line one\nline\ttwo": "“line one line two”",
		"   ":                 "(empty)",
	} {
		if got := snippet([]byte(in)); got != want {
			t.Errorf("snippet(%q) = %s, want %s", in, got, want)
		}
	}
}
