package figures

import (
	"context"
	"fmt"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The setup rollup on every engine: the migration copies the setup events
// stored before it (once, also when it runs again), its view adds those
// stored after, duplicates count once, and the figures place events in
// Copenhagen weeks (Sunday 23:30 / Monday 00:30, the DST Sunday).
func TestSetupRollup(t *testing.T) {
	analyticstest.OnEachEngine(t, testSetupRollup)
}

func testSetupRollup(t *testing.T, eng analyticstest.Engine) {
	ctx := context.Background()
	ch := eng.NewCH(t)
	ing := ingest.New(analyticstest.NewDB(t, t.TempDir()), ch, analyticstest.QuietLogger())
	cph := func(s string) time.Time {
		at, err := time.ParseInLocation("2006-01-02 15:04", s, week.Copenhagen)
		if err != nil {
			t.Fatal(err)
		}
		return at.UTC()
	}
	a, b := analyticstest.CVRCompanyA, analyticstest.CVRCompanyB
	ev := func(id, typ, company, reason, at string) event.Event {
		return event.Event{EventID: id, OccurredAt: cph(at), ReceivedAt: cph(at), Type: typ, CompanyCVR: company, Reason: reason}
	}
	before := []event.Event{
		ev("1", event.TypeSetupFailed, a, "technical_error", "2012-10-28 23:30"), // the night summer time ended: W43
		ev("2", event.TypeSetupFailed, a, "technical_error", "2012-10-29 00:30"), // Monday: W44
		ev("3", event.TypeSetupStarted, a, "", "2012-10-29 08:00"),
		ev("4", event.TypeLogin, a, "", "2012-10-29 09:00"),
	}
	after := []event.Event{
		ev("5", event.TypeSetupFailed, b, "", "2012-11-11 23:30"),    // Sunday: W45
		ev("6", event.TypeSetupCompleted, a, "", "2012-10-27 08:00"), // before the start: not its completion
		ev("7", event.TypeSetupCompleted, a, "", "2012-10-30 20:00"),
		ev("8", event.TypeSetupStarted, b, "", "2012-11-12 10:00"),
	}
	store := func(evs []event.Event) {
		t.Helper()
		if _, _, err := ing.Store(ctx, "test", evs); err != nil {
			t.Fatal(err)
		}
	}
	// The events of before are stored before the rollup exists.
	for _, q := range []string{"DROP TABLE rollup_setup_events_mv", "DROP TABLE rollup_setup_events"} {
		if err := ch.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	store(before)
	migration, err := fs.ReadFile(warehouse.Migrations, "0003_setup_rollup.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0901_setup_again.sql", "0902_setup_again.sql"} { // the second run copies nothing
		if _, err := warehouse.Migrate(ctx, ch, fstest.MapFS{name: {Data: migration}}); err != nil {
			t.Fatal(err)
		}
	}
	store(after)
	store(append(before, after...)) // re-sent: duplicates

	failures, err := SetupFailures(ctx, ch, auth.SystemScope(), week.MustParse("2012-W43"), week.MustParse("2012-W46"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(failures), fmt.Sprintf("[{2012-W43 %s technical_error 1} {2012-W44 %s technical_error 1} {2012-W45 %s  1}]", a, a, b); got != want {
		t.Errorf("failures: %s, want %s", got, want)
	}
	setups, err := SetupTimes(ctx, ch, auth.SystemScope(), cph("2012-11-19 00:00"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(setups), fmt.Sprint([]CompanySetup{{a, cph("2012-10-29 08:00"), cph("2012-10-30 20:00")}, {b, cph("2012-11-12 10:00"), time.Time{}}}); got != want {
		t.Errorf("setups: %s, want %s", got, want)
	}
	// As of before A completed: A still waiting, B not started.
	if setups, err := SetupTimes(ctx, ch, auth.SystemScope(), cph("2012-10-30 12:00")); err != nil || len(setups) != 1 || !setups[0].Completed.IsZero() {
		t.Errorf("as of 30 October: %v %v", setups, err)
	}
	// An authority's scope sees no company events.
	if f, err := SetupFailures(ctx, ch, auth.AuthorityScope(analyticstest.CVRAuthorityX), week.MustParse("2012-W43"), week.MustParse("2012-W46")); err != nil || len(f) != 0 {
		t.Errorf("an authority's scope: %v %v", f, err)
	}
}
