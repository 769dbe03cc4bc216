package sources_test

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
)

// post sends a body to /api/v1/events.
func post(c *apptest.Client, query, contentType, encoding string, body []byte) apptest.Response {
	req, _ := http.NewRequest(http.MethodPost, "/api/v1/events"+query, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if encoding != "" {
		req.Header.Set("Content-Encoding", encoding)
	}
	return c.Do(req)
}

func result(t *testing.T, r apptest.Response) sources.PushResult {
	t.Helper()
	if r.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", r.StatusCode, r.Body)
	}
	var out sources.PushResult
	r.JSON(t, &out)
	return out
}

const pushBatch = `{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":true}
{"event_id":"e2","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}
{"event_id":"e3","occurred_at":"yesterday","type":"user.login","company_cvr":"10000017"}
{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital"}
{"event_id":"e4","occurred_at":"2012-11-06T10:30:00Z","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000026","channel":"digital"}
{"event_id":"e5","occurred_at":"2012-11-06T10:30:00Z","type":"brand.new_type","company_cvr":"10000009"}
`

func countEvents(t *testing.T, env *apptest.Env, source string) uint64 {
	t.Helper()
	// A 200 means durable in the ledger; Flush waits until ClickHouse has it.
	if err := env.App.Ingester.Flush(t.Context()); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := env.App.CH.QueryRow(t.Context(), "SELECT count() FROM events WHERE source = ?", source).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestPushCountsAndIdempotency(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	got := result(t, post(c, "", "application/x-ndjson", "", []byte(pushBatch)))
	if got.Accepted != 3 || got.Duplicates != 1 || len(got.Rejected) != 2 {
		t.Fatalf("got %+v, want 3 accepted, 1 duplicate, 2 rejected", got)
	}
	if got.Rejected[0].Line != 3 || !strings.HasPrefix(got.Rejected[0].Error, "occurred_at: ") ||
		got.Rejected[1].Line != 5 || !strings.HasPrefix(got.Rejected[1].Error, "authority_cvr: ") {
		t.Fatalf("rejected %+v", got.Rejected)
	}
	for range 2 {
		again := result(t, post(c, "", "application/x-ndjson", "", []byte(pushBatch)))
		if again.Accepted != 0 || again.Duplicates != 4 || len(again.Rejected) != 2 {
			t.Fatalf("resend: %+v", again)
		}
	}
	if n := countEvents(t, env, "feed-a"); n != 3 {
		t.Fatalf("%d events stored, want 3", n)
	}
	metrics := env.Anonymous().Get("/metrics").Body
	for _, want := range []string{`pilotpulse_events_ingested_total{outcome="accepted"} 3`, `pilotpulse_events_ingested_total{outcome="duplicate"} 9`,
		`pilotpulse_events_ingested_total{outcome="rejected"} 6`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// The same body as a JSON array, gzipped, from another source: all new there.
	var arr []json.RawMessage
	for _, l := range strings.Split(strings.TrimSpace(pushBatch), "\n") {
		arr = append(arr, json.RawMessage(l))
	}
	raw, _ := json.Marshal(arr)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	other := env.Bearer(env.SourceToken("feed-b"))
	got = result(t, post(other, "", "application/json", "gzip", gz.Bytes()))
	if got.Accepted != 3 || got.Duplicates != 1 || len(got.Rejected) != 2 || got.Rejected[0].Line != 3 {
		t.Fatalf("JSON array: %+v", got)
	}
	// A source token cannot send for another source.
	if r := post(other, "?source=feed-a", "application/x-ndjson", "", []byte(pushBatch)); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("other source: %d %s", r.StatusCode, r.Body)
	}
}

func TestPushAdminNamesSource(t *testing.T) {
	env := apptest.New(t)
	env.SourceToken("feed-a") // creates the source
	admin := env.Bearer(env.TokenFor(env.User(auth.RoleAdmin, "")))
	if r := post(admin, "", "application/x-ndjson", "", []byte(pushBatch)); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("no source: %d", r.StatusCode)
	}
	if r := post(admin, "?source=nope", "application/x-ndjson", "", []byte(pushBatch)); r.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown source: %d", r.StatusCode)
	}
	if got := result(t, post(admin, "?source=feed-a", "application/x-ndjson", "", []byte(pushBatch))); got.Accepted != 3 {
		t.Fatalf("admin push: %+v", got)
	}
	manager := env.Bearer(env.TokenFor(env.User(auth.RoleManager, "")))
	if r := post(manager, "?source=feed-a", "application/x-ndjson", "", []byte(pushBatch)); r.StatusCode != http.StatusForbidden {
		t.Fatalf("manager: %d", r.StatusCode)
	}
}

