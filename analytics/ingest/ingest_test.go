package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// newTestIngester returns an ingester on a fresh app database and a fresh
// ClickHouse database on eng.
//
// The tests whose ClickHouse statements are the ingester's (the migrations,
// the insert with its settings, the materialized views it feeds, the
// reconciling SELECT of settle.go) run on every engine
// (analyticstest.Engines: ClickHouse 18.16 and, in-process, 26.7) with the
// same data and answers. The others run on the 18.16 server only: those of
// the ledger, its locks and group commits (they send no other SQL), the
// simulated outage, and kill_test.go, whose real binary, killed with
// SIGKILL, reaches ClickHouse over TCP from another process (chDB lives
// inside this test process and cannot be shared, killed or stopped).
func newTestIngester(t testing.TB, eng analyticstest.Engine) (*Ingester, string) {
	dir := t.TempDir()
	return New(analyticstest.NewDB(t, dir), eng.NewCH(t), analyticstest.QuietLogger()), dir
}

func TestStoreMixedBatchCounts(t *testing.T) {
	analyticstest.OnEachEngine(t, testStoreMixedBatchCounts)
}

func testStoreMixedBatchCounts(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ctx := context.Background()
	evs, rej := analyticstest.DecodeAll(t, analyticstest.MixedNDJSON(), event.FormatNDJSON)
	wantRej := map[int]string{3: "occurred_at:", 6: "company_cvr:", 8: "event:", 9: "channel:", 10: "has_deep_link:"}
	if len(rej) != len(wantRej) {
		t.Fatalf("rejected %v, want lines %v", rej, wantRej)
	}
	for _, r := range rej {
		if !strings.HasPrefix(r.Error, wantRej[r.Line]) {
			t.Errorf("line %d: %q, want prefix %q", r.Line, r.Error, wantRej[r.Line])
		}
	}
	acc, dup, err := ing.Store(ctx, "feed-a", evs)
	if err != nil {
		t.Fatal(err)
	}
	if acc != 4 || dup != 1 {
		t.Fatalf("accepted %d duplicates %d, want 4 and 1", acc, dup)
	}
	f := analyticstest.ReadFigures(t, ing.ch)
	want := analyticstest.Figures{Raw: 4, RawMessages: 2, RawMeta: 1, RawDeep: 1, RollMessages: 2, RollMeta: 1, RollDeep: 1, RollTotal: 4}
	if f != want {
		t.Fatalf("figures %+v, want %+v", f, want)
	}
	// Re-sending changes nothing, and the same ids from another source are new.
	for range 2 {
		acc, dup, err = ing.Store(ctx, "feed-a", evs)
		if err != nil || acc != 0 || dup != 5 {
			t.Fatalf("resend: accepted %d duplicates %d err %v, want 0, 5", acc, dup, err)
		}
	}
	if f2 := analyticstest.ReadFigures(t, ing.ch); f2 != want {
		t.Fatalf("after resend: %+v, want %+v", f2, want)
	}
	acc, dup, err = ing.Store(ctx, "feed-b", evs[:1])
	if err != nil || acc != 1 || dup != 0 {
		t.Fatalf("other source: accepted %d duplicates %d err %v", acc, dup, err)
	}
}

func TestStoreCrashBetweenInsertAndMark(t *testing.T) {
	analyticstest.OnEachEngine(t, testStoreCrashBetweenInsertAndMark)
}

