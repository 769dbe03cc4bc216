package ingest

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
)

func TestSpoolPayloadRoundTrip(t *testing.T) {
	yes, no := true, false
	at := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	evs := []event.Event{
		analyticstest.Sent("a", at, analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, true, false),
		{EventID: "skipped", OccurredAt: at, ReceivedAt: at, Type: event.TypeLogin, CompanyCVR: analyticstest.CVRCompanyB},
		{EventID: "ø-ünïcode", OccurredAt: at.Add(-time.Hour), ReceivedAt: at.Add(time.Second), Type: "brand.new",
			CompanyCVR: analyticstest.CVRCompanyB, ByRule: &yes, HasDeepLink: &no, MessageRef: "m", UserRef: "u", RightsModel: "r",
			Reason: "why\nnot", Folder: "Indbakke", Role: "admin"},
		{EventID: "zero", Type: event.TypeLogin, CompanyCVR: analyticstest.CVRCompanyA, OccurredAt: time.Unix(0, 0).UTC(), ReceivedAt: time.Unix(0, 0).UTC()},
	}
	b := encodeSpool(eventPtrs(evs), []int{0, 2, 3})
	got, err := decodeSpool(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []event.Event{evs[0], evs[2], evs[3]}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, want)
	}
	// Every cut and a flipped version are refused, never a panic.
	for n := range len(b) {
		if _, err := decodeSpool(b[:n]); err == nil {
			t.Fatalf("a payload cut at %d of %d bytes was read", n, len(b))
		}
	}
	bad := append([]byte{spoolVersion + 1}, b[1:]...)
	if _, err := decodeSpool(bad); err == nil {
		t.Fatal("an unknown payload version was read")
	}
	if _, err := decodeSpool(append(b, 0)); err == nil {
		t.Fatal("trailing bytes were accepted")
	}
}

func FuzzSpoolPayload(f *testing.F) {
	at := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	f.Add(encodeSpool([]*event.Event{new(analyticstest.Sent("a", at, analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, true, false))}, []int{0}))
	f.Add([]byte{spoolVersion, 1, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := decodeSpool(b)
		if err != nil {
			return
		}
		idx := make([]int, len(evs))
		for n := range idx {
			idx[n] = n
		}
		again, err := decodeSpool(encodeSpool(eventPtrs(evs), idx))
		if err != nil || !reflect.DeepEqual(again, evs) {
			t.Fatalf("re-encoded payload differs: %v", err)
		}
	})
}

func spoolEvents(prefix string, n int) []event.Event {
	base := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	var evs []event.Event
	for k := range n {
		evs = append(evs, analyticstest.Sent(fmt.Sprintf("%s%d", prefix, k), base.Add(time.Duration(k)*time.Hour), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, k%2 == 0, k%3 == 0))
	}
	return evs
}