func TestPushLimits(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))

	// A gzip bomb: a few hundred KB that inflate past the limit are refused, naming it.
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zeros := make([]byte, 1<<20)
	for range (sources.MaxDecompressedBytes >> 20) + 2 {
		zw.Write(zeros)
	}
	zw.Close()
	r := post(c, "", "application/x-ndjson", "gzip", gz.Bytes())
	if r.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(r.Body, fmt.Sprintf("%d MiB", sources.MaxDecompressedBytes>>20)) {
		t.Fatalf("gzip bomb: %d %s", r.StatusCode, r.Body)
	}
	// Broken gzip.
	if r := post(c, "", "application/x-ndjson", "gzip", []byte("not gzip at all")); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad gzip: %d %s", r.StatusCode, r.Body)
	}
	// A line over the limit is rejected on its own, naming it; the others are kept.
	long := `{"event_id":"big","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017","user_ref":"` +
		strings.Repeat("x", event.MaxLineBytes) + `"}`
	body := strings.Join([]string{`{"event_id":"a","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}`,
		long, `{"event_id":"b","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}`}, "\n")
	got := result(t, post(c, "", "application/x-ndjson", "", []byte(body)))
	if got.Accepted != 2 || len(got.Rejected) != 1 || got.Rejected[0].Line != 2 || !strings.Contains(got.Rejected[0].Error, "longer than") {
		t.Fatalf("long line: %+v", got)
	}
	// Unknown media types and encodings.
	if r := post(c, "", "application/xml", "", []byte("<a/>")); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("xml: %d", r.StatusCode)
	}
	if r := post(c, "", "application/x-ndjson", "br", []byte("x")); r.StatusCode != http.StatusUnsupportedMediaType {
		t.Fatalf("br: %d", r.StatusCode)
	}
}

func TestPushRateLimit(t *testing.T) {
	env := apptest.New(t, apptest.Options{Config: func(c *config.Config) { c.PushRate, c.PushBurst = 0.01, 3 }})
	c := env.Bearer(env.SourceToken("feed-a"))
	other := env.Bearer(env.SourceToken("feed-b"))
	for n := range 3 {
		if r := post(c, "", "", "", []byte(pushBatch)); r.StatusCode != http.StatusOK {
			t.Fatalf("request %d: %d", n+1, r.StatusCode)
		}
	}
	r := post(c, "", "", "", []byte(pushBatch))
	if r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("4th request: %d, Retry-After %q", r.StatusCode, r.Header.Get("Retry-After"))
	}
	// Another token has its own budget.
	if r := post(other, "", "", "", []byte(pushBatch)); r.StatusCode != http.StatusOK {
		t.Fatalf("other token: %d", r.StatusCode)
	}
}

func TestVolumeRouteIsScoped(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	result(t, post(c, "", "", "", []byte(pushBatch)))
	own := env.Authority("10000025", "Styrelsen A")
	env.Authority("10000033", "Styrelsen B")
	var got []figures.WeekVolume
	r := env.As(auth.RoleAuthority, "10000033").Get("/api/v1/metrics/volume?from=2012-W45&to=2012-W46")
	r.JSON(t, &got)
	if r.StatusCode != 200 || len(got) != 0 {
		t.Fatalf("other authority sees %d %s", r.StatusCode, r.Body)
	}
	r = env.As(auth.RoleAuthority, own).Get("/api/v1/metrics/volume?from=2012-W45&to=2012-W46")
	r.JSON(t, &got)
	if len(got) != 1 || got[0].AuthorityCVR != own || got[0].Week != "2012-W45" || got[0].Messages != 1 || got[0].WithMetadata != 1 || got[0].Companies != 1 {
		t.Fatalf("own authority: %s", r.Body)
	}
	if r := env.As(auth.RoleManager, "").Get("/api/v1/metrics/volume?from=nonsense"); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad from: %d", r.StatusCode)
	}
}

// TestPushWhileAnotherProcessHoldsTheSource: a push whose source another
// process is storing (a CLI import holds its lock file) waits at most
// PILOTPULSE_PUSH_WAIT, then gets 503 with Retry-After and stores nothing; once the
// source is free the same push is stored.
func TestPushWhileAnotherProcessHoldsTheSource(t *testing.T) {
	env := apptest.New(t, apptest.Options{Config: func(c *config.Config) { c.PushWait = 300 * time.Millisecond }})
	c := env.Bearer(env.SourceToken("busy-feed"))
	c.Header.Set("Cookie", "pp_lang=en") // the 503 below says "busy" in English
	sum := sha256.Sum256([]byte("busy-feed"))
	locks := filepath.Join(env.App.Config.DataDir, "locks")
	if err := os.MkdirAll(locks, 0o700); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(locks, "source-"+hex.EncodeToString(sum[:8])+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}

	r := post(c, "", "application/x-ndjson", "", []byte(pushBatch))
	if r.StatusCode != http.StatusServiceUnavailable || r.Header.Get("Retry-After") == "" || !strings.Contains(r.Body, "busy") {
		t.Fatalf("while the source is held elsewhere: %d %q (Retry-After %q)", r.StatusCode, r.Body, r.Header.Get("Retry-After"))
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_UN); err != nil {
		t.Fatal(err)
	}
	got := result(t, post(c, "", "application/x-ndjson", "", []byte(pushBatch)))
	if got.Accepted != 3 || got.Duplicates != 1 {
		t.Fatalf("once free: %+v, want 3 accepted (the refused push stored nothing)", got)
	}
	if n := countEvents(t, env, "busy-feed"); n != 3 {
		t.Fatalf("%d events stored, want 3", n)
	}
}
