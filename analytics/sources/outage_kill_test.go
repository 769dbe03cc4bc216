package sources

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// TestPushKilledDuringOutage runs the real binary: ClickHouse goes away
// (every connection dropped and refused) while three senders push; every
// push is still answered 200 (the backlog), and the app is killed with
// SIGKILL in the middle of it. ClickHouse comes back, the app starts again
// and settles the backlog, oldest batch first; the senders resend
// everything: every event is stored exactly once, in raw events and
// rollups, and no batch is left pending.
func TestPushKilledDuringOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	app := analyticstest.NewKillableApp(t, "PILOTPULSE_LOG_LEVEL=info", "PILOTPULSE_LOG_FORMAT=json", "PILOTPULSE_PUSH_RATE=100000", "PILOTPULSE_PUSH_BURST=100000")
	server := warehousetest.Server(t).TCPAddr()
	proxy := newCutProxy(t, server)
	app.SetEnv("PILOTPULSE_CLICKHOUSE_DSN=" + strings.Replace(app.DSN, server, proxy.ln.Addr().String(), 1))
	lines := strings.Split(strings.TrimSpace(app.Command("token", "create", "--source", "outage")), "\n")
	token := lines[len(lines)-1]

	const batches, perBatch = 30, 500
	at := time.Date(2012, 11, 1, 7, 0, 0, 0, time.UTC)
	body := func(n int) []byte {
		var b bytes.Buffer
		for k := range perBatch {
			id := n*(perBatch-perBatch/10) + k // each batch repeats the last tenth of the one before
			fmt.Fprintf(&b, `{"event_id":"o%d","occurred_at":"%s","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":%t}`+"\n",
				id, at.Add(time.Duration(id)*time.Minute).Format(time.RFC3339), id%3 == 0)
		}
		return b.Bytes()
	}
	unique := (batches-1)*(perBatch-perBatch/10) + perBatch
	client := &http.Client{Timeout: 30 * time.Second}
	// send posts batch n: its accepted count, and its status (0: no answer).
	send := func(n int) (accepted, status int) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+app.Addr+"/api/v1/events", bytes.NewReader(body(n)))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := client.Do(req)
		if err != nil {
			return 0, 0
		}
		defer resp.Body.Close()
		var r struct{ Accepted int }
		json.NewDecoder(resp.Body).Decode(&r)
		return r.Accepted, resp.StatusCode
	}

	var acknowledged atomic.Int64
	cmd := app.Start(true)
	for n := range 3 {
		acc, status := send(n)
		if status != http.StatusOK {
			t.Fatalf("batch %d before the outage: %d", n, status)
		}
		acknowledged.Add(int64(acc))
	}
	proxy.cut()
	var sent atomic.Int64
	var mu sync.Mutex
	var refused []string
	var wg sync.WaitGroup
	for s := range 3 {
		wg.Go(func() {
			for n := 3 + s; n < batches; n += 3 {
				acc, status := send(n)
				if status == 0 {
					return // killed
				}
				if status != http.StatusOK {
					mu.Lock()
					refused = append(refused, fmt.Sprintf("batch %d: %d", n, status))
					mu.Unlock()
					return
				}
				acknowledged.Add(int64(acc))
				sent.Add(1)
			}
		})
	}
	for sent.Load() < 12 && len(refused) == 0 {
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wg.Wait()
	if len(refused) > 0 {
		t.Fatalf("pushes refused while ClickHouse was down, below the bound: %v", refused)
	}
	ctx := t.Context()
	var raw uint64
	if err := app.CH.QueryRow(ctx, `SELECT count() FROM events`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	backlog := app.Acknowledged("outage") - int(raw)
	t.Logf("killed during the outage: %d events acknowledged, %d in ClickHouse, %d in the backlog", acknowledged.Load(), raw, backlog)
	if int64(raw) >= acknowledged.Load() || backlog <= 0 {
		t.Fatalf("the outage left no backlog: %d acknowledged, %d in ClickHouse", acknowledged.Load(), raw)
	}

	// ClickHouse is back; so is the app, and the senders resend everything
	// they were not told was stored (here: everything, to be sure).
	proxy.up()
	t.Log("ClickHouse is back")
	cmd = app.Start(true)
	t.Log("the app is back")
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	for n := range batches {
		deadline := time.Now().Add(60 * time.Second)
		for {
			acc, status := send(n)
			if status == http.StatusOK {
				acknowledged.Add(int64(acc))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("batch %d not stored after the outage: %d", n, status)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	db := app.DB()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var pending int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ingest_batches WHERE state = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if err := app.CH.QueryRow(ctx, `SELECT count() FROM events`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if pending == 0 && raw >= uint64(unique) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batches still pending and %d of %d events in ClickHouse after 60 s", pending, raw, unique)
		}
	}
	var distinct, rolled, meta, rawMeta uint64
	if err := app.CH.QueryRow(ctx, `SELECT count(), uniqExact(event_id), countIf(has_metadata = 1) FROM events`).Scan(&raw, &distinct, &rawMeta); err != nil {
		t.Fatal(err)
	}
	if err := app.CH.QueryRow(ctx, `SELECT sum(messages), sum(with_metadata) FROM rollup_messages_daily`).Scan(&rolled, &meta); err != nil {
		t.Fatal(err)
	}
	if raw != uint64(unique) || distinct != raw || rolled != raw || meta != rawMeta || acknowledged.Load() > int64(unique) {
		t.Fatalf("raw %d (distinct %d), rollup %d, metadata %d/%d, acknowledged %d; want %d each", raw, distinct, rolled, meta, rawMeta, acknowledged.Load(), unique)
	}
	// The backlog went in oldest batch first: the settled groups, in the
	// order they were logged, cover ascending batch ids.
	var last int64
	settled := 0
	for _, line := range strings.Split(app.Log(), "\n") {
		var l struct {
			Msg         string
			Source      string
			First, Last int64
		}
		if json.Unmarshal([]byte(line), &l) != nil || l.Msg != "settled interrupted ingest batches" || l.Source != "outage" {
			continue
		}
		if l.First <= last || l.Last < l.First {
			t.Fatalf("settled batches %d to %d after %d: not oldest first\n%s", l.First, l.Last, last, app.Log())
		}
		last = l.Last
		settled++
	}
	if settled == 0 {
		t.Fatalf("nothing was settled after the restart:\n%s", app.Log())
	}
}
