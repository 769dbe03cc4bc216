package dashboards

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
	"github.com/pilotpulse/pilotpulse/survey"
)

// WeeklyWorkbookKind is the report job that builds the weekly pilot
// workbook of a week (issue 11 item 5): queued by WeeklySchedule once the
// week's questionnaire wave has closed, listed on /reports for managers
// and admins.
const WeeklyWorkbookKind = "weekly_workbook"

// WeeklySchedule builds the weekly pilot workbook once a wave closes, keeps
// it for download (a report job, on /reports) and mails the managers a link
// to it when SMTP is configured. Each week is built and mailed once: the
// week is claimed in weekly_workbooks before its job is queued.
type WeeklySchedule struct {
	Reader  *Reader
	Jobs    *jobs.Store
	DB      *store.DB
	Users   func(ctx context.Context) ([]auth.User, error) // the managers are mailed
	SMTP    survey.SMTP
	BaseURL string
	Logger  *slog.Logger
}

// weeklyWorkbookParams are a weekly workbook job's parameters.
type weeklyWorkbookParams struct {
	Week string `json:"week"`
}

// scheduler is who builds the scheduled workbooks: the app, with a
// manager's figures.
func scheduler(lang string) *auth.Principal {
	return &auth.Principal{Email: "system (schedule)", Role: auth.RoleManager, Language: lang, Via: "schedule"}
}

// Handle registers the weekly workbook's job kind with the job store.
func (s *WeeklySchedule) Handle() {
	s.Jobs.Handle(WeeklyWorkbookKind, jobs.Kind{Shared: []auth.Role{auth.RoleManager}, Build: func(ctx context.Context, j jobs.Job, _ *jobs.Progress, w io.Writer) error {
		var p weeklyWorkbookParams
		if err := json.Unmarshal(j.Params, &p); err != nil {
			return fmt.Errorf("weekly workbook job %d: %w", j.ID, err)
		}
		wk, err := week.Parse(p.Week)
		if err != nil {
			return fmt.Errorf("weekly workbook job %d: %w", j.ID, err)
		}
		_, err = s.Reader.WeeklyWorkbook(ctx, scheduler(j.Lang), wk, j.Lang, w)
		return err
	}})
}

// Run calls Tick every interval until ctx ends.
func (s *WeeklySchedule) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Tick(ctx, time.Now()); err != nil && ctx.Err() == nil {
			s.Logger.Warn("weekly workbooks", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Tick queues the workbook of every week whose wave has closed by now and
// has none yet, and mails the managers about each workbook built and not
// yet mailed.
func (s *WeeklySchedule) Tick(ctx context.Context, now time.Time) error {
	waves, err := s.Reader.h.Survey.Waves(ctx)
	if err != nil {
		return err
	}
	for _, w := range waves {
		if w.State(now) != "closed" {
			continue
		}
		res, err := s.DB.ExecContext(ctx, `INSERT INTO weekly_workbooks (week, queued_at) VALUES (?, ?) ON CONFLICT (week) DO NOTHING`, w.ID, now.UTC())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		s.Logger.Info("queueing the weekly workbook", "week", w.ID)
	}
	// Weeks claimed and not queued (also after a crash between the two).
	if err := s.queue(ctx); err != nil {
		return err
	}
	return s.mail(ctx, now)
}

func (s *WeeklySchedule) queue(ctx context.Context) error {
	weeks, err := s.weeks(ctx, `SELECT week FROM weekly_workbooks WHERE job_id IS NULL ORDER BY week`)
	if err != nil {
		return err
	}
	for _, text := range weeks {
		wk, err := week.Parse(text)
		if err != nil {
			return err
		}
		j, err := s.Jobs.Submit(ctx, jobs.Request{Kind: WeeklyWorkbookKind, Format: "xlsx", Params: weeklyWorkbookParams{Week: text},
			Summary: "weekly workbook " + text, Lang: "da", Requester: jobs.System, FileName: WeeklyWorkbookName("da", wk)})
		if err != nil {
			return err
		}
		if _, err := s.DB.ExecContext(ctx, `UPDATE weekly_workbooks SET job_id = ? WHERE week = ?`, j.ID, text); err != nil {
			return err
		}
	}
	return nil
}

func (s *WeeklySchedule) weeks(ctx context.Context, query string) ([]string, error) {
	rows, err := s.DB.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// mail tells the managers (each in their language) about every workbook
// built and not yet mailed, with the link to it; without SMTP it notes
// that no mail went.
func (s *WeeklySchedule) mail(ctx context.Context, now time.Time) error {
	rows, err := s.DB.QueryContext(ctx, `SELECT week, job_id FROM weekly_workbooks WHERE job_id IS NOT NULL AND mail = '' ORDER BY week`)
	if err != nil {
		return err
	}
	type pending struct {
		week string
		job  int64
	}
	var ps []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.week, &p.job); err != nil {
			rows.Close()
			return err
		}
		ps = append(ps, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, p := range ps {
		j, err := s.Jobs.Get(ctx, p.job)
		if errors.Is(err, jobs.ErrNotFound) {
			err, j = nil, jobs.Job{State: jobs.Failed}
		}
		if err != nil {
			return err
		}
		if !j.Finished() {
			continue
		}
		result := s.send(ctx, p.week, j)
		if _, err := s.DB.ExecContext(ctx, `UPDATE weekly_workbooks SET mail = ?, mailed_at = ? WHERE week = ?`, result, now.UTC(), p.week); err != nil {
			return err
		}
	}
	return nil
}

// send mails the managers about the workbook of wk and says what it did.
func (s *WeeklySchedule) send(ctx context.Context, wk string, j jobs.Job) string {
	switch {
	case j.State != jobs.Done:
		return "not built: " + j.Error
	case !s.SMTP.Enabled():
		return "no smtp"
	}
	users, err := s.Users(ctx)
	if err != nil {
		return "managers not read: " + err.Error()
	}
	link := strings.TrimRight(s.BaseURL, "/") + fmt.Sprintf("/reports/jobs/%d", j.ID)
	sent, failed := 0, []string{}
	for _, u := range users {
		if u.Role != auth.RoleManager || u.Disabled {
			continue
		}
		lang := u.Language
		if lang != "en" {
			lang = "da"
		}
		subject := fmt.Sprintf(web.Translate(lang, "report.mail_subject"), wk)
		body := fmt.Sprintf(web.Translate(lang, "report.mail_body"), wk, link)
		if err := s.SMTP.Send(u.Email, subject, body); err != nil {
			failed = append(failed, u.Email+": "+err.Error())
			continue
		}
		sent++
	}
	if len(failed) > 0 {
		return fmt.Sprintf("sent %d, failed %s", sent, strings.Join(failed, "; "))
	}
	return fmt.Sprintf("sent %d", sent)
}

func init() {
	web.Translations(map[string]string{
		"reports.kind.weekly_workbook": "Ugerapport (pilotens uge)",
		"report.mail_subject":          "Ugerapporten for %s er klar",
		"report.mail_body":             "Ugerapporten for piloten (%s) er lavet, nu hvor ugens spørgeskemarunde er lukket.\n\nHent den her (log ind først):\n%s\n\nVenlig hilsen\nPilotpulse\n",
	}, map[string]string{
		"reports.kind.weekly_workbook": "Weekly pilot workbook",
		"report.mail_subject":          "The weekly pilot workbook for %s is ready",
		"report.mail_body":             "The pilot's weekly workbook (%s) has been built now that the week's questionnaire wave has closed.\n\nDownload it here (sign in first):\n%s\n\nKind regards,\nPilotpulse\n",
	})
}
