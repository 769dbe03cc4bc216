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

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
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

// TestClickHouseOutage: while ClickHouse is stopped, pushes answer 503 with
// Retry-After and store nothing; when it is back (on new ports, behind the
// same address) the app recovers by itself: what was acknowledged before the
// outage lands without another push, and the resent batches are counted
// exactly once, in raw events and rollups.
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
	env := apptest.New(t, apptest.Options{Config: func(c *config.Config) {
		c.ClickHouseDSN = "clickhouse://default:@" + proxy.ln.Addr().String() + "/" + warehouse.DatabaseName + "?dial_timeout=2s&read_timeout=10s"
	}})
	c := env.Bearer(env.SourceToken("feed"))
	send := func(n int) apptest.Response { return post(c, "", "application/x-ndjson", "", outageBatch(n)) }

	acknowledged := 0
	for n := range 3 {
		got := result(t, send(n))
		acknowledged += got.Accepted
	}

	// ClickHouse goes away mid-ingest.
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	proxy.cut()
	for n := 3; n < 6; n++ {
		r := send(n)
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Fatalf("batch %d while ClickHouse is down: %d %s", n, r.StatusCode, r.Body)
		}
		if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s <= 0 {
			t.Fatalf("batch %d: Retry-After %q", n, r.Header.Get("Retry-After"))
		}
	}
	if r := send(0); r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a resend while down: %d", r.StatusCode)
	}

	// It comes back on the same data, on new ports.
	m, err = warehouse.StartManaged(ctx, dir, logger)
	if err != nil {
		t.Fatal(err)
	}
	proxy.target.Store(m.TCPAddr())
	var rawBefore uint64
	deadline := time.Now().Add(60 * time.Second)
	for {
		err := env.App.CH.QueryRow(ctx, "SELECT count() FROM events").Scan(&rawBefore)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ClickHouse did not come back: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// What was acknowledged before the outage (durable in the ledger, some of
	// it maybe not yet in ClickHouse when it stopped) lands by itself; what
	// was refused is not there (nothing half-stored).
	for rawBefore < uint64(acknowledged) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if err := env.App.CH.QueryRow(ctx, "SELECT count() FROM events").Scan(&rawBefore); err != nil {
			t.Fatal(err)
		}
	}
	if err := env.App.Ingester.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.App.CH.QueryRow(ctx, "SELECT count() FROM events").Scan(&rawBefore); err != nil {
		t.Fatal(err)
	}
	if rawBefore != uint64(acknowledged) {
		t.Fatalf("after the outage ClickHouse holds %d events, want the %d acknowledged (nothing half-stored)", rawBefore, acknowledged)
	}
	// The client retries every batch it was not told was stored; 503s that
	// meet a connection broken by the outage are retried too.
	for n := range 6 {
		for {
			r := send(n)
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
	var raw, rolled uint64
	if err := env.App.Ingester.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := env.App.CH.QueryRow(ctx, "SELECT count() FROM events").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if err := env.App.CH.QueryRow(ctx, "SELECT sum(messages) FROM rollup_messages_daily").Scan(&rolled); err != nil {
		t.Fatal(err)
	}
	if raw != 1200 || rolled != 1200 || acknowledged != 1200 {
		t.Fatalf("raw %d, rollup %d, acknowledged %d; want 1200 each", raw, rolled, acknowledged)
	}
	var pending int
	env.App.DB.QueryRow(`SELECT count(*) FROM ingest_batches WHERE state = 'pending'`).Scan(&pending)
	if pending != 0 {
		t.Fatalf("%d batches still pending", pending)
	}
}
