package ingest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// keyHeld says whether the ledger holds ev's key under origin: in the table
// from before the day tables, or in its day's table.
func keyHeld(t *testing.T, ing *Ingester, origin string, ev event.Event) bool {
	t.Helper()
	ctx := context.Background()
	var n int
	if err := ing.db.QueryRow(`SELECT count(*) FROM event_keys WHERE k = ?`, []byte(keyPrefix(origin)+ev.EventID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n > 0 {
		return true
	}
	id, err := ing.originNumber(ctx, origin, false)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := dayTables(ctx, ing.db)
	if err != nil {
		t.Fatal(err)
	}
	table, ok := tables[dayOf(ev.OccurredAt)]
	if id == 0 || !ok {
		return false
	}
	prefix, err := ing.originPrefix(ctx, origin)
	if err != nil {
		t.Fatal(err)
	}
	if err := ing.db.QueryRow(`SELECT count(*) FROM `+table+` WHERE k = ?`, []byte(prefix+ev.EventID)).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// daysOf makes n message.sent events, one per day from first, with ids
// prefix0, prefix1, ...
func daysOf(prefix string, first time.Time, n int) []event.Event {
	var out []event.Event
	for k := range n {
		out = append(out, analyticstest.Sent(fmt.Sprintf("%s%d", prefix, k), first.AddDate(0, 0, k), analyticstest.CVRCompanyA,
			analyticstest.CVRAuthorityX, event.ChannelDigital, k%2 == 0, k%3 == 0))
	}
	return out
}

func dayTableCount(t *testing.T, ing *Ingester) int {
	t.Helper()
	tables, err := dayTables(context.Background(), ing.db)
	if err != nil {
		t.Fatal(err)
	}
	return len(tables)
}

func TestResendAfterHorizonChangesNoFigure(t *testing.T) {
	analyticstest.OnEachEngine(t, testResendAfterHorizonChangesNoFigure)
}

// testResendAfterHorizonChangesNoFigure: events stored, then newer ones a
// long way after, so that the horizon (7 days) has passed the first ones
// and compaction drops their days; resending the first ones, through
// their source or another source of their origin, after a restart,
// changes no figure (ClickHouse's key table knows them), while an old
// event never sent before is stored, once.
func testResendAfterHorizonChangesNoFigure(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ing.SetDedupHorizon(7 * 24 * time.Hour)
	ctx := context.Background()
	addSource(t, ing.db, "feed-push", "feed")
	first := daysOf("early", time.Date(2012, 11, 1, 9, 0, 0, 0, time.UTC), 20)
	later := daysOf("late", time.Date(2013, 1, 1, 9, 0, 0, 0, time.UTC), 10)
	if acc, _, err := ing.Store(ctx, "feed", first); err != nil || acc != 20 {
		t.Fatalf("first: %d %v", acc, err)
	}
	if acc, _, err := ing.Store(ctx, "feed", later); err != nil || acc != 10 {
		t.Fatalf("later: %d %v", acc, err)
	}
	if got := dayTableCount(t, ing); got != 30 {
		t.Fatalf("%d day tables before compaction, want 30", got)
	}
	before := analyticstest.ReadFigures(t, ing.ch)
	dropped, err := ing.Compact(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The newest day is 2013-01-10: days before 2013-01-03 go (the 20 of
	// November, and 2013-01-01 and -02).
	if dropped != 22 || dayTableCount(t, ing) != 8 {
		t.Fatalf("compaction dropped %d day tables, %d left; want 22 and 8", dropped, dayTableCount(t, ing))
	}
	if keyHeld(t, ing, "feed", first[0]) {
		t.Fatal("the key of a compacted day is still in the ledger")
	}
	restarted := New(ing.db, ing.ch, analyticstest.QuietLogger())
	restarted.SetDedupHorizon(7 * 24 * time.Hour)
	if err := restarted.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	for _, source := range []string{"feed", "feed-push"} {
		if acc, dup, err := restarted.Store(ctx, source, append(first, later...)); err != nil || acc != 0 || dup != 30 {
			t.Fatalf("resend through %s: accepted %d duplicates %d (%v), want 0 and 30", source, acc, dup, err)
		}
	}
	if after := analyticstest.ReadFigures(t, ing.ch); after != before {
		t.Fatalf("figures after the resend %+v, want %+v", after, before)
	}
	// An old event never sent: stored once, however often it comes.
	fresh := daysOf("never-sent", time.Date(2012, 11, 3, 9, 0, 0, 0, time.UTC), 3)
	for n, want := range []int{3, 0, 0} {
		source := []string{"feed", "feed-push", "feed"}[n]
		if acc, _, err := restarted.Store(ctx, source, fresh); err != nil || acc != want {
			t.Fatalf("old event, send %d: accepted %d (%v), want %d", n+1, acc, err, want)
		}
		if _, err := restarted.Compact(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if f := analyticstest.ReadFigures(t, ing.ch); f.Raw != before.Raw+3 || f.RollMessages != before.RollMessages+3 {
		t.Fatalf("figures %+v, want 3 more than %+v", f, before)
	}
}

// TestConcurrentLateResendsStoreOnce: two sources of one origin send the
// same old events (their days compacted) at once, again and again, while
// compactions run: each event is stored once. The claims decide in
// SQLite (the old day's table is made again); a claim that looked in
// ClickHouse before a compaction looks again.
func TestConcurrentLateResendsStoreOnce(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ing.SetDedupHorizon(24 * time.Hour)
	ctx := context.Background()
	addSource(t, ing.db, "a", "shared")
	addSource(t, ing.db, "b", "shared")
	if acc, _, err := ing.Store(ctx, "a", daysOf("now", time.Date(2013, 6, 1, 9, 0, 0, 0, time.UTC), 1)); err != nil || acc != 1 {
		t.Fatalf("newest: %d %v", acc, err)
	}
	if _, err := ing.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	old := daysOf("old", time.Date(2012, 11, 1, 9, 0, 0, 0, time.UTC), 40)
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	errs := make(chan error, 100)
	for k := range 12 {
		source := []string{"a", "b"}[k%2]
		wg.Go(func() {
			part := old[(k*3)%20 : (k*3)%20+20]
			acc, dup, err := ing.Store(ctx, source, part)
			if err != nil {
				errs <- err
				return
			}
			if acc+dup != len(part) {
				errs <- fmt.Errorf("%s: %d + %d of %d", source, acc, dup, len(part))
			}
			mu.Lock()
			accepted += acc
			mu.Unlock()
		})
		wg.Go(func() {
			if _, err := ing.Compact(ctx); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var raw, distinct uint64
	if err := ing.ch.QueryRow(ctx, `SELECT count(), uniqExact(event_id) FROM events WHERE event_id LIKE 'old%'`).Scan(&raw, &distinct); err != nil {
		t.Fatal(err)
	}
	// Windows start at (0, 3, ..., 33) mod 20, at most 18, and are 20
	// long: old0..old37.
	if accepted != 38 || raw != 38 || distinct != 38 {
		t.Fatalf("accepted %d, stored %d (%d distinct), want 38", accepted, raw, distinct)
	}
}

// TestCompactionKeepsDaysOfPendingBatches: an old event's batch that a
// crash left pending (in ClickHouse, not marked stored) keeps its day's
// table through compactions until it is settled; then the day goes, and
// a resend is a duplicate by ClickHouse's key table.
func TestCompactionKeepsDaysOfPendingBatches(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ing.SetDedupHorizon(24 * time.Hour)
	ctx := context.Background()
	if acc, _, err := ing.Store(ctx, "feed", daysOf("now", time.Date(2013, 6, 1, 9, 0, 0, 0, time.UTC), 1)); err != nil || acc != 1 {
		t.Fatalf("newest: %d %v", acc, err)
	}
	if _, err := ing.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	old := daysOf("old", time.Date(2012, 11, 1, 9, 0, 0, 0, time.UTC), 2)
	crashing := New(ing.db, ing.ch, analyticstest.QuietLogger())
	crashing.SetDedupHorizon(24 * time.Hour)
	crashing.afterInsert = func(int64) error { return errors.New("simulated crash") }
	if acc, _, err := crashing.Spool(ctx, "feed", old); err != nil || acc != 2 {
		t.Fatalf("crashing spool: %d %v", acc, err)
	}
	if err := crashing.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pendingBatches(t, ing); n != 1 {
		t.Fatalf("%d pending batches, want 1", n)
	}
	if dropped, err := ing.Compact(ctx); err != nil || dropped != 0 || !keyHeld(t, ing, "feed", old[0]) {
		t.Fatalf("compaction with the batch pending dropped %d (%v); the key must stay", dropped, err)
	}
	restarted := New(ing.db, ing.ch, analyticstest.QuietLogger())
	restarted.SetDedupHorizon(24 * time.Hour)
	if err := restarted.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if dropped, err := restarted.Compact(ctx); err != nil || dropped != 2 || keyHeld(t, ing, "feed", old[0]) {
		t.Fatalf("compaction once settled dropped %d (%v), want the 2 days", dropped, err)
	}
	if acc, dup, err := restarted.Store(ctx, "feed", old); err != nil || acc != 0 || dup != 2 {
		t.Fatalf("resend: accepted %d duplicates %d (%v), want 0 and 2", acc, dup, err)
	}
	if n := rawCount(t, ing); n != 3 {
		t.Fatalf("%d events in ClickHouse, want 3", n)
	}
}

// TestLedgerStaysBoundedAsHistoryGrows: 45 days of events, a day at a
// time, with a 5-day horizon and compaction after each day: the ledger
// never holds more than the horizon's days, and its size stops growing.
func TestLedgerStaysBoundedAsHistoryGrows(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ing.SetDedupHorizon(5 * 24 * time.Hour)
	ctx := context.Background()
	start := time.Date(2012, 1, 1, 0, 0, 0, 0, time.UTC)
	var sizes []int64
	for d := range 45 {
		var evs []event.Event
		for k := range 200 {
			evs = append(evs, analyticstest.Sent(fmt.Sprintf("d%d-%d", d, k), start.AddDate(0, 0, d).Add(time.Duration(k)*time.Minute),
				analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, false, false))
		}
		if acc, _, err := ing.Spool(ctx, "feed", evs); err != nil || acc != 200 {
			t.Fatalf("day %d: %d %v", d, acc, err)
		}
		if err := ing.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := ing.Compact(ctx); err != nil {
			t.Fatal(err)
		}
		if n := dayTableCount(t, ing); n > 6 {
			t.Fatalf("day %d: %d day tables, want at most 6", d, n)
		}
		if d%15 == 14 {
			size, _, err := ing.LedgerSize(ctx)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, size)
		}
	}
	// The ledger holds 6 days of keys: its size stays put while the
	// history triples.
	for _, s := range sizes[1:] {
		if s < sizes[0]*4/5 || s > sizes[0]*5/4 {
			t.Fatalf("ledger bytes at 15, 30, 45 days: %v, want them flat", sizes)
		}
	}
}
