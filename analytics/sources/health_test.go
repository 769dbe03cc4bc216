package sources

import (
	"context"
	"slices"
	"testing"
	"time"
)

// The rule of docs/events.md#source-health on constructed histories
// (oldest first, '+' a success, '-' a failure).
func TestHealthRule(t *testing.T) {
	for _, c := range []struct {
		recent       string
		failing, any bool
		want         string
	}{
		{"", false, false, HealthWaiting},
		{"", true, false, HealthFailing}, // history from before the kept rounds
		{"", false, true, HealthOK},
		{"+", false, true, HealthOK},
		{"-", true, false, HealthFailing},
		{"++++-", true, true, HealthFailing},  // one change: failing, not flapping
		{"----+", false, true, HealthOK},      // recovered
		{"+-+", false, true, HealthOK},        // two changes
		{"+-+-", true, true, HealthFlapping},  // three changes
		{"-+-+", false, true, HealthFlapping}, // whichever came last
		{"+--++--+", false, true, HealthFlapping},
		{"-+-+++++++", false, true, HealthFlapping},   // the changes are still among the last 10
		{"-+-++++++++", false, true, HealthOK},        // one has left the window
		{"++++++++-+-+", false, true, HealthFlapping}, // only the last 10 count
	} {
		if got := healthOf(c.recent, c.failing, c.any); got != c.want {
			t.Errorf("healthOf(%q) = %s, want %s", c.recent, got, c.want)
		}
	}
}

// A source whose pulls alternate reads as flapping, keeps its last 10
// rounds, and turns OK once the alternation has left the window.
func TestFlappingSourceStatus(t *testing.T) {
	s, src := newFeedSource(t)
	ctx := context.Background()
	if st := getSource(t, s, src.ID).Status; st.Health != HealthWaiting || len(st.RecentPulls) != 0 {
		t.Fatalf("new source: %+v", st)
	}
	if err := RecordRounds(ctx, s, src.ID, "+-+-+"); err != nil {
		t.Fatal(err)
	}
	st := getSource(t, s, src.ID).Status
	if st.Health != HealthFlapping || st.Failing || !slices.Equal(st.RecentPulls, []string{"ok", "failed", "ok", "failed", "ok"}) {
		t.Fatalf("after +-+-+: %+v", st)
	}
	if r := rowOf(getSource(t, s, src.ID), time.Now()); r.State != "sources.state_flapping" || r.Recent != "✓ ✗ ✓ ✗ ✓" {
		t.Errorf("row: %s %q", r.State, r.Recent)
	}
	// Eight successes: 10 kept, the first three changes drop out of them.
	if err := RecordRounds(ctx, s, src.ID, "++++++++"); err != nil {
		t.Fatal(err)
	}
	st = getSource(t, s, src.ID).Status
	want := []string{"failed", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"}
	if st.Health != HealthOK || !slices.Equal(st.RecentPulls, want) {
		t.Fatalf("after 8 successes: %+v", st)
	}
	if err := RecordRounds(ctx, s, src.ID, "-"); err != nil {
		t.Fatal(err)
	}
	if st := getSource(t, s, src.ID).Status; st.Health != HealthFailing || len(st.RecentPulls) != PullHistory {
		t.Fatalf("after a failure: %+v", st)
	}
}
