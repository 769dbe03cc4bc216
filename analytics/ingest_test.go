package analytics

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// Valid CVRs (modulus 11).
const (
	cvrCompanyA   = "10000009"
	cvrCompanyB   = "10000017"
	cvrAuthorityX = "10000025"
	cvrAuthorityY = "10000033"
)

func quietLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newTestDB opens a migrated app database in dir.
func newTestDB(t testing.TB, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(dir, "pilotpulse.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// newTestCH returns a fresh, migrated ClickHouse database.
func newTestCH(t testing.TB) driver.Conn {
	t.Helper()
	ch, _ := warehousetest.NewDatabase(t)
	if _, err := warehouse.Migrate(context.Background(), ch, Migrations); err != nil {
		t.Fatal(err)
	}
	return ch
}

func newTestIngester(t testing.TB) (*Ingester, string) {
	dir := t.TempDir()
	return NewIngester(newTestDB(t, dir), newTestCH(t), quietLogger()), dir
}

func sent(id string, at time.Time, company, authority, channel string, meta, deep bool) Event {
	return Event{EventID: id, OccurredAt: at.UTC(), ReceivedAt: at.UTC(), Type: TypeMessageSent, CompanyCVR: company,
		AuthorityCVR: authority, Channel: channel, HasMetadata: &meta, HasDeepLink: &deep}
}

// figures are every number the tables give: raw and rollups.
type figures struct {
	Raw, RawMessages, RawMeta, RawDeep          uint64
	RollMessages, RollMeta, RollDeep, RollTotal uint64
}

func readFigures(t testing.TB, ch driver.Conn) figures {
	t.Helper()
	ctx := context.Background()
	var f figures
	q := func(sql string, dst ...any) {
		if err := ch.QueryRow(ctx, sql).Scan(dst...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	q(`SELECT count(), countIf(type = 'message.sent'), countIf(type = 'message.sent' AND has_metadata = 1),
		countIf(type = 'message.sent' AND has_deep_link = 1) FROM events`, &f.Raw, &f.RawMessages, &f.RawMeta, &f.RawDeep)
	q(`SELECT sum(messages), sum(with_metadata), sum(with_deep_link) FROM rollup_messages_daily`, &f.RollMessages, &f.RollMeta, &f.RollDeep)
	q(`SELECT sum(events) FROM rollup_company_daily`, &f.RollTotal)
	return f
}

func mixedNDJSON() string {
	lines := []string{
		`{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":true,"has_deep_link":false}`,
		`{"event_id":"e2","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017","user_ref":"u1","extra":{"ignored":1}}`,
		`{"event_id":"e3","occurred_at":"2012-11-05 10:30","type":"user.login","company_cvr":"10000017"}`,
		``,
		`{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital"}`,
		`{"event_id":"e4","occurred_at":"2012-11-06T10:30:00Z","type":"message.sent","company_cvr":"10000008","authority_cvr":"10000025","channel":"digital"}`,
		`{"event_id":"e5","occurred_at":"2012-11-06T10:30:00Z","type":"something.new","company_cvr":"10000009"}`,
		`not json`,
		`{"event_id":"e6","occurred_at":"2012-11-06T11:30:00Z","type":"message.sent","company_cvr":"10000017","authority_cvr":"10000033","channel":"fax"}`,
		`{"event_id":"e7","occurred_at":"2012-11-06T11:30:00Z","type":"message.sent","company_cvr":"10000017","authority_cvr":"10000033","channel":"remote_print","has_deep_link":"yes"}`,
		`{"event_id":"e8","occurred_at":"2012-11-06T11:30:00Z","type":"message.sent","company_cvr":"10000017","authority_cvr":"10000033","channel":"remote_print","has_deep_link":true}`,
	}
	return strings.Join(lines, "\n") + "\n"
}

// decodeAll decodes a stream into events and line errors.
func decodeAll(t testing.TB, body string, f Format) ([]Event, []LineError) {
	t.Helper()
	var evs []Event
	rej, err := Decode(strings.NewReader(body), f, time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC), func(_ int, ev Event) error {
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs, rej
}

func TestStoreMixedBatchCounts(t *testing.T) {
	ing, _ := newTestIngester(t)
	ctx := context.Background()
	evs, rej := decodeAll(t, mixedNDJSON(), FormatNDJSON)
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
	f := readFigures(t, ing.ch)
	want := figures{Raw: 4, RawMessages: 2, RawMeta: 1, RawDeep: 1, RollMessages: 2, RollMeta: 1, RollDeep: 1, RollTotal: 4}
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
	if f2 := readFigures(t, ing.ch); f2 != want {
		t.Fatalf("after resend: %+v, want %+v", f2, want)
	}
	acc, dup, err = ing.Store(ctx, "feed-b", evs[:1])
	if err != nil || acc != 1 || dup != 0 {
		t.Fatalf("other source: accepted %d duplicates %d err %v", acc, dup, err)
	}
}

func TestStoreCrashBetweenInsertAndMark(t *testing.T) {
	dir := t.TempDir()
	db := newTestDB(t, dir)
	ch := newTestCH(t)
	ctx := context.Background()
	base := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	var evs []Event
	for n := range 50 {
		evs = append(evs, sent(fmt.Sprintf("m%d", n), base.Add(time.Duration(n)*time.Hour*24), cvrCompanyA, cvrAuthorityX, ChannelDigital, n%2 == 0, n%5 == 0))
	}
	// A first, complete batch.
	ing := NewIngester(db, ch, quietLogger())
	if acc, _, err := ing.Store(ctx, "feed", evs[:10]); err != nil || acc != 10 {
		t.Fatalf("first: %d %v", acc, err)
	}
	// The second send is acknowledged, then "crashes" after ClickHouse has
	// its rows, before they are marked stored.
	crashing := NewIngester(db, ch, quietLogger())
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
	restarted := NewIngester(db, ch, quietLogger())
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
	f := readFigures(t, ch)
	if f.Raw != 50 || f.RollMessages != 50 || f.RollTotal != 50 || f.RawMeta != f.RollMeta || f.RawDeep != f.RollDeep || f.RollMeta != 25 {
		t.Fatalf("figures %+v, want 50 of each", f)
	}
}

// TestStoreConcurrentCallsShareOut: concurrent calls for one source (grouped
// into common commits) with overlapping events accept each event once.
func TestStoreConcurrentCallsShareOut(t *testing.T) {
	ing, _ := newTestIngester(t)
	ctx := context.Background()
	base := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	var all []Event
	for n := range 2000 {
		all = append(all, sent(fmt.Sprintf("c%d", n), base.Add(time.Duration(n)*time.Minute), cvrCompanyA, cvrAuthorityX, ChannelDigital, true, false))
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
// setting is not sent to a server that would refuse it); against 24.x it
// checks that insertContext lifts the limit.
func TestStoreSpanningManyMonths(t *testing.T) {
	ing, _ := newTestIngester(t)
	ctx := context.Background()
	var evs []Event
	for m := range 120 {
		at := time.Date(2003, time.Month(1+m), 15, 12, 0, 0, 0, time.UTC)
		evs = append(evs, sent(fmt.Sprintf("month-%d", m), at, cvrCompanyA, cvrAuthorityX, ChannelDigital, true, false))
	}
	if acc, dup, err := ing.Store(ctx, "backfill", evs); err != nil || acc != 120 || dup != 0 {
		t.Fatalf("store: %d %d %v", acc, dup, err)
	}
	if f := readFigures(t, ing.ch); f.Raw != 120 || f.RollMessages != 120 || f.RollTotal != 120 {
		t.Fatalf("figures %+v, want 120", f)
	}
}
