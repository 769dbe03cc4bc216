package dashboards_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
	"github.com/pilotpulse/pilotpulse/survey"
)

// Once a wave has closed, the schedule queues that week's weekly workbook
// once (a second tick queues nothing more), the report worker builds it,
// managers and admins find it on /reports and download it (a workbook of
// that week), support and authority users do not; without SMTP the week is
// marked as not mailed, with SMTP every manager is mailed (here to a
// server that refuses, so the failure is what is recorded, per manager).
func TestWeeklyWorkbookScheduledOnceAWaveCloses(t *testing.T) {
	f := newOverviewFixture(t)
	ctx := context.Background()
	a := f.env.App
	if a.WeeklyWorkbooks == nil {
		t.Fatal("the app has no weekly workbook schedule")
	}
	f.env.User(auth.RoleManager, "")
	f.env.User(auth.RoleManager, "")
	waves, err := a.Survey.Store.Waves(ctx)
	if err != nil || len(waves) == 0 {
		t.Fatalf("the fixture's waves: %v %v", waves, err)
	}
	now := time.Now()
	if err := a.WeeklyWorkbooks.Tick(ctx, now); err != nil {
		t.Fatal(err)
	}
	if err := a.WeeklyWorkbooks.Tick(ctx, now); err != nil {
		t.Fatal(err)
	}
	queued := map[string]int64{}
	rows, err := a.DB.QueryContext(ctx, `SELECT week, job_id FROM weekly_workbooks`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var w string
		var id int64
		if err := rows.Scan(&w, &id); err != nil {
			t.Fatal(err)
		}
		queued[w] = id
	}
	rows.Close()
	var jobsQueued int
	if err := a.DB.QueryRowContext(ctx, `SELECT count(*) FROM report_jobs WHERE kind = ?`, dashboards.WeeklyWorkbookKind).Scan(&jobsQueued); err != nil {
		t.Fatal(err)
	}
	if len(queued) != len(waves) || jobsQueued != len(waves) {
		t.Fatalf("%d waves closed; %d weeks claimed and %d jobs queued after two ticks, want one each", len(waves), len(queued), jobsQueued)
	}

	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { a.RunJobs(runCtx, app.JobReports) })
	defer func() { cancel(); wg.Wait() }()
	w46 := queued["2012-W46"]
	if w46 == 0 {
		t.Fatalf("no workbook queued for 2012-W46: %v", queued)
	}
	for _, id := range queued {
		waitJob(t, a.Reports, id)
	}

	manager, admin := f.env.As(auth.RoleManager, ""), f.env.As(auth.RoleAdmin, "")
	for _, c := range []struct {
		name   string
		status int
	}{{"manager", 200}, {"admin", 200}} {
		client := manager
		if c.name == "admin" {
			client = admin
		}
		page := client.Get("/reports")
		if page.StatusCode != 200 || !strings.Contains(page.Body, "Ugerapport") || !strings.Contains(page.Body, fmt.Sprintf("/reports/jobs/%d", w46)) {
			t.Errorf("%s's /reports does not list the weekly workbook: %d %.400s", c.name, page.StatusCode, page.Body)
		}
		file := client.Get(fmt.Sprintf("/reports/jobs/%d/file", w46))
		if file.StatusCode != c.status {
			t.Fatalf("%s downloads the scheduled workbook: %d %.300s", c.name, file.StatusCode, file.Body)
		}
		wb, err := excelize.OpenReader(strings.NewReader(file.Body))
		if err != nil {
			t.Fatalf("the scheduled workbook: %v", err)
		}
		summary := wb.GetSheetList()[0]
		cells, _ := wb.GetRows(summary)
		if !strings.Contains(fmt.Sprint(cells), "2012-W46") {
			t.Errorf("the scheduled workbook of 2012-W46 does not name its week: %.300v", cells)
		}
		wb.Close()
	}
	for _, c := range []struct {
		role auth.Role
		cvr  string
	}{{auth.RoleSupport, ""}, {auth.RoleAuthority, f.x}} {
		if r := f.env.As(c.role, c.cvr).Get(fmt.Sprintf("/reports/jobs/%d/file", w46)); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusForbidden {
			t.Errorf("%s downloads the scheduled workbook: %d", c.role, r.StatusCode)
		}
	}

	// Built: without SMTP the weeks are marked as not mailed, once.
	if err := a.WeeklyWorkbooks.Tick(ctx, now); err != nil {
		t.Fatal(err)
	}
	var mail string
	if err := a.DB.QueryRowContext(ctx, `SELECT mail FROM weekly_workbooks WHERE week = '2012-W46'`).Scan(&mail); err != nil || mail != "no smtp" {
		t.Fatalf("mail without SMTP: %q %v", mail, err)
	}
	// With SMTP every manager is mailed: a server that refuses at once
	// makes each attempt fail, and the failures are what is kept.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if _, err := a.DB.ExecContext(ctx, `UPDATE weekly_workbooks SET mail = '' WHERE week = '2012-W46'`); err != nil {
		t.Fatal(err)
	}
	s := *a.WeeklyWorkbooks
	s.SMTP = survey.SMTP{Host: "127.0.0.1", Port: port, From: "pilotpulse@example.test", TLS: "none"}
	if err := s.Tick(ctx, now); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.QueryRowContext(ctx, `SELECT mail FROM weekly_workbooks WHERE week = '2012-W46'`).Scan(&mail); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(mail, "sent 0, failed ") || strings.Count(mail, "@") < 2 {
		t.Errorf("mail with SMTP refused: %q, want a failure per manager", mail)
	}
}

// waitJob polls a report job until it is finished, and fails the test
// unless it is done.
func waitJob(t *testing.T, s *jobs.Store, id int64) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		j, err := s.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Finished() {
			if j.State != jobs.Done {
				t.Fatalf("job %d: %s %s", id, j.State, j.Error)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d is still %s", id, j.State)
		}
		time.Sleep(20 * time.Millisecond) // polling a condition
	}
}
