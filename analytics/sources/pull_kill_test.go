package sources

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
)

// TestPullSurvivesKill9 runs the real binary: it pulls the demo feed, is
// killed with SIGKILL several times while pulling, is started again, and in
// the end ClickHouse holds every upstream event exactly once, in the raw
// table and in the rollups.
func TestPullSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}

	demo := demofeed.DemoEvents(11, 30, 8)
	total := len(demo.Events)
	upstream := httptest.NewServer(demofeed.FeedHandler(demo.Events, demofeed.FeedOptions{Delay: 10 * time.Millisecond}))
	defer upstream.Close()

	app := analyticstest.NewKillableApp(t, "PILOTPULSE_LOG_FORMAT=json", "PILOTPULSE_LOG_LEVEL=info", "PILOTPULSE_FEED_ALLOW_PRIVATE=loopback")
	// The source is created with the CLI before the app serves.
	app.Command("source", "add", "--name", "upstream", "--kind", "http-feed", "--url", upstream.URL+"/events", "--interval", "1s", "--limit", "97")
	ch, db := app.CH, app.DB()
	start := func() *exec.Cmd { return app.Start(false) }
	dumpLogs := func() {
		b := app.Log()
		if len(b) > 6000 {
			b = b[len(b)-6000:]
		}
		t.Logf("serve log (end):\n%s", b)
	}

	sources := NewSources(db)
	cursor := func() int {
		src, err := sources.ByName(context.Background(), "upstream")
		if err != nil || src.Status.Cursor == nil {
			return 0
		}
		n, _ := strconv.Atoi(*src.Status.Cursor)
		return n
	}
	wait := func(what string, cmd *exec.Cmd, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				dumpLogs()
				t.Fatalf("timed out waiting for %s (cursor %d of %d)", what, cursor(), total)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Kill at growing positions; the last kills land right after a cursor
	// move and in the middle of a page (a short, odd sleep after a move).
	kills := []struct {
		at    int
		pause time.Duration
	}{{total / 5, 0}, {total * 2 / 5, 7 * time.Millisecond}, {total * 3 / 5, 23 * time.Millisecond}, {total * 4 / 5, 41 * time.Millisecond}}
	for i, k := range kills {
		cmd := start()
		wait(fmt.Sprintf("cursor past %d (run %d)", k.at, i+1), cmd, func() bool { return cursor() >= k.at })
		time.Sleep(k.pause)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		t.Logf("run %d killed with the cursor at %d of %d", i+1, cursor(), total)
	}
	if cursor() >= total {
		t.Fatalf("the feed was pulled completely before the last kill: the test did not interrupt anything")
	}

	// One more kill right inside the window that matters: the ledger already
	// holds a page (acknowledged to the puller: stored for good) that the
	// cursor does not cover yet (between the store and the cursor update),
	// so the restarted app pulls it again and must count it as duplicates.
	// The process is frozen with SIGSTOP, the window is confirmed, then it
	// is killed.
	acknowledged := func() int { return app.Acknowledged("upstream") }
	stored := func() int {
		var n uint64
		if err := ch.QueryRow(context.Background(), `SELECT count() FROM events WHERE source = 'upstream'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	from := cursor()
	cmd := start()
	// A page stored just before the previous kill is still ahead of the
	// cursor: wait until the cursor has moved past it.
	wait("the cursor to move after a restart", cmd, func() bool { return cursor() > from })
	caught := false
	for !caught && cursor() < total*19/20 {
		if acknowledged() <= cursor() {
			continue
		}
		cmd.Process.Signal(syscall.SIGSTOP)
		if c, n := cursor(), acknowledged(); n > c {
			caught = true
			t.Logf("killed inside the window: the ledger holds %d events (ClickHouse %d), the cursor says %d", n, stored(), c)
			break
		}
		cmd.Process.Signal(syscall.SIGCONT)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if !caught {
		t.Logf("no kill landed inside the store window this time (cursor %d)", cursor())
	}

	cmd = start()
	wait("the feed to be caught up and in ClickHouse", cmd, func() bool { return cursor() == total && stored() >= total })
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	var n, uniq, rolled uint64
	if err := ch.QueryRow(context.Background(), `SELECT count(), uniqExact(event_id) FROM events WHERE source = 'upstream'`).Scan(&n, &uniq); err != nil {
		t.Fatal(err)
	}
	if n != uint64(total) || uniq != n {
		dumpLogs()
		t.Fatalf("ClickHouse holds %d events (%d distinct event ids); the upstream has %d", n, uniq, total)
	}
	if err := ch.QueryRow(context.Background(), `SELECT sum(events) FROM rollup_company_daily`).Scan(&rolled); err != nil {
		t.Fatal(err)
	}
	if rolled != uint64(total) {
		t.Fatalf("the per-company rollup counts %d events; the upstream has %d", rolled, total)
	}
	src, err := sources.ByName(context.Background(), "upstream")
	if err != nil {
		t.Fatal(err)
	}
	if src.Status.EventsPulled != int64(total) {
		t.Errorf("the status says %d events pulled, the upstream has %d", src.Status.EventsPulled, total)
	}
	if src.Status.Failing || src.Status.LastSuccessAt == nil {
		t.Errorf("status after catching up: %+v", src.Status)
	}
	t.Logf("%d events pulled exactly once across %d kills (status: pulled %d, duplicates %d)", total, len(kills)+1, src.Status.EventsPulled, src.Status.EventsDuplicate)
}