func rawCount(t *testing.T, ing *Ingester) uint64 {
	t.Helper()
	var n uint64
	if err := ing.ch.QueryRow(context.Background(), `SELECT count() FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func pendingBatches(t *testing.T, ing *Ingester) int {
	t.Helper()
	var n int
	if err := ing.db.QueryRow(`SELECT count(*) FROM ingest_batches WHERE state = 'pending'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSpoolAcknowledgedSurvivesFailedInsert: Spool answers once the events
// are in the ledger; when the insert that follows fails (an outage, or a
// crash: the process that acknowledged is gone), a restarted ingester
// inserts them from the ledger, exactly once, and a resend is all
// duplicates.
func TestSpoolAcknowledgedSurvivesFailedInsert(t *testing.T) {
	dir := t.TempDir()
	db, ch := analyticstest.NewDB(t, dir), analyticstest.NewCH(t)
	ctx := context.Background()
	evs := spoolEvents("s", 40)

	down := errors.New("ClickHouse went away")
	failing := New(db, ch, analyticstest.QuietLogger())
	failing.beforeInsert = func([]int64) error { return down }
	acc, dup, err := failing.Spool(ctx, "feed", evs[:30])
	if err != nil || acc != 30 || dup != 0 {
		t.Fatalf("spool: %d %d %v", acc, dup, err)
	}
	if err := failing.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, failing); n != 0 {
		t.Fatalf("the failed insert stored %d events", n)
	}
	if n := pendingBatches(t, failing); n != 1 {
		t.Fatalf("%d pending batches, want the acknowledged one", n)
	}
	failing.now = func() time.Time { return time.Now().Add(time.Minute) }
	if err := testutil.CollectAndCompare(NewBacklogCollector(failing), strings.NewReader(`
# HELP pilotpulse_ingest_pending_batches Ingest batches claimed in the ledger and not yet marked stored in ClickHouse.
# TYPE pilotpulse_ingest_pending_batches gauge
pilotpulse_ingest_pending_batches 1
# HELP pilotpulse_ingest_pending_events New events of the pending ingest batches.
# TYPE pilotpulse_ingest_pending_events gauge
pilotpulse_ingest_pending_events 30
`), "pilotpulse_ingest_pending_batches", "pilotpulse_ingest_pending_events"); err != nil {
		t.Fatal(err)
	}
	if b, err := failing.Backlog(ctx); err != nil || b.Oldest.IsZero() || time.Since(b.Oldest) > time.Minute {
		t.Fatalf("backlog %+v %v", b, err)
	}
	restarted := New(db, ch, analyticstest.QuietLogger())
	if err := restarted.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if b, err := restarted.Backlog(ctx); err != nil || b.Batches != 0 || b.Events != 0 || !b.Oldest.IsZero() {
		t.Fatalf("backlog after Recover: %+v %v", b, err)
	}
	acc, dup, err = restarted.Spool(ctx, "feed", evs)
	if err != nil || acc != 10 || dup != 30 {
		t.Fatalf("resend: accepted %d duplicates %d (%v), want 10 and 30", acc, dup, err)
	}
	if err := restarted.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f := analyticstest.ReadFigures(t, ch)
	if f.Raw != 40 || f.RollMessages != 40 || f.RollTotal != 40 || f.RawMeta != 20 || f.RollMeta != 20 || f.RawDeep != f.RollDeep {
		t.Fatalf("figures %+v, want 40 events, 20 with metadata", f)
	}
}

// TestMarkStoredManyBatches: one insert may carry more batches than SQLite
// takes variables in one statement (32,766): all are marked stored.
func TestMarkStoredManyBatches(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ctx := context.Background()
	const n = 33_000
	tx, err := ing.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, n)
	for k := range ids {
		res, err := tx.ExecContext(ctx, `INSERT INTO ingest_batches (source, state, events, duplicates, min_occurred, max_occurred, created_at)
			VALUES ('feed', 'pending', 1, 0, 0, 0, ?)`, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		ids[k], _ = res.LastInsertId()
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := ing.markStored(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if p := pendingBatches(t, ing); p != 0 {
		t.Fatalf("%d of %d batches still pending", p, n)
	}
}

// TestSettleManyPendingBatches: pending batches (acknowledged, some already
// in ClickHouse, some not) are settled in groups, each event stored once.
func TestSettleManyPendingBatches(t *testing.T) {
	dir := t.TempDir()
	db, ch := analyticstest.NewDB(t, dir), analyticstest.NewCH(t)
	ctx := context.Background()
	var logs strings.Builder
	ing := New(db, ch, analyticstest.QuietLogger())
	evs := spoolEvents("p", 1200)
	var flights []*flight
	for k := range evs {
		req := &storeReq{events: evs[k : k+1], done: make(chan storeRes, 1)}
		f, err := ing.claimGroup(ctx, "feed", []*storeReq{req})
		if err != nil {
			t.Fatal(err)
		}
		if res := <-req.done; res.accepted != 1 {
			t.Fatalf("claim %d: %+v", k, res)
		}
		flights = append(flights, f)
	}
	// A crash after part of them reached ClickHouse: every third batch.
	var some []*flight
	for k := 0; k < len(flights); k += 3 {
		some = append(some, flights[k])
	}
	if err := ing.insert(ctx, "feed", some); err != nil {
		t.Fatal(err)
	}
	if err := New(db, ch, slog.New(slog.NewTextHandler(&logs, nil))).Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(logs.String(), "settled interrupted ingest batches"); n != 3 {
		t.Errorf("settled in %d groups, want 3 (1200 batches, %d a group):\n%s", n, keysPerStatement, logs.String())
	}
	if n := rawCount(t, ing); n != 1200 {
		t.Fatalf("%d events in ClickHouse, want 1200", n)
	}
	if f := analyticstest.ReadFigures(t, ch); f.RollMessages != 1200 || f.RollTotal != 1200 {
		t.Fatalf("figures %+v", f)
	}
	if p := pendingBatches(t, ing); p != 0 {
		t.Fatalf("%d batches pending", p)
	}
	if acc, dup, err := ing.Spool(ctx, "feed", evs); err != nil || acc != 0 || dup != 1200 {
		t.Fatalf("resend: %d %d %v", acc, dup, err)
	}
}

// TestSpoolWithdrawnWhenCallerGivesUp: a call still waiting for its source
// (another process holds it) is withdrawn when its context ends, and
// nothing of it is stored.
func TestSpoolWithdrawnWhenCallerGivesUp(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ctx := context.Background()
	unlock, err := ing.lock(ctx, "feed", true) // as a CLI import would
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	if _, _, err := ing.Spool(short, "feed", spoolEvents("g", 5)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a call whose context ended: %v", err)
	}
	unlock()
	if err := ing.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if acc, dup, err := ing.Store(ctx, "feed", spoolEvents("g", 10)); err != nil || acc != 10 || dup != 0 {
		t.Fatalf("after the withdrawn call: accepted %d duplicates %d, %v (want all 10 new)", acc, dup, err)
	}
	if n := rawCount(t, ing); n != 10 {
		t.Fatalf("%d events in ClickHouse, want 10", n)
	}
}
