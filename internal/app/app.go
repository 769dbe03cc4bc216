// Package app is Pilotpulse's composition root: from the one configuration
// it builds every service once (both stores, auth, audit, registry, survey,
// support, sources, ingester), the web frame with every domain package's
// routes over those services (Web), and the background jobs (RunJobs). The
// binary, its CLI commands and the tests build the app the same way.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/account"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/config"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/reports/exports"
	"github.com/pilotpulse/pilotpulse/reports/jobs"
	"github.com/pilotpulse/pilotpulse/support"
	"github.com/pilotpulse/pilotpulse/survey"
)

// App is a running Pilotpulse: its stores and services, each built once.
type App struct {
	Config   config.Config
	Logger   *slog.Logger
	DB       *store.DB
	CH       driver.Conn        // nil when opened without ClickHouse
	Managed  *warehouse.Managed // the private server, when the app started one
	Auth     *auth.Service
	Audit    *audit.Log
	Throttle *auth.Throttle
	Registry *registry.Store
	Survey   *survey.Sender   // the questionnaire store (Survey.Store) and its e-mail
	Support  *support.Store   // the support-call log
	Sources  *sources.Sources // the ingestion sources and their pull state
	Ingester *ingest.Ingester // stores usage events exactly once; nil without ClickHouse
	Volume   *figures.Volume  // the weekly volume figures and their refresher; nil without ClickHouse
	Reports  *jobs.Store      // report files made in the background (raw exports), run by JobReports
	// WeeklyWorkbooks builds the weekly pilot workbook once a wave closes
	// (JobWeeklyWorkbooks); nil without ClickHouse.
	WeeklyWorkbooks *dashboards.WeeklySchedule
}

// Options say which stores to open.
type Options struct {
	// ClickHouse opens (or starts) ClickHouse and migrates it. Commands that
	// only touch the app database leave it off.
	ClickHouse bool
}

// Open opens the app database (migrating it) and, if asked, ClickHouse.
func Open(ctx context.Context, cfg config.Config, logger *slog.Logger, opt Options) (*App, error) {
	if cfg.ImportRoot == "" { // a configuration not read by config.Load
		cfg.ImportRoot = config.DefaultImportRoot(cfg.DataDir)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data dir %s: %w", cfg.DataDir, err)
	}
	db, err := store.Open(ctx, filepath.Join(cfg.DataDir, "pilotpulse.db"))
	if err != nil {
		return nil, err
	}
	a := &App{Config: cfg, Logger: logger, DB: db}
	if applied, err := db.Migrate(ctx); err != nil {
		a.Close()
		return nil, err
	} else if len(applied) > 0 {
		logger.Info("app database migrated", "versions", applied)
	}
	a.Auth = auth.NewService(db, cfg.SessionIdle, cfg.SessionAbsolute)
	a.Audit = audit.New(db, logger)
	a.Throttle = auth.NewThrottle()
	a.Registry = registry.NewStore(db)
	a.Support = support.NewStore(db)
	if err := os.MkdirAll(cfg.ImportRoot, 0o755); err != nil {
		a.Close()
		return nil, fmt.Errorf("import root %s: %w", cfg.ImportRoot, err)
	}
	a.Sources = sources.NewSources(db).Within(sources.Reach{ImportRoot: cfg.ImportRoot, FeedHosts: cfg.FeedHosts, Allow: cfg.FeedAllowPrivate})
	if a.Survey, err = survey.Open(ctx, db, cfg); err != nil {
		a.Close()
		return nil, err
	}
	if opt.ClickHouse {
		if err := a.openClickHouse(ctx); err != nil {
			a.Close()
			return nil, err
		}
	}
	a.Reports = jobs.NewStore(db, cfg.DataDir, a.Audit)
	a.ExportDeps().Handle()
	if a.CH != nil {
		a.WeeklyWorkbooks = &dashboards.WeeklySchedule{Reader: dashboards.NewReader(a.DashboardDeps()), Jobs: a.Reports, DB: a.DB,
			Users: a.Auth.Users, SMTP: a.Survey.SMTP, BaseURL: cfg.BaseURL, Logger: a.Logger}
		a.WeeklyWorkbooks.Handle()
	}
	return a, nil
}