// The crash is simulated in this process (afterInsert), so it runs on chDB
// too: the restart's reconciling query (storedKeys) is checked on both.
func testStoreCrashBetweenInsertAndMark(t *testing.T, eng analyticstest.Engine) {
	dir := t.TempDir()
	db := analyticstest.NewDB(t, dir)
	ch := eng.NewCH(t)
	ctx := context.Background()
	base := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	var evs []event.Event
	for n := range 50 {
		evs = append(evs, analyticstest.Sent(fmt.Sprintf("m%d", n), base.Add(time.Duration(n)*time.Hour*24), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, n%2 == 0, n%5 == 0))
	}
	// A first, complete batch.
	ing := New(db, ch, analyticstest.QuietLogger())
	if acc, _, err := ing.Store(ctx, "feed", evs[:10]); err != nil || acc != 10 {
		t.Fatalf("first: %d %v", acc, err)
	}
	// The second send is acknowledged, then "crashes" after ClickHouse has
	// its rows, before they are marked stored.
	crashing := New(db, ch, analyticstest.QuietLogger())
	crashing.afterInsert = func(int64) error { return errors.New("simulated crash") }
	if acc, dup, err := crashing.Spool(ctx, "feed", evs[:30]); err != nil || acc != 20 || dup != 10 {
		t.Fatalf("crashing spool: accepted %d duplicates %d, %v", acc, dup, err)
	}
	if err := crashing.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	var pending int
	db.QueryRow(`SELECT count(*) FROM ingest_batches WHERE state = 'pending'`).Scan(&pending)
	if pending != 1 {
		t.Fatalf("%d pending batches, want 1", pending)
	}
	// A restarted app sends everything again.
	restarted := New(db, ch, analyticstest.QuietLogger())
	if err := restarted.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	acc, dup, err := restarted.Store(ctx, "feed", evs)
	if err != nil {
		t.Fatal(err)
	}
	if acc != 20 || dup != 30 {
		t.Fatalf("after crash: accepted %d duplicates %d, want 20 and 30", acc, dup)
	}
	f := analyticstest.ReadFigures(t, ch)
	if f.Raw != 50 || f.RollMessages != 50 || f.RollTotal != 50 || f.RawMeta != f.RollMeta || f.RawDeep != f.RollDeep || f.RollMeta != 25 {
		t.Fatalf("figures %+v, want 50 of each", f)
	}
}

// TestStoreConcurrentCallsShareOut: concurrent calls for one source (grouped
// into common commits) with overlapping events accept each event once.
func TestStoreConcurrentCallsShareOut(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ctx := context.Background()
	base := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	var all []event.Event
	for n := range 2000 {
		all = append(all, analyticstest.Sent(fmt.Sprintf("c%d", n), base.Add(time.Duration(n)*time.Minute), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, true, false))
	}
	type res struct{ acc, dup, n int }
	out := make(chan res)
	errs := make(chan error, 40)
	for k := range 40 {
		go func() {
			part := all[(k*50)%1500 : (k*50)%1500+500] // overlapping windows
			acc, dup, err := ing.Store(ctx, "feed", part)
			if err != nil {
				errs <- err
			}
			out <- res{acc, dup, len(part)}
		}()
	}
	accepted := 0
	for range 40 {
		r := <-out
		if r.acc+r.dup != r.n {
			t.Fatalf("a call got %d + %d of %d", r.acc, r.dup, r.n)
		}
		accepted += r.acc
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var raw uint64
	if err := ing.ch.QueryRow(ctx, "SELECT count() FROM events").Scan(&raw); err != nil {
		t.Fatal(err)
	}
	// Windows start at 0, 50, ..., 1450 and are 500 long: events 0..1949.
	if accepted != 1950 || raw != 1950 {
		t.Fatalf("accepted %d, stored %d, want 1950", accepted, raw)
	}
}

// TestStoreSpanningManyMonths: one insert may carry events of more months
// than ClickHouse 19+ allows partitions per insert by default (100): a
// backfill of ten years is stored whole, in raw events and rollups. 18.16
// has no such limit (this passes there either way, and shows that the
// setting is not sent to a server that would refuse it); on chDB (26.7) it
// checks that insertContext lifts the limit.
func TestStoreSpanningManyMonths(t *testing.T) {
	analyticstest.OnEachEngine(t, testStoreSpanningManyMonths)
}

func testStoreSpanningManyMonths(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ctx := context.Background()
	var evs []event.Event
	for m := range 120 {
		at := time.Date(2003, time.Month(1+m), 15, 12, 0, 0, 0, time.UTC)
		evs = append(evs, analyticstest.Sent(fmt.Sprintf("month-%d", m), at, analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, true, false))
	}
	if acc, dup, err := ing.Store(ctx, "backfill", evs); err != nil || acc != 120 || dup != 0 {
		t.Fatalf("store: %d %d %v", acc, dup, err)
	}
	if f := analyticstest.ReadFigures(t, ing.ch); f.Raw != 120 || f.RollMessages != 120 || f.RollTotal != 120 {
		t.Fatalf("figures %+v, want 120", f)
	}
}
