package figures

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// newTestVolume is an ingester and the weekly volume figures on one fresh
// app database and a fresh ClickHouse database on eng.
func newTestVolume(t *testing.T, eng analyticstest.Engine) (*ingest.Ingester, *Volume, *store.DB) {
	db := analyticstest.NewDB(t, t.TempDir())
	ch := eng.NewCH(t)
	return ingest.New(db, ch, analyticstest.QuietLogger()), NewVolume(db, ch), db
}

// checkVolume compares rows with the expected figures, every authority
// and week.
func checkVolume(t *testing.T, what string, got []WeekVolume, want map[weekKey]*weekWant) {
	t.Helper()
	seen := map[weekKey]bool{}
	for _, v := range got {
		k := weekKey{v.AuthorityCVR, v.Monday}
		w := want[k]
		if w == nil || seen[k] {
			t.Errorf("%s: unexpected or repeated %+v", what, v)
			continue
		}
		seen[k] = true
		if g := (weekWant{v.Messages, v.Digital, v.RemotePrint, v.WithMetadata, v.WithDeepLink, v.Companies}); g != *w {
			t.Errorf("%s: %s %s: %+v, want %+v", what, v.AuthorityCVR, v.Week, g, *w)
		}
	}
	if len(seen) != len(want) {
		t.Errorf("%s: %d authority-weeks, want %d", what, len(seen), len(want))
	}
}

