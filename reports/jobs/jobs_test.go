package jobs_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
)

// run runs the app's report jobs (as `serve` does) until stop is called.
func run(a *app.App) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { a.RunJobs(ctx, app.JobReports) })
	return func() { cancel(); wg.Wait() }
}

// waitState polls the job until it reaches state.
func waitState(t *testing.T, s *jobs.Store, id int64, state string) jobs.Job {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == state {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is %s, want %s", id, j.State, state)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition
	}
}

func TestJobLeftRunningByACrashFailsAtStart(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	s := env.App.Reports
	ctx := context.Background()
	s.Handle("test_file", jobs.Kind{Build: jobs.Simple(func(ctx context.Context, w io.Writer) error { _, err := io.WriteString(w, "a,b\n"); return err })})
	u := env.User(auth.RoleManager, "")
	j, err := s.Submit(ctx, jobs.Request{Kind: "test_file", Format: "csv", Summary: "test file", Requester: jobs.Requester{UserID: u.ID, Email: u.Email, Role: auth.RoleManager}, FileName: "t.csv"})
	if err != nil {
		t.Fatal(err)
	}
	// The crash: the job was running, half its file written.
	if _, err := env.App.DB.Exec(`UPDATE report_jobs SET state = 'running', rows_written = 500, started_at = ? WHERE id = ?`, time.Now().UTC(), j.ID); err != nil {
		t.Fatal(err)
	}
	part := filepath.Join(s.Dir(), "job-1.csv.part")
	os.MkdirAll(s.Dir(), 0o700)
	if err := os.WriteFile(part, []byte("a,b\n1,"), 0o600); err != nil {
		t.Fatal(err)
	}
	stop := run(env.App)
	failed := waitState(t, s, j.ID, jobs.Failed)
	stop()
	if failed.Error != jobs.Interrupted || failed.FinishedAt == nil {
		t.Errorf("failed job: %+v", failed)
	}
	if _, err := os.Stat(part); !os.IsNotExist(err) {
		t.Errorf("the partial file is still there: %v", err)
	}
	entries, _ := env.App.Audit.List(ctx, audit.Filter{Action: audit.Export})
	if len(entries) != 1 || entries[0].Detail != "test file; failed; 500 rows; error: "+jobs.Interrupted {
		t.Errorf("audit: %+v", entries)
	}
	// A queued job left by the crash runs at the next start.
	j2, _ := s.Submit(ctx, jobs.Request{Kind: "test_file", Format: "csv", Requester: jobs.System, FileName: "t.csv"})
	stop = run(env.App)
	defer stop()
	done := waitState(t, s, j2.ID, jobs.Done)
	if done.Size == nil || *done.Size != 4 {
		t.Errorf("done job: %+v", done)
	}
}

func TestOldReportFilesAreRemovedAfterTheRetention(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	if env.App.Config.ReportRetention != 30*24*time.Hour {
		t.Errorf("default retention %s, want 30 days", env.App.Config.ReportRetention)
	}
	s := env.App.Reports
	ctx := context.Background()
	s.Handle("test_file", jobs.Kind{Build: jobs.Simple(func(ctx context.Context, w io.Writer) error { _, err := io.WriteString(w, "x\n"); return err })})
	var ids []int64
	for range 2 {
		j, err := s.Submit(ctx, jobs.Request{Kind: "test_file", Format: "csv", Requester: jobs.System, FileName: "t.csv"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	stop := run(env.App)
	old, fresh := waitState(t, s, ids[0], jobs.Done), waitState(t, s, ids[1], jobs.Done)
	stop()
	env.App.DB.Exec(`UPDATE report_jobs SET finished_at = ? WHERE id = ?`, time.Now().UTC().Add(-31*24*time.Hour), old.ID)
	if n, err := s.Sweep(ctx, env.App.Config.ReportRetention); err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want 1 removed", n, err)
	}
	if _, err := s.Get(ctx, old.ID); err != jobs.ErrNotFound {
		t.Errorf("the old job: %v, want not found", err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "job-1.csv")); !os.IsNotExist(err) {
		t.Errorf("the old file is still there: %v", err)
	}
	f, err := s.Open(fresh)
	if err != nil {
		t.Fatalf("the fresh file: %v", err)
	}
	f.Close()
}
