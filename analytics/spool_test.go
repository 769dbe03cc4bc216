package analytics

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

func TestSpoolPayloadRoundTrip(t *testing.T) {
	yes, no := true, false
	at := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	evs := []Event{
		sent("a", at, cvrCompanyA, cvrAuthorityX, ChannelDigital, true, false),
		{EventID: "skipped", OccurredAt: at, ReceivedAt: at, Type: TypeLogin, CompanyCVR: cvrCompanyB},
		{EventID: "ø-ünïcode", OccurredAt: at.Add(-time.Hour), ReceivedAt: at.Add(time.Second), Type: "brand.new",
			CompanyCVR: cvrCompanyB, ByRule: &yes, HasDeepLink: &no, MessageRef: "m", UserRef: "u", RightsModel: "r",
			Reason: "why\nnot", Folder: "Indbakke", Role: "admin"},
		{EventID: "zero", Type: TypeLogin, CompanyCVR: cvrCompanyA, OccurredAt: time.Unix(0, 0).UTC(), ReceivedAt: time.Unix(0, 0).UTC()},
	}
	b := encodeSpool(eventPtrs(evs), []int{0, 2, 3})
	got, err := decodeSpool(b)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{evs[0], evs[2], evs[3]}
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
	f.Add(encodeSpool([]*Event{new(sent("a", at, cvrCompanyA, cvrAuthorityX, ChannelDigital, true, false))}, []int{0}))
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

func spoolEvents(prefix string, n int) []Event {
	base := time.Date(2012, 11, 5, 8, 0, 0, 0, time.UTC)
	var evs []Event
	for k := range n {
		evs = append(evs, sent(fmt.Sprintf("%s%d", prefix, k), base.Add(time.Duration(k)*time.Hour), cvrCompanyA, cvrAuthorityX, ChannelDigital, k%2 == 0, k%3 == 0))
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
	db, ch := newTestDB(t, dir), newTestCH(t)
	ctx := context.Background()
	evs := spoolEvents("s", 40)

	down := errors.New("ClickHouse went away")
	failing := NewIngester(db, ch, quietLogger())
	failing.beforeInsert = func() error { return down }
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
	if err := testutil.CollectAndCompare(newBacklogCollector(failing), strings.NewReader(`
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
	restarted := NewIngester(db, ch, quietLogger())
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
	f := readFigures(t, ch)
	if f.Raw != 40 || f.RollMessages != 40 || f.RollTotal != 40 || f.RawMeta != 20 || f.RollMeta != 20 || f.RawDeep != f.RollDeep {
		t.Fatalf("figures %+v, want 40 events, 20 with metadata", f)
	}
}
