package sources

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
)

// TestDirectorySourceSurvivesKill9 runs the real binary on a folder of
// export files and kills it with SIGKILL while it takes them in: in the
// end every file is in done/, recorded once, and ClickHouse holds every
// event exactly once.
func TestDirectorySourceSurvivesKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	tmp := t.TempDir()

	// 24 files of the demo pilot, written long enough ago to be settled.
	demo := demofeed.DemoEvents(12, 20, 6)
	total := len(demo.Events)
	exports := filepath.Join(tmp, "exports")
	os.MkdirAll(exports, 0o755)
	const files = 24
	per := (total + files - 1) / files
	old := time.Now().Add(-time.Hour)
	for i := 0; i < files; i++ {
		part := demo.Events[min(i*per, total):min((i+1)*per, total)]
		name := filepath.Join(exports, fmt.Sprintf("export-%02d.ndjson", i))
		var data []byte
		if i%3 == 1 {
			name += ".gz"
			data = gzipped(t, ndjsonOf(t, part))
		} else {
			data = ndjsonOf(t, part)
		}
		if err := os.WriteFile(name, data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(name, old, old)
	}

	app := analyticstest.NewKillableApp(t, "PILOTPULSE_LOG_FORMAT=json", "PILOTPULSE_IMPORT_ROOT="+tmp)
	app.Command("source", "add", "--name", "exports", "--kind", "directory", "--dir", exports, "--interval", "1s", "--limit", "40")
	ch, db := app.CH, app.DB()
	start := func() *exec.Cmd { return app.Start(false) }

	recorded := func() int {
		var n int
		db.QueryRow(`SELECT count(*) FROM source_files`).Scan(&n)
		return n
	}
	stored := func() int {
		var n uint64
		if err := ch.QueryRow(context.Background(), `SELECT count() FROM events WHERE source = 'exports'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return int(n)
	}
	wait := func(what string, cmd *exec.Cmd, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for !cond() {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("timed out waiting for %s (%d files recorded); log:\n%.6000s", what, recorded(), app.Log())
			}
			time.Sleep(3 * time.Millisecond)
		}
	}

	// ledger is how many of the source's events the app has acknowledged
	// (stored for good in its ledger; ClickHouse may not have them yet).
	ledger := func() int { return app.Acknowledged("exports") }
	// interrupted says whether a kill now cuts something in half: part of a
	// file acknowledged but the file not recorded (it is read again after the
	// restart: those events must count as duplicates), or acknowledged events
	// not yet in ClickHouse (they must be inserted from the ledger).
	interrupted := func() string {
		switch l := ledger(); {
		case l > recorded()*per:
			return "a file half taken"
		case stored() < l:
			return "acknowledged events not yet in ClickHouse"
		}
		return ""
	}

	// Kill while files are half taken (frozen with SIGSTOP to be sure that
	// the state holds, then killed).
	kills := 0
	for _, at := range []int{files / 4, files / 2, files * 3 / 4} {
		cmd := start()
		wait(fmt.Sprintf("%d files recorded", at), cmd, func() bool { return recorded() >= at })
		cut := ""
		for recorded() < files-1 {
			if interrupted() == "" {
				continue
			}
			cmd.Process.Signal(syscall.SIGSTOP)
			if cut = interrupted(); cut != "" {
				break
			}
			cmd.Process.Signal(syscall.SIGCONT)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
		t.Logf("killed with %d files recorded, %d events acknowledged, %d in ClickHouse (%s)", recorded(), ledger(), stored(), cut)
	}
	if recorded() >= files {
		t.Fatal("every file was taken before the last kill: nothing was interrupted")
	}

	cmd := start()
	wait("every file to be recorded and in ClickHouse", cmd, func() bool { return recorded() == files && stored() >= total })
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	var n, uniq uint64
	if err := ch.QueryRow(context.Background(), `SELECT count(), uniqExact(event_id) FROM events WHERE source = 'exports'`).Scan(&n, &uniq); err != nil {
		t.Fatal(err)
	}
	if n != uint64(total) || uniq != n {
		t.Fatalf("ClickHouse holds %d events (%d distinct); the files hold %d", n, uniq, total)
	}
	left, _ := filepath.Glob(filepath.Join(exports, "export-*"))
	done, _ := filepath.Glob(filepath.Join(exports, "done", "export-*"))
	if len(left) != 0 || len(done) != files {
		t.Errorf("%d files left in the folder, %d in done/", len(left), len(done))
	}
	src, err := NewSources(db).ByName(context.Background(), "exports")
	if err != nil {
		t.Fatal(err)
	}
	if src.Status.EventsPulled != int64(total) || src.Status.EventsRejected != 0 {
		t.Errorf("status: pulled %d (want %d), rejected %d", src.Status.EventsPulled, total, src.Status.EventsRejected)
	}
	t.Logf("%d events in %d files taken exactly once across %d kills (duplicates seen: %d)", total, files, kills, src.Status.EventsDuplicate)
}