// ExportDeps is what the raw exports read (the /reports pages, their jobs
// and the export command).
func (a *App) ExportDeps() exports.Deps {
	return exports.Deps{Jobs: a.Reports, CH: a.CH, DB: a.DB, Survey: a.Survey.Store, Support: a.Support, Audit: a.Audit}
}

func (a *App) openClickHouse(ctx context.Context) error {
	dsn := a.Config.ClickHouseDSN
	if dsn == "" {
		m, err := warehouse.StartManaged(ctx, filepath.Join(a.Config.DataDir, "clickhouse"), a.Logger)
		if err != nil {
			return err
		}
		a.Managed = m
		dsn = m.DSN()
		if m.Borrowed() { // another pilotpulse process (serve) runs it; Close leaves it running
			a.Logger.Info("using the private ClickHouse another pilotpulse process runs", "addr", m.TCPAddr(), "pid", m.Pid())
		} else {
			a.Logger.Info("private ClickHouse started", "addr", m.TCPAddr(), "pid", m.Pid())
		}
	}
	conn, err := warehouse.Open(ctx, dsn)
	if err != nil {
		return err
	}
	a.CH = conn
	applied, err := warehouse.Migrate(ctx, conn, warehouse.Migrations)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		a.Logger.Info("ClickHouse migrated", "versions", applied)
	}
	a.Ingester = ingest.New(a.DB, conn, a.Logger)
	a.Ingester.SetBacklogLimit(ingest.BacklogLimit{Events: a.Config.BacklogEvents, Bytes: a.Config.BacklogBytes})
	a.Ingester.SetDedupHorizon(a.Config.DedupHorizon)
	a.Volume = figures.NewVolume(a.DB, conn)
	if err := a.Ingester.Recover(ctx); err != nil { // batches a crash left pending
		a.Logger.Warn("settling interrupted ingest batches failed; retried every second while the jobs run", "err", err)
	}
	return nil
}

// Job is one of the app's background jobs.
type Job string

// The background jobs RunJobs runs.
const (
	// JobSessionPurge deletes expired sessions every 15 minutes.
	JobSessionPurge Job = "session-purge"
	// JobSurveySchedule runs the questionnaire's schedule every minute
	// (waves, invitations, reminders).
	JobSurveySchedule Job = "survey-schedule"
	// JobPullers pulls the enabled http-feed and directory sources (with ClickHouse only).
	JobPullers Job = "pullers"
	// JobSettle inserts, every second, spooled event batches whose insert
	// failed (ClickHouse was down) once it answers again (with ClickHouse only).
	JobSettle Job = "ingest-settle"
	// JobVolumeRefresh recomputes, every 2 seconds, the weekly volume
	// figures of the weeks newly stored ingest batches touched (with
	// ClickHouse only).
	JobVolumeRefresh Job = "volume-refresh"
	// JobReports runs the queued report jobs (raw exports), ReportWorkers
	// at once; at start it fails the jobs a crash left running, and it
	// removes report files older than the configured retention.
	JobReports Job = "reports"
	// JobWeeklyWorkbooks queues, every minute, the weekly pilot workbook of
	// each week whose questionnaire wave has closed (once per week; listed
	// on /reports) and mails the managers a link when SMTP is configured
	// (with ClickHouse only).
	JobWeeklyWorkbooks Job = "weekly-workbooks"
)

// ReportWorkers is how many report jobs run at once.
const ReportWorkers = 2

