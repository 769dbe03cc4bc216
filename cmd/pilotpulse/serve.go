package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app"
)

func runServe(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"serve takes no arguments"}
	}
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.EnsureAdmin(ctx, c.stdout); err != nil {
		return err
	}
	srv, err := a.Web()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.cfg.Addr, err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.App.Listener(ln) }()
	fmt.Fprintf(c.stdout, "Pilotpulse is running at %s (data in %s)\n", c.cfg.BaseURL, c.cfg.DataDir)
	c.logger.Info("serving", "addr", ln.Addr().String(), "base_url", c.cfg.BaseURL)

	// Scheduled work: expired sessions, the questionnaire schedule (waves,
	// invitations, reminders) and the pulled event sources. It stops before
	// the stores close; a hung store does not hold the exit.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	var jobs sync.WaitGroup
	job := func(f func(context.Context)) {
		jobs.Add(1)
		go func() { defer jobs.Done(); f(jobsCtx) }()
	}
	job(func(ctx context.Context) { purgeSessions(ctx, a) })
	job(func(ctx context.Context) { startSurveyScheduler(ctx, a, c) })
	if a.Ingester != nil {
		job(func(ctx context.Context) { sources.RunPullers(ctx, a.DB, a.Ingester, c.logger) })
	}
	defer func() {
		stopJobs()
		done := make(chan struct{})
		go func() { jobs.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			c.logger.Warn("scheduled work did not stop within 15 s")
		}
	}()
	var managedDied <-chan struct{}
	if a.Managed != nil {
		managedDied = a.Managed.Done()
	}
	select {
	case <-ctx.Done():
		c.logger.Info("shutting down")
	case err := <-served:
		return fmt.Errorf("web server stopped: %w", err)
	case <-managedDied:
		c.logger.Error("the private ClickHouse server exited; stopping")
		srv.Shutdown(10 * time.Second)
		if a.Managed.Borrowed() { // its owner, another pilotpulse process, exited
			return a.Managed.Err()
		}
		return errors.New("the private ClickHouse server exited unexpectedly; see its log under the data dir")
	}
	if err := srv.Shutdown(20 * time.Second); err != nil {
		c.logger.Warn("shutdown", "err", err)
	}
	return nil
}

func purgeSessions(ctx context.Context, a *app.App) {
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

func runMigrate(ctx context.Context, c *cmdContext) error {
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "migrations applied: the app database and ClickHouse are up to date")
	return a.Close()
}
