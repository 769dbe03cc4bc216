package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// outage makes every ClickHouse insert of ing fail while it is on, as an
// outage would, and records the batches of the inserts that go through, in
// their order.
type outage struct {
	on       atomic.Bool
	mu       sync.Mutex
	inserted []int64
}

func newOutage(ing *Ingester) *outage {
	o := &outage{}
	o.on.Store(true)
	ing.beforeInsert = func(ids []int64) error {
		if o.on.Load() {
			return errors.New("ClickHouse went away")
		}
		o.mu.Lock()
		o.inserted = append(o.inserted, ids...)
		o.mu.Unlock()
		return nil
	}
	ing.beforeLookup = func() error {
		if o.on.Load() {
			return errors.New("ClickHouse went away")
		}
		return nil
	}
	return o
}

// TestSpoolThroughOutageDrainsInOrder: while ClickHouse fails every insert,
// calls are still answered from the ledger, duplicates are found against
// the pending batches, and nothing is in ClickHouse; when it answers again
// the backlog goes in oldest batch first, each batch once, each event once.
func TestSpoolThroughOutageDrainsInOrder(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ctx := context.Background()
	o := newOutage(ing)
	evs := spoolEvents("o", 1000)
	accepted := 0
	for k := range 20 {
		part := evs[max(0, k*50-10) : k*50+50] // each call repeats 10 events of the one before
		acc, dup, err := ing.Spool(ctx, "feed", part)
		if err != nil {
			t.Fatalf("call %d while ClickHouse is down: %v", k, err)
		}
		if acc != 50 || dup != len(part)-50 {
			t.Fatalf("call %d: accepted %d duplicates %d, want 50 and %d", k, acc, dup, len(part)-50)
		}
		accepted += acc
	}
	if err := ing.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := ing.Backlog(ctx)
	if err != nil || b.Events != 1000 || b.Batches < 2 || b.Bytes <= 0 || b.Limit != DefaultBacklogLimit {
		t.Fatalf("backlog while down: %+v %v", b, err)
	}
	if n := rawCount(t, ing); n != 0 {
		t.Fatalf("%d events in ClickHouse during the outage", n)
	}
	if err := ing.Flush(ctx); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("flush while down: %v, want ErrUnavailable", err)
	}
	var pending []int64
	rows, err := ing.db.Query(`SELECT id FROM ingest_batches WHERE state = 'pending' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		pending = append(pending, id)
	}
	rows.Close()

	o.on.Store(false)
	if err := ing.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(o.inserted, pending) {
		t.Fatalf("batches inserted %v, want each pending batch once, oldest first: %v", o.inserted, pending)
	}
	if f := analyticstest.ReadFigures(t, ing.ch); f.Raw != 1000 || f.RollMessages != 1000 || f.RollTotal != 1000 || accepted != 1000 {
		t.Fatalf("figures %+v, accepted %d; want 1000", f, accepted)
	}
	if acc, dup, err := ing.Store(ctx, "feed", evs); err != nil || acc != 0 || dup != 1000 {
		t.Fatalf("resend: accepted %d duplicates %d, %v", acc, dup, err)
	}
	if b, err := ing.Backlog(ctx); err != nil || b.Batches != 0 || b.Events != 0 || b.Bytes != 0 || b.OldestSeconds != 0 {
		t.Fatalf("backlog after: %+v %v", b, err)
	}
}

// TestBacklogBound: past the bound of events, and of bytes, a call is
// refused whole (ErrBacklogFull, an outage) and nothing of it is kept; the
// calls that fit are taken, and all of them land once ClickHouse is back.
func TestBacklogBound(t *testing.T) {
	evs := spoolEvents("b", 200)
	size := int64(0) // of the first 150 events, as the bound counts them
	for k := range evs[:150] {
		size += int64(spoolSize(&evs[k]))
	}
	for _, tc := range []struct {
		name  string
		limit BacklogLimit
	}{
		{"events", BacklogLimit{Events: 150}},
		{"bytes", BacklogLimit{Bytes: size}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ing, _ := newTestIngester(t, analyticstest.Server)
			ctx := context.Background()
			ing.SetBacklogLimit(tc.limit)
			o := newOutage(ing)
			for k := range 3 {
				if acc, _, err := ing.Spool(ctx, "feed", evs[k*50:k*50+50]); err != nil || acc != 50 {
					t.Fatalf("call %d below the bound: %d %v", k, acc, err)
				}
			}
			_, _, err := ing.Spool(ctx, "feed", evs[150:])
			if !errors.Is(err, ErrBacklogFull) || !errors.Is(err, ErrUnavailable) || !problem.Unavailable(err) {
				t.Fatalf("call past the bound: %v, want ErrBacklogFull (an outage)", err)
			}
			if m, ok := problem.MessageOf(err); !ok || m.Key != "ingest.backlog_full" {
				t.Fatalf("message %+v", m)
			}
			if b, err := ing.Backlog(ctx); err != nil || b.Events != 150 {
				t.Fatalf("backlog %+v %v, want the 150 taken", b, err)
			}
			o.on.Store(false)
			if err := ing.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			// The refused call kept nothing: sent again, all of it is new.
			if acc, dup, err := ing.Store(ctx, "feed", evs[140:]); err != nil || acc != 50 || dup != 10 {
				t.Fatalf("the refused call again: accepted %d duplicates %d, %v", acc, dup, err)
			}
			if n := rawCount(t, ing); n != 200 {
				t.Fatalf("%d events in ClickHouse, want 200", n)
			}
		})
	}
}

// TestOutageClaimsInsideTheHorizon: while ClickHouse is down, a call with
// an event older than the dedup horizon (its day compacted, so it must be
// looked up in ClickHouse) fails with ErrUnavailable, while calls with
// events inside the horizon, sent at the same time, are still claimed and
// acknowledged; once ClickHouse is back they are stored, and the old
// call's retry goes through.
func TestOutageClaimsInsideTheHorizon(t *testing.T) {
	ing, _ := newTestIngester(t, analyticstest.Server)
	ing.SetDedupHorizon(7 * 24 * time.Hour)
	ctx := context.Background()
	first := daysOf("early", time.Date(2012, 11, 1, 9, 0, 0, 0, time.UTC), 20)
	later := daysOf("late", time.Date(2013, 1, 1, 9, 0, 0, 0, time.UTC), 10)
	for _, evs := range [][]event.Event{first, later} {
		if acc, _, err := ing.Store(ctx, "feed", evs); err != nil || acc != len(evs) {
			t.Fatalf("store: %d %v", acc, err)
		}
	}
	if _, err := ing.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	before := rawCount(t, ing)
	o := newOutage(ing)
	old := daysOf("old-new", time.Date(2012, 11, 5, 9, 0, 0, 0, time.UTC), 1)
	const rounds = 5
	for k := range rounds {
		recent := daysOf(fmt.Sprintf("recent%d-", k), time.Date(2013, 1, 9, 9, 0, 0, 0, time.UTC), 2)
		var wg sync.WaitGroup
		var oldErr, recentErr error
		var recentAcc int
		wg.Add(2)
		go func() { defer wg.Done(); _, _, oldErr = ing.Spool(ctx, "feed", old) }()
		go func() { defer wg.Done(); recentAcc, _, recentErr = ing.Spool(ctx, "feed", recent) }()
		wg.Wait()
		if !errors.Is(oldErr, ErrUnavailable) {
			t.Fatalf("round %d: the old event during the outage: %v, want ErrUnavailable", k, oldErr)
		}
		if recentErr != nil || recentAcc != 2 {
			t.Fatalf("round %d: recent events during the outage: accepted %d (%v), want 2", k, recentAcc, recentErr)
		}
	}
	o.on.Store(false)
	if acc, _, err := ing.Spool(ctx, "feed", old); err != nil || acc != 1 {
		t.Fatalf("the old event after the outage: accepted %d (%v), want 1", acc, err)
	}
	if err := ing.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if n := rawCount(t, ing); n != before+2*rounds+1 {
		t.Fatalf("%d events in ClickHouse, want %d", n, before+2*rounds+1)
	}
}
