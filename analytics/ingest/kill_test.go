package ingest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
)

// TestPushSurvivesKill9 runs the real binary, kills it with SIGKILL twice
// while concurrent senders push (so batches die between claiming keys,
// inserting into ClickHouse and being marked stored), restarts it and
// resends everything: every event is counted exactly once, in raw events and
// rollups, and no batch is left pending.
func TestPushSurvivesKill9(t *testing.T) {
	pushSurvivesKill9(t, nil)
}

// TestPushSurvivesKill9PastTheHorizon is TestPushSurvivesKill9 with a
// dedup horizon of 7 days for events spread over 44 days: while the app is
// killed and restarted, compaction drops the early days, so the resends of
// the early batches are decided by ClickHouse's key table and claims in
// days made again. Every event still counts once, and the ledger ends with
// the horizon's days only.
func TestPushSurvivesKill9PastTheHorizon(t *testing.T) {
	pushSurvivesKill9(t, ledgerWithinHorizon, "PILOTPULSE_DEDUP_HORIZON=7d")
}

// ledgerWithinHorizon waits until the running app's ledger holds the 8 day
// tables of a 7-day horizon at most.
func ledgerWithinHorizon(t *testing.T, app *analyticstest.KillableApp) {
	db := app.DB()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var days int
		if err := db.QueryRowContext(t.Context(), `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name GLOB 'event_keys_[0-9]*'`).Scan(&days); err != nil {
			t.Fatal(err)
		}
		if days <= 8 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d day tables in the ledger after 60 s, want the 8 of a 7-day horizon", days)
		}
	}
}

// pushSurvivesKill9 is TestPushSurvivesKill9 with env added to the app's
// environment; after, when set, runs at the end while the app still runs.
func pushSurvivesKill9(t *testing.T, after func(*testing.T, *analyticstest.KillableApp), env ...string) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	app := analyticstest.NewKillableApp(t, append([]string{"PILOTPULSE_LOG_LEVEL=warn"}, env...)...)
	ch, addr := app.CH, app.Addr
	lines := strings.Split(strings.TrimSpace(app.Command("token", "create", "--source", "crashy")), "\n")
	token := lines[len(lines)-1]

	const batches, perBatch = 32, 2000
	bodies := make([][]byte, batches)
	at := time.Date(2012, 11, 1, 7, 0, 0, 0, time.UTC)
	for n := range bodies {
		var b bytes.Buffer
		for k := range perBatch {
			id := n*perBatch + k
			// Batches overlap by a tenth, so duplicates cross batches.
			if k < perBatch/10 && n > 0 {
				id -= perBatch / 10
			}
			fmt.Fprintf(&b, `{"event_id":"k%d","occurred_at":"%s","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":%t}`+"\n",
				id, at.Add(time.Duration(id)*time.Minute).Format(time.RFC3339), id%3 == 0)
		}
		bodies[n] = b.Bytes()
	}
	unique := map[string]bool{}
	for _, b := range bodies {
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			unique[l[:strings.Index(l, `","occurred_at`)]] = true
		}
	}

	start := func() *exec.Cmd { return app.Start(true) }
	client := &http.Client{Timeout: 30 * time.Second}
	// send posts one batch; ok is false when the app died or refused it.
	send := func(b []byte) (accepted int, ok bool) {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/api/v1/events", bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := client.Do(req)
		if err != nil {
			return 0, false
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, false
		}
		var r struct{ Accepted, Duplicates int }
		json.NewDecoder(resp.Body).Decode(&r)
		return r.Accepted, true
	}

	var acknowledged atomic.Int64
	for round := range 4 {
		cmd := start()
		var sent atomic.Int64
		var wg sync.WaitGroup
		for s := range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := s; n < batches; n += 3 {
					acc, ok := send(bodies[n])
					if !ok {
						return
					}
					acknowledged.Add(int64(acc))
					sent.Add(1)
				}
			}()
		}
		// Kill it mid-ingest: some time after a few answers (different each round).
		for sent.Load() < int64(1+2*round) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(time.Duration(round*round*7) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		wg.Wait()
	}
	// Restarted, the client resends every batch until it is told "stored".
	cmd := start()
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	for n := range batches {
		deadline := time.Now().Add(60 * time.Second)
		for {
			acc, ok := send(bodies[n])
			if ok {
				acknowledged.Add(int64(acc))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("batch %d not stored after the restarts", n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	var raw, distinct, rolled, meta, rawMeta uint64
	ctx := t.Context()
	want := uint64(len(unique))
	// A 200 means durable in the app's ledger: the last batches reach
	// ClickHouse (and the interrupted ones are settled) without further help.
	db := app.DB()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		var pending int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM ingest_batches WHERE state = 'pending'`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if err := ch.QueryRow(ctx, `SELECT count() FROM events`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if pending == 0 && raw >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d batches still pending and %d of %d events in ClickHouse after 60 s", pending, raw, want)
		}
	}
	if err := ch.QueryRow(ctx, `SELECT count(), uniqExact(event_id), countIf(has_metadata = 1) FROM events`).Scan(&raw, &distinct, &rawMeta); err != nil {
		t.Fatal(err)
	}
	if err := ch.QueryRow(ctx, `SELECT sum(messages), sum(with_metadata) FROM rollup_messages_daily`).Scan(&rolled, &meta); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d events, %d acknowledged as new; pending batches settled after the kills: %d",
		want, acknowledged.Load(), strings.Count(app.Log(), "settled interrupted ingest batches"))
	if raw != want || distinct != want || rolled != want || meta != rawMeta || acknowledged.Load() > int64(want) {
		t.Fatalf("raw %d (distinct %d), rollup %d, metadata %d/%d, acknowledged %d; want %d each", raw, distinct, rolled, meta, rawMeta, acknowledged.Load(), want)
	}
	if after != nil {
		after(t, app)
	}
}