// RunJobs runs the background jobs (only those named, or all of them) over
// the app's services until ctx ends, and returns once every one stopped.
// Jobs that need ClickHouse are skipped when the app was opened without it.
func (a *App) RunJobs(ctx context.Context, only ...Job) {
	jobs := map[Job]func(context.Context){
		JobSessionPurge:   a.purgeSessions,
		JobSurveySchedule: func(ctx context.Context) { survey.RunScheduler(ctx, a.Survey, a.Logger, time.Minute) },
		JobReports:        func(ctx context.Context) { a.Reports.Run(ctx, ReportWorkers, a.Config.ReportRetention, a.Logger) },
	}
	if a.Ingester != nil {
		jobs[JobPullers] = func(ctx context.Context) { sources.RunPullers(ctx, a.Sources, a.Ingester, a.Logger) }
		jobs[JobSettle] = func(ctx context.Context) { a.Ingester.Run(ctx, time.Second) }
		jobs[JobVolumeRefresh] = func(ctx context.Context) { a.Volume.Run(ctx, 2*time.Second, a.Logger) }
	}
	if a.WeeklyWorkbooks != nil {
		jobs[JobWeeklyWorkbooks] = func(ctx context.Context) { a.WeeklyWorkbooks.Run(ctx, time.Minute) }
	}
	if len(only) > 0 {
		chosen := map[Job]func(context.Context){}
		for _, j := range only {
			if run, ok := jobs[j]; ok {
				chosen[j] = run
			}
		}
		jobs = chosen
	}
	var wg sync.WaitGroup
	for _, run := range jobs {
		wg.Go(func() { run(ctx) })
	}
	wg.Wait()
}

func (a *App) purgeSessions(ctx context.Context) {
	t := time.NewTicker(15 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Auth.PurgeSessions(ctx); err != nil {
				a.Logger.Warn("purging expired sessions", "err", err)
			}
		}
	}
}

// Web builds the web server with every route.
func (a *App) Web() (*web.Server, error) {
	ready := map[string]web.Check{"sqlite": func(ctx context.Context) error { return a.DB.PingContext(ctx) }}
	if a.CH != nil {
		ready["clickhouse"] = func(ctx context.Context) error { return a.CH.Ping(ctx) }
	}
	srv, err := web.New(web.Deps{Config: a.Config, Logger: a.Logger, Auth: a.Auth, Audit: a.Audit, Throttle: a.Throttle, Ready: ready})
	if err != nil {
		return nil, err
	}
	if err := account.Register(srv, a.Auth, a.Audit, a.forgetKeptLogin); err != nil {
		return nil, err
	}
	if err := registry.Register(srv, a.Registry, a.Audit); err != nil {
		return nil, err
	}
	if a.Ingester != nil {
		if err := sources.RegisterPush(srv, a.Sources, a.Ingester, a.pushLimits()); err != nil {
			return nil, err
		}
	}
	// Without ClickHouse only the company hub (no usage events).
	if err := dashboards.Register(srv, a.DashboardDeps()); err != nil {
		return nil, err
	}
	if err := sources.Register(srv, a.Sources, a.Audit, a.Ingester); err != nil {
		return nil, err
	}
	if err := support.Register(srv, a.Support, a.Audit); err != nil {
		return nil, err
	}
	if err := survey.Register(srv, survey.Deps{Sender: a.Survey, Audit: a.Audit, Logger: a.Logger}); err != nil {
		return nil, err
	}
	if err := exports.Register(srv, a.ExportDeps()); err != nil {
		return nil, err
	}
	srv.Finish()
	return srv, nil
}

// DashboardDeps is what the dashboards and the reports read (the web pages
// and dashboards.NewReader for the CLI and scheduled reports).
func (a *App) DashboardDeps() dashboards.Deps {
	return dashboards.Deps{CH: a.CH, DB: a.DB, Volume: a.Volume, Audit: a.Audit, Registry: a.Registry, Support: a.Support, Survey: a.Survey.Store}
}

// pushLimits are the configuration's bounds of POST /api/v1/events.
func (a *App) pushLimits() sources.PushLimits {
	return sources.PushLimits{Rate: sources.RateLimit{PerSecond: a.Config.PushRate, Burst: float64(a.Config.PushBurst)}, Wait: a.Config.PushWait}
}

// InitialAdminFile is where the first admin's generated password is kept
// (mode 0600, inside the data dir) so that `make run` can show the login
// again; delete it once the password has been handed over.
const InitialAdminFile = "initial-admin-password"