// tableVolume reads volume_weekly itself (newest version of each row).
func tableVolume(t *testing.T, v *Volume) []WeekVolume {
	t.Helper()
	rows, err := scanWeekVolumes(v.ch.Query(context.Background(), `SELECT monday, authority_cvr,
			argMax(messages, version), argMax(digital, version), argMax(remote_print, version),
			argMax(with_metadata, version), argMax(with_deep_link, version), argMax(companies, version)
		FROM volume_weekly GROUP BY authority_cvr, monday`))
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestWeeklyVolumeIsExact: the weekly figures equal a count made here in
// Go (and the sums of the rollup) for every authority and week: before the
// refresher ran (dirty weeks from the rollup), after it (from
// volume_weekly), after a late batch touching an old week with duplicates
// re-sent, and while a batch is pending (the cursor stops before it). The
// events cross the end of summer time (Sunday 28 October 2012) and a
// Sunday 23:30 UTC, which is Monday 00:30 in Copenhagen.
func TestWeeklyVolumeIsExact(t *testing.T) {
	analyticstest.OnEachEngine(t, testWeeklyVolumeIsExact)
}

func testWeeklyVolumeIsExact(t *testing.T, eng analyticstest.Engine) {
	ing, vol, db := newTestVolume(t, eng)
	ctx := context.Background()
	start := time.Date(2012, 10, 15, 0, 0, 0, 0, time.UTC)
	all := weeks(start, start.AddDate(0, 4, 0))
	evs := mixedMessages(rand.New(rand.NewPCG(7, 46)), 1500, start)
	x, a := analyticstest.CVRAuthorityX, analyticstest.CVRCompanyA
	evs = append(evs,
		analyticstest.Sent("sun-2330", time.Date(2012, 11, 11, 23, 30, 0, 0, time.UTC), a, x, event.ChannelDigital, true, false),
		analyticstest.Sent("dst-2230", time.Date(2012, 10, 28, 22, 30, 0, 0, time.UTC), a, x, event.ChannelDigital, false, true),
		analyticstest.Sent("dst-2330", time.Date(2012, 10, 28, 23, 30, 0, 0, time.UTC), "10000050", x, event.ChannelRemotePrint, false, false))
	check := func(what string, want map[weekKey]*weekWant) {
		t.Helper()
		got, err := vol.PerAuthorityWeek(ctx, auth.SystemScope(), all)
		if err != nil {
			t.Fatal(err)
		}
		checkVolume(t, what+": weekly figures", got, want)
		raw, err := VolumePerAuthorityWeek(ctx, ing.CH(), auth.SystemScope(), all)
		if err != nil {
			t.Fatal(err)
		}
		checkVolume(t, what+": rollup", raw, want)
	}
	refresh := func(what string, want map[weekKey]*weekWant) RefreshReport {
		t.Helper()
		rep, err := vol.Refresh(ctx)
		if err != nil {
			t.Fatal(err)
		}
		check(what+", refreshed", want)
		return rep
	}
	clean := func(what string, want map[weekKey]*weekWant) {
		t.Helper()
		if d, err := vol.dirty(ctx); err != nil || len(d) != 0 {
			t.Fatalf("%s: dirty weeks %v %v, want none", what, d, err)
		}
		checkVolume(t, what+": volume_weekly", tableVolume(t, vol), want)
	}

	// In overlapping batches: most events are sent twice.
	for lo := 0; lo < len(evs); lo += 400 {
		if _, _, err := ing.Store(ctx, "feed", evs[lo:min(lo+600, len(evs))]); err != nil {
			t.Fatal(err)
		}
	}
	want := wantVolume(evs)
	if w := want[weekKey{x, "2012-11-12"}]; w == nil || w.messages == 0 {
		t.Fatal("the Monday 00:30 message is not in 2012-W46")
	}
	check("before the refresher", want)
	if rep := refresh("first", want); rep.Batches != 4 || rep.Weeks < 13 {
		t.Errorf("first refresh: %+v", rep)
	}
	clean("first", want)
	if rep := refresh("nothing new", want); rep.Batches != 0 || rep.Weeks != 0 {
		t.Errorf("a refresh without new batches recomputed %+v", rep)
	}

	// A late batch: an old week (2012-W43) and the newest, everything re-sent.
	late := []event.Event{
		analyticstest.Sent("late-1", time.Date(2012, 10, 23, 9, 0, 0, 0, time.UTC), "10000076", "10000041", event.ChannelDigital, true, true),
		analyticstest.Sent("late-2", time.Date(2012, 10, 23, 9, 0, 0, 0, time.UTC), "10000099", "10000041", event.ChannelRemotePrint, false, false),
	}
	if acc, dup, err := ing.Store(ctx, "feed", append(append([]event.Event{}, evs...), late...)); err != nil || acc != 2 || dup != len(evs) {
		t.Fatalf("late batch: %d accepted, %d duplicates, %v", acc, dup, err)
	}
	evs = append(evs, late...)
	want = wantVolume(evs)
	check("late batch, before the refresher", want)
	refresh("late batch", want)
	clean("late batch", want)

	// A batch left pending (its rows in ClickHouse, not yet marked stored)
	// and a later stored one: the cursor stops before the pending batch and
	// both stay dirty, exact from the rollup.
	held := []event.Event{analyticstest.Sent("held-1", time.Date(2012, 12, 4, 9, 0, 0, 0, time.UTC), a, x, event.ChannelDigital, true, false)}
	if _, _, err := ing.Store(ctx, "held", held); err != nil {
		t.Fatal(err)
	}
	var heldID int64
	if err := db.QueryRow(`SELECT max(id) FROM ingest_batches`).Scan(&heldID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE ingest_batches SET state = 'pending' WHERE id = ?`, heldID); err != nil {
		t.Fatal(err)
	}
	after := []event.Event{analyticstest.Sent("after-1", time.Date(2013, 1, 8, 9, 0, 0, 0, time.UTC), a, x, event.ChannelRemotePrint, false, false)}
	if _, _, err := ing.Store(ctx, "after", after); err != nil {
		t.Fatal(err)
	}
	stale := want // volume_weekly keeps the figures before both batches
	evs = append(append(evs, held...), after...)
	want = wantVolume(evs)
	if rep := refresh("pending batch", want); rep.Batches != 0 || rep.Cursor >= heldID {
		t.Errorf("the cursor passed a pending batch: %+v (pending %d)", rep, heldID)
	}
	checkVolume(t, "volume_weekly while a batch is pending", tableVolume(t, vol), stale)
	if _, err := db.Exec(`UPDATE ingest_batches SET state = 'stored' WHERE id = ?`, heldID); err != nil {
		t.Fatal(err)
	}
	if rep := refresh("pending batch stored", want); rep.Batches != 2 || rep.Cursor != heldID+1 {
		t.Errorf("after the pending batch was stored: %+v", rep)
	}
	clean("pending batch stored", want)

	// Rebuild gives the same figures.
	if _, err := vol.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	check("rebuilt", want)
	clean("rebuilt", want)
}

// TestWeeklyVolumeScope: an authority scope reads only its own rows, from
// the refreshed table and from the dirty weeks alike; no scope reads none.
func TestWeeklyVolumeScope(t *testing.T) {
	analyticstest.OnEachEngine(t, testWeeklyVolumeScope)
}

func testWeeklyVolumeScope(t *testing.T, eng analyticstest.Engine) {
	ing, vol, _ := newTestVolume(t, eng)
	ctx := context.Background()
	at := time.Date(2012, 11, 13, 9, 0, 0, 0, time.UTC)
	store := func(id string, at time.Time, authority string) {
		if _, _, err := ing.Store(ctx, "feed", []event.Event{analyticstest.Sent(id, at, analyticstest.CVRCompanyA, authority, event.ChannelDigital, true, false)}); err != nil {
			t.Fatal(err)
		}
	}
	store("x1", at, analyticstest.CVRAuthorityX)
	store("y1", at, analyticstest.CVRAuthorityY)
	if _, err := vol.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	store("y2", at.AddDate(0, 0, 7), analyticstest.CVRAuthorityY) // dirty
	for _, c := range []struct {
		scope auth.Scope
		want  string
	}{
		{auth.SystemScope(), "10000025 2012-W46:1 10000033 2012-W46:1 10000033 2012-W47:1 "},
		{auth.AuthorityScope(analyticstest.CVRAuthorityY), "10000033 2012-W46:1 10000033 2012-W47:1 "},
		{auth.Scope{}, ""},
	} {
		got, err := vol.PerAuthorityWeek(ctx, c.scope, weeks(at, at.AddDate(0, 0, 7)))
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, v := range got {
			s += fmt.Sprintf("%s %s:%d ", v.AuthorityCVR, v.Week, v.Messages)
		}
		if s != c.want {
			t.Errorf("scope %+v: %q, want %q", c.scope, s, c.want)
		}
	}
}

// TestCompaniesReached: the companies an authority reached in a period,
// most messages first, with the exact total, only that authority's.
func TestCompaniesReached(t *testing.T) {
	analyticstest.OnEachEngine(t, testCompaniesReached)
}

func testCompaniesReached(t *testing.T, eng analyticstest.Engine) {
	ing, vol, _ := newTestVolume(t, eng)
	ctx := context.Background()
	x, y := analyticstest.CVRAuthorityX, analyticstest.CVRAuthorityY
	w46 := time.Date(2012, 11, 13, 9, 0, 0, 0, time.UTC)
	evs := []event.Event{
		analyticstest.Sent("1", w46, "10000050", x, event.ChannelDigital, true, false),
		analyticstest.Sent("2", w46.AddDate(0, 0, 7), "10000050", x, event.ChannelRemotePrint, false, true),
		analyticstest.Sent("3", w46, "10000068", x, event.ChannelDigital, false, false),
		analyticstest.Sent("4", w46, "10000076", y, event.ChannelDigital, false, false),
		// Sunday 23:30 UTC after W47 is Monday 00:30 of W48: outside the period.
		analyticstest.Sent("5", time.Date(2012, 11, 25, 23, 30, 0, 0, time.UTC), "10000076", x, event.ChannelDigital, false, false),
	}
	if _, _, err := ing.Store(ctx, "feed", evs); err != nil {
		t.Fatal(err)
	}
	got, total, err := vol.CompaniesReached(ctx, x, weeks(w46, w46.AddDate(0, 0, 7)), 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []CompanyVolume{
		{CompanyCVR: "10000050", Messages: 2, Digital: 1, RemotePrint: 1, WithMetadata: 1, WithDeepLink: 1, Weeks: 2},
		{CompanyCVR: "10000068", Messages: 1, Digital: 1, Weeks: 1},
	}
	if total != 2 || len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("companies reached: %d %+v, want 2 %+v", total, got, want)
	}
	if got, total, err := vol.CompaniesReached(ctx, x, weeks(w46, w46.AddDate(0, 0, 14)), 1); err != nil || total != 3 || len(got) != 1 || got[0].CompanyCVR != "10000050" {
		t.Errorf("limited to 1: %d %+v %v", total, got, err)
	}
}
