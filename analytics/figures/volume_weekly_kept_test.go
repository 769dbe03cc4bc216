package figures

import (
	"context"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// TestRefresherKeepsWhatItWrote: after each refresh that wrote weeks, the
// rows in memory have the new messages, without a view reading them first.
// (Not their parts version: a background merge may change it any time.)
func TestRefresherKeepsWhatItWrote(t *testing.T) {
	analyticstest.OnEachEngine(t, testRefresherKeepsWhatItWrote)
}

func testRefresherKeepsWhatItWrote(t *testing.T, eng analyticstest.Engine) {
	ing, vol, _ := newTestVolume(t, eng)
	ctx := context.Background()
	a, x := analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX
	monday := time.Date(2012, 11, 12, 0, 0, 0, 0, time.UTC)
	keptMessages := func(what string, want uint64) {
		t.Helper()
		vol.kept.mu.Lock()
		defer vol.kept.mu.Unlock()
		if vol.kept.rows == nil {
			t.Fatalf("%s: no rows kept", what)
		}
		var got uint64
		for _, r := range vol.kept.rows {
			if r.AuthorityCVR == x && r.Monday == "2012-11-12" {
				got = r.Messages
			}
		}
		if got != want {
			t.Errorf("%s: kept %d messages of %s in week 2012-W46, want %d", what, got, x, want)
		}
	}
	send := func(ids ...string) {
		t.Helper()
		var evs []event.Event
		for i, id := range ids {
			evs = append(evs, analyticstest.Sent(id, monday.Add(time.Duration(i+9)*time.Hour), a, x, event.ChannelDigital, false, false))
		}
		if _, _, err := ing.Store(ctx, "feed", evs); err != nil {
			t.Fatal(err)
		}
	}
	send("k-1", "k-2")
	if rep, err := vol.refreshAndKeep(ctx); err != nil || rep.Weeks == 0 {
		t.Fatalf("first refresh: %+v %v", rep, err)
	}
	keptMessages("first refresh", 2)
	send("k-2", "k-3", "k-4") // k-2 again: a duplicate
	if rep, err := vol.refreshAndKeep(ctx); err != nil || rep.Weeks == 0 {
		t.Fatalf("second refresh: %+v %v", rep, err)
	}
	keptMessages("second refresh", 4)
}