// EnsureAdmin creates an admin with a generated password when none exists,
// prints the login to out, and keeps it in the data dir's InitialAdminFile.
// When that file is still there, later starts print the login again.
func (a *App) EnsureAdmin(ctx context.Context, out io.Writer) error {
	has, err := a.Auth.HasAdmin(ctx)
	if err != nil {
		return err
	}
	pwFile := filepath.Join(a.Config.DataDir, InitialAdminFile)
	if has {
		if b, err := os.ReadFile(pwFile); err == nil {
			fmt.Fprintf(out, "Admin login: %s (from %s, kept until that admin changes its password)\n", strings.TrimSpace(string(b)), pwFile)
		}
		return nil
	}
	email := "admin@pilotpulse.local"
	pw := auth.GeneratePassword()
	if _, err := a.Auth.CreateUser(ctx, auth.NewUser{Email: email, Role: auth.RoleAdmin, Password: pw}); err != nil {
		if errors.Is(err, auth.ErrEmailTaken) { // exists but disabled or demoted: give it the admin role back
			u, uerr := a.Auth.UserByEmail(ctx, email)
			if uerr != nil {
				return uerr
			}
			role, enabled := auth.RoleAdmin, false
			if _, err := a.Auth.UpdateUser(ctx, u.ID, auth.UserChange{Role: &role, Disabled: &enabled, Password: &pw}); err != nil {
				return err
			}
		} else {
			return err
		}
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "system", Action: audit.UserCreated, Target: email, Detail: "role=admin (first start)"})
	if err := os.WriteFile(pwFile, []byte(email+" / "+pw+"\n"), 0o600); err != nil {
		return fmt.Errorf("keeping the first admin's password: %w", err)
	}
	fmt.Fprintf(out, "Created the first admin. Admin login: %s / %s (also in %s)\n", email, pw, pwFile)
	return nil
}

// DemoLoginsFile is where `pilotpulse demo` keeps the demo users' logins
// (mode 0600, inside the data dir; a line "email / password" each), so
// that `make run` shows them again; a user's line goes once it chose a
// password of its own.
const DemoLoginsFile = "demo-logins"

// forgetKeptLogin deletes the kept login of a user that chose a password
// of its own: the first admin's file, or its line in the demo logins.
func (a *App) forgetKeptLogin(email string) {
	a.forgetInitialAdminPassword(email)
	path := filepath.Join(a.Config.DataDir, DemoLoginsFile)
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(b), email+" / ") {
		return
	}
	var keep []string
	for _, line := range strings.SplitAfter(string(b), "\n") {
		if !strings.HasPrefix(line, email+" / ") {
			keep = append(keep, line)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(keep, "")), 0o600); err != nil {
		a.Logger.Warn("could not delete a kept demo login", "path", path, "err", err)
	}
}

// forgetInitialAdminPassword deletes the kept first-admin login once that
// admin chose a password of its own.
func (a *App) forgetInitialAdminPassword(email string) {
	path := filepath.Join(a.Config.DataDir, InitialAdminFile)
	b, err := os.ReadFile(path)
	if err != nil || !strings.HasPrefix(string(b), email+" / ") {
		return
	}
	if err := os.Remove(path); err != nil {
		a.Logger.Warn("could not delete the kept first-admin login", "path", path, "err", err)
	}
}

// Close stops what Open started. Stop RunJobs first.
func (a *App) Close() error {
	var errs []error
	if a.Ingester != nil {
		// Spooled events still being inserted get a while to land; what does
		// not stays pending and is inserted at the next start.
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		if err := a.Ingester.Wait(ctx); err != nil {
			a.Logger.Warn("ingest sessions still running at close; their batches are settled at the next start", "err", err)
		}
		cancel()
	}
	if a.CH != nil {
		errs = append(errs, a.CH.Close())
	}
	if a.Managed != nil {
		errs = append(errs, a.Managed.Stop())
	}
	if a.DB != nil {
		errs = append(errs, a.DB.Close())
	}
	return errors.Join(errs...)
}

// NewLogger returns the slog logger the config asks for.
func NewLogger(cfg config.Config, w io.Writer, terminal bool) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	format := cfg.LogFormat
	if format == "" {
		format = "json"
		if terminal {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}
