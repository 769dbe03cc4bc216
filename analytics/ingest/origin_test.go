package ingest

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

func addSource(t *testing.T, db *store.DB, name, origin string) {
	t.Helper()
	if _, err := db.Exec(`INSERT INTO sources (name, kind, origin, created_at) VALUES (?, 'push', ?, ?)`, name, origin, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func eventRows(t *testing.T, ing *Ingester) uint64 {
	t.Helper()
	if err := ing.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n uint64
	if err := ing.ch.QueryRow(context.Background(), `SELECT count() FROM events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestConcurrentClaimsOfOneOrigin: two sources of one origin sending the
// same events at the same time store each once (SQLite's uniqueness in
// the claim transactions decides), and every batch settles.
func TestConcurrentClaimsOfOneOrigin(t *testing.T) {
	dir := t.TempDir()
	db := analyticstest.NewDB(t, dir)
	addSource(t, db, "pull", "mailbox")
	addSource(t, db, "push", "mailbox")
	ing := New(db, analyticstest.NewCH(t), analyticstest.QuietLogger())
	evs := spoolEvents("c", 400)
	var wg sync.WaitGroup
	accepted := make([]int, 2)
	for n, src := range []string{"pull", "push"} {
		wg.Go(func() {
			for start := 0; start < len(evs); start += 50 {
				acc, _, err := ing.Spool(context.Background(), src, evs[start:start+50])
				if err != nil {
					t.Error(err)
					return
				}
				accepted[n] += acc
			}
		})
	}
	wg.Wait()
	if accepted[0]+accepted[1] != len(evs) {
		t.Fatalf("accepted %v, want %d in all", accepted, len(evs))
	}
	if n := eventRows(t, ing); n != uint64(len(evs)) {
		t.Fatalf("%d rows, want %d", n, len(evs))
	}
	var pending int
	db.QueryRow(`SELECT count(*) FROM ingest_batches WHERE state = 'pending'`).Scan(&pending)
	if pending != 0 {
		t.Fatalf("%d batches pending", pending)
	}
	var overlaps int
	db.QueryRow(`SELECT count(*) FROM origin_overlaps`).Scan(&overlaps)
	if overlaps != 0 {
		t.Fatalf("%d overlaps recorded within one origin", overlaps)
	}
}

// TestLedgerBeforeOriginsKeepsDeduplicating: a ledger written before
// 0007_origins.sql (keys of 8 bytes of SHA-256 of the source name and the
// event_id) still recognises its events after the migration, also through a
// new source given that source as its origin.
func TestLedgerBeforeOriginsKeepsDeduplicating(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, filepath.Join(dir, "pilotpulse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ms, err := store.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at DATETIME NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version >= 7 {
			break
		}
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, ?)`, m.Version, m.Name, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	// The old version's ledger for source "feed": e0..e9 stored.
	evs := spoolEvents("e", 15)
	if _, err := db.Exec(`INSERT INTO sources (name, kind, created_at) VALUES ('feed', 'push', ?)`, time.Now()); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("feed"))
	for _, ev := range evs[:10] {
		if _, err := db.Exec(`INSERT INTO event_keys (k) VALUES (?)`, append(sum[:8:8], ev.EventID...)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`INSERT INTO ingest_batches (source, state, events, duplicates, min_occurred, max_occurred, created_at, stored_at)
		VALUES ('feed', 'stored', 10, 0, 0, 0, ?, ?)`, time.Now(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if applied, err := db.Migrate(ctx); err != nil || len(applied) == 0 {
		t.Fatalf("migrate: %v %v", applied, err)
	}
	addSource(t, db, "feed-push", "feed")
	ing := New(db, analyticstest.NewCH(t), analyticstest.QuietLogger())
	if acc, dup, err := ing.Store(ctx, "feed", evs[:12]); err != nil || acc != 2 || dup != 10 {
		t.Fatalf("old source: accepted %d duplicates %d err %v, want 2 and 10", acc, dup, err)
	}
	if acc, dup, err := ing.Store(ctx, "feed-push", evs); err != nil || acc != 3 || dup != 12 {
		t.Fatalf("new source of its origin: accepted %d duplicates %d err %v, want 3 and 12", acc, dup, err)
	}
	if n := eventRows(t, ing); n != 5 {
		t.Fatalf("%d rows, want 5", n)
	}
}
