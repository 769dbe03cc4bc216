package ingest

import (
	"context"
	"encoding/binary"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
)

// TestSettleKeysOnlyBatchFromBeforeTheSpool: a batch a version before the
// spool (0006_spool.sql) left pending has its keys and no payload, and its
// caller was never answered. Settling keeps the keys of its rows that
// ClickHouse has, releases the others (a resend stores them) and marks it
// stored; a spooled batch pending after it is settled as usual.
func TestSettleKeysOnlyBatchFromBeforeTheSpool(t *testing.T) {
	dir := t.TempDir()
	db, ch := analyticstest.NewDB(t, dir), analyticstest.NewCH(t)
	ctx := context.Background()
	evs := spoolEvents("old", 6)
	ing := New(db, ch, analyticstest.QuietLogger())

	// What the old version did for evs[:4]: claim their keys and record the
	// batch with its key list, in one transaction; then it inserted evs[:2]
	// into ClickHouse and died before marking the batch stored.
	prefix := keyPrefix("legacy")
	var keys []byte
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs[:4] {
		k := prefix + ev.EventID
		keys = binary.AppendUvarint(keys, uint64(len(k)))
		keys = append(keys, k...)
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_keys (k) VALUES (?)`, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO ingest_batches (source, state, events, duplicates, min_occurred, max_occurred, keys, created_at)
		VALUES ('legacy', 'pending', 4, 0, ?, ?, ?, ?)`, evs[0].OccurredAt.Unix(), evs[3].OccurredAt.Unix(), keys, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	legacy, _ := res.LastInsertId()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := ing.insert(ctx, "legacy", []*flight{{batchID: legacy, rows: 2, payload: encodeSpool(eventPtrs(evs), []int{0, 1})}}); err != nil {
		t.Fatal(err)
	}
	// After the upgrade a spooled batch (evs[4:]) is acknowledged and left
	// pending too.
	req := &storeReq{events: evs[4:], done: make(chan storeRes, 1)}
	if _, err := ing.claimGroup(ctx, "legacy", []*storeReq{req}); err != nil {
		t.Fatal(err)
	}
	if r := <-req.done; r.accepted != 2 {
		t.Fatalf("claim of the spooled batch: %+v", r)
	}

	if err := New(db, ch, analyticstest.QuietLogger()).Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if n := pendingBatches(t, ing); n != 0 {
		t.Fatalf("%d batches still pending", n)
	}
	var events int
	var left []byte
	if err := db.QueryRow(`SELECT events, keys FROM ingest_batches WHERE id = ? AND state = 'stored'`, legacy).Scan(&events, &left); err != nil {
		t.Fatalf("the old batch: %v", err)
	}
	if events != 2 || left != nil {
		t.Fatalf("the old batch says %d events, keys %q; want the 2 ClickHouse has, no keys", events, left)
	}
	for n, ev := range evs {
		// The old batch's keys are in the table from before the day tables,
		// the spooled batch's in their day's table.
		if want := n < 2 || n >= 4; keyHeld(t, ing, "legacy", ev) != want {
			t.Errorf("key of %s held %v, want %v", ev.EventID, !want, want)
		}
	}
	if n := rawCount(t, ing); n != 4 {
		t.Fatalf("%d events in ClickHouse, want 4 (2 of the old batch, 2 spooled)", n)
	}
	// The caller of the old batch was never answered: it sends again.
	if acc, dup, err := ing.Store(ctx, "legacy", evs); err != nil || acc != 2 || dup != 4 {
		t.Fatalf("resend: accepted %d duplicates %d, %v; want 2 and 4", acc, dup, err)
	}
	var raw, distinct uint64
	if err := ch.QueryRow(ctx, `SELECT count(), uniqExact(event_id) FROM events`).Scan(&raw, &distinct); err != nil {
		t.Fatal(err)
	}
	if raw != 6 || distinct != 6 {
		t.Fatalf("%d events (%d distinct) in ClickHouse, want 6", raw, distinct)
	}
}

// TestSettleWaitsForAnOrphanInsert: an insert whose connection broke (an
// outage, a crash of the process) may still be writing on the server while
// its batch is settled. Settling waits until ClickHouse no longer lists it,
// so its rows are seen as stored and not inserted a second time.
func TestSettleWaitsForAnOrphanInsert(t *testing.T) {
	db, ch := analyticstest.NewDB(t, t.TempDir()), analyticstest.NewCH(t)
	ctx := context.Background()
	ing := New(db, ch, analyticstest.QuietLogger())
	evs := spoolEvents("orph", 4)
	req := &storeReq{events: evs, done: make(chan storeRes, 1)}
	f, err := ing.claimGroup(ctx, "orph", []*storeReq{req})
	if err != nil {
		t.Fatal(err)
	}
	if r := <-req.done; r.accepted != 4 {
		t.Fatalf("claim: %+v", r)
	}
	// The batch's insert, still running on the server (sleep(3) holds it
	// in system.processes) under the name its session gave it.
	orphan := make(chan error, 1)
	go func() {
		octx := clickhouse.Context(ctx, clickhouse.WithQueryID(insertQueryID("orph")))
		orphan <- ch.Exec(octx, `INSERT INTO events (source, event_id, occurred_at, received_at, type, batch_id)
			SELECT 'orph', concat('orph', toString(n)), toDateTime(?) + n * 3600, now(), 'message.sent', ?
			FROM (SELECT arrayJoin(range(4)) AS n) WHERE sleep(3) = 0`, uint32(evs[0].OccurredAt.Unix()), uint64(f.batchID))
	}()
	for listed := uint64(0); listed == 0; {
		if err := ch.QueryRow(ctx, `SELECT count() FROM system.processes WHERE query_id LIKE ?`, insertQueryPrefix("orph")+"%").Scan(&listed); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-orphan:
			t.Fatalf("the orphan insert ended before it was seen running: %v", err)
		default:
		}
	}
	if err := New(db, ch, analyticstest.QuietLogger()).Recover(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-orphan; err != nil {
		t.Fatal(err)
	}
	var raw, distinct uint64
	if err := ch.QueryRow(ctx, `SELECT count(), uniqExact(event_id) FROM events`).Scan(&raw, &distinct); err != nil {
		t.Fatal(err)
	}
	if raw != 4 || distinct != 4 || pendingBatches(t, ing) != 0 {
		t.Fatalf("%d rows (%d distinct), %d batches pending; want 4 rows once, none pending", raw, distinct, pendingBatches(t, ing))
	}
}
