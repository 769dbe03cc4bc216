package sources_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// tcpProxy forwards connections to a target that can change, so the app
// keeps one ClickHouse address while the server behind it stops and starts
// again on new ports (a restarted managed server picks new ones).
type tcpProxy struct {
	ln     net.Listener
	target atomic.Value // string
	mu     sync.Mutex
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *tcpProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln}
	p.target.Store(target)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	t.Cleanup(func() { ln.Close(); p.cut() })
	return p
}

func (p *tcpProxy) serve(c net.Conn) {
	up, err := net.DialTimeout("tcp", p.target.Load().(string), 2*time.Second)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, up)
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close() }()
	io.Copy(c, up)
	c.Close()
}

// cut closes every forwarded connection.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// outageBatch is the n-th batch of 200 message.sent events.
func outageBatch(n int) []byte {
	var b strings.Builder
	at := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	for k := range 200 {
		fmt.Fprintf(&b, `{"event_id":"b%d-%d","occurred_at":"%s","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":%t}`+"\n",
			n, k, at.Add(time.Duration(n*200+k)*time.Minute).Format(time.RFC3339), k%2 == 0)
	}
	return []byte(b.String())
}

// TestClickHouseOutage: ClickHouse stops under push load. Below the
// backlog bound every push is still answered 200 (acknowledged into the
// ledger, duplicates found as ever); past it a push gets 503 with
// Retry-After and nothing of it is kept. When ClickHouse is back (on new
// ports, behind the same address) the backlog lands by itself, and every
// acknowledged event is stored exactly once, in raw events and rollups.
// (Before the backlog every push got 503 while ClickHouse was down.)
func TestClickHouseOutage(t *testing.T) {
	warehousetest.Server(t) // skips or fails like every ClickHouse test when there is no server binary
	dir := t.TempDir()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	m, err := warehouse.StartManaged(ctx, dir, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { m.Stop() }()
	proxy := newProxy(t, m.TCPAddr())
	const bound = 20 * 200 // events: 20 batches
	env := apptest.New(t, apptest.Options{Config: func(c *config.Config) {
		c.ClickHouseDSN = "clickhouse://default:@" + proxy.ln.Addr().String() + "/" + warehouse.DatabaseName + "?dial_timeout=2s&read_timeout=10s"
		c.BacklogEvents = bound
		c.PushRate, c.PushBurst = 1e6, 1e6
	}})
	token := env.SourceToken("feed")
	admin := env.As(auth.RoleAdmin, "")
	send := func(c *apptest.Client, n int) apptest.Response {
		return post(c, "", "application/x-ndjson", "", outageBatch(n))
	}
	backlog := func() ingest.Backlog {
		var b ingest.Backlog
		admin.Get("/api/v1/sources/backlog").JSON(t, &b)
		return b
	}
	c := env.Bearer(token)
	acknowledged := 0
	for n := range 3 {
		acknowledged += result(t, send(c, n)).Accepted
	}
	if err := env.App.Ingester.Flush(ctx); err != nil { // the backlog is empty when ClickHouse stops
		t.Fatal(err)
	}

	// ClickHouse goes away.
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	proxy.cut()
	// Three senders push batches 3 to 17 (3,000 events, below the bound),
	// then resend what they sent (all duplicates) until the oldest pending
	// batch has waited 5 s: ClickHouse has been tried and failed meanwhile.
	var mu sync.Mutex
	var failures []string
	var wg sync.WaitGroup
	next := atomic.Int64{}
	next.Store(3)
	for range 3 {
		c := env.Bearer(token)
		wg.Go(func() {
			for round := 0; ; round++ {
				n := int(next.Add(1) - 1)
				if n > 17 {
					b, err := env.App.Ingester.Backlog(ctx) // (a client is not for several goroutines)
					if err != nil || b.OldestSeconds >= 5 {
						return
					}
					n = 3 + round%15
				}
				r := send(c, n)
				var got sources.PushResult
				if r.StatusCode == http.StatusOK {
					r.JSON(t, &got)
				}
				mu.Lock()
				switch {
				case r.StatusCode != http.StatusOK:
					failures = append(failures, fmt.Sprintf("batch %d: %d %s", n, r.StatusCode, r.Body))
				case n >= 3 && got.Accepted+got.Duplicates != 200:
					failures = append(failures, fmt.Sprintf("batch %d: %+v", n, got))
				default:
					acknowledged += got.Accepted
				}
				stop := len(failures) > 0
				mu.Unlock()
				if stop {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("pushes below the bound while ClickHouse is down: %v", failures)
	}
	if acknowledged != 3600 {
		t.Fatalf("acknowledged %d events, want 3600", acknowledged)
	}
	// A resend while down is all duplicates (the ledger has the keys).
	if got := result(t, send(c, 0)); got.Accepted != 0 || got.Duplicates != 200 {
		t.Fatalf("a resend while down: %+v", got)
	}
	// The backlog, on the sources page, in the API and on /metrics.
	if b := backlog(); b.Events != 3000 || b.Bytes <= 0 || b.Limit.Events != bound || b.OldestSeconds < 5 {
		t.Fatalf("backlog while down: %+v", b)
	}
	if page := admin.Get("/sources"); !strings.Contains(page.Body, `id="backlog"`) || !strings.Contains(page.Body, "3.000 / 4.000") {
		t.Fatalf("the sources page does not show the backlog: %s", page.Body)
	}
	if metrics := env.Anonymous().Get("/metrics").Body; !strings.Contains(metrics, "pilotpulse_ingest_pending_events 3000") ||
		!strings.Contains(metrics, "pilotpulse_ingest_backlog_limit_events 4000") {
		t.Fatalf("/metrics lacks the backlog")
	}
	// Up to the bound, then past it: 503 with Retry-After, nothing kept.
	for n := 18; n < 23; n++ {
		acknowledged += result(t, send(c, n)).Accepted
	}
	for _, n := range []int{23, 0} {
		r := send(c, n)
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("batch %d past the bound: %d %s", n, r.StatusCode, r.Body)
		}
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s <= 0 {
			t.Fatalf("batch %d: Retry-After %q", n, r.Header.Get("Retry-After"))
		}
		if !strings.Contains(r.Body, "køen af hændelser") {
			t.Fatalf("batch %d: %s", n, r.Body)
		}
	}
	if b := backlog(); b.Events != bound {
		t.Fatalf("backlog at the bound: %+v", b)
	}

	// It comes back on the same data, on new ports.
	m, err = warehouse.StartManaged(ctx, dir, logger)
	if err != nil {
		t.Fatal(err)
	}
	proxy.target.Store(m.TCPAddr())
	// The backlog lands by itself (Run), exactly once.
	var raw uint64
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		err := env.App.CH.QueryRow(ctx, "SELECT count() FROM events").Scan(&raw)
		if err == nil && raw >= uint64(acknowledged) && backlog().Batches == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("60 s after ClickHouse is back: %d of %d events, backlog %+v (%v)", raw, acknowledged, backlog(), err)
		}
	}
	// The client sends again what it was refused (503s meeting a connection
	// broken by the outage are retried too).
	deadline := time.Now().Add(60 * time.Second)
	for n := range 24 {
		for {
			r := send(c, n)
			if r.StatusCode == http.StatusOK {
				var got sources.PushResult
				r.JSON(t, &got)
				acknowledged += got.Accepted
				if got.Accepted+got.Duplicates != 200 {
					t.Fatalf("batch %d: %+v", n, got)
				}
				break
			}
			if r.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline) {
				t.Fatalf("batch %d after the outage: %d %s", n, r.StatusCode, r.Body)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var rolled, distinct uint64
	if err := env.App.Ingester.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.App.CH.QueryRow(ctx, "SELECT count(), uniqExact(event_id) FROM events").Scan(&raw, &distinct); err != nil {
		t.Fatal(err)
	}
	if err := env.App.CH.QueryRow(ctx, "SELECT sum(messages) FROM rollup_messages_daily").Scan(&rolled); err != nil {
		t.Fatal(err)
	}
	if raw != 4800 || distinct != 4800 || rolled != 4800 || acknowledged != 4800 {
		t.Fatalf("raw %d (distinct %d), rollup %d, acknowledged %d; want 4800 each", raw, distinct, rolled, acknowledged)
	}
	if b := backlog(); b.Batches != 0 || b.Events != 0 {
		t.Fatalf("backlog after: %+v", b)
	}
}
