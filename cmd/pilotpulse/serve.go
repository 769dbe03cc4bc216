package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

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
	served := make(chan error, 2) // the web server and the metrics server
	go func() { served <- srv.App.Listener(ln) }()
	if c.cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", c.cfg.MetricsAddr)
		if err != nil {
			srv.Shutdown(5 * time.Second)
			return fmt.Errorf("listen on %s (PILOTPULSE_METRICS_ADDR): %w", c.cfg.MetricsAddr, err)
		}
		metrics := &http.Server{Handler: srv.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() { served <- metrics.Serve(mln) }()
		defer metrics.Close()
		c.logger.Info("serving /metrics", "addr", mln.Addr().String())
	}
	fmt.Fprintf(c.stdout, "Pilotpulse is running at %s (data in %s)\n", c.cfg.BaseURL, c.cfg.DataDir)
	c.logger.Info("serving", "addr", ln.Addr().String(), "base_url", c.cfg.BaseURL)

	// The background jobs stop before the stores close; a hung store does
	// not hold the exit.
	jobsCtx, stopJobs := context.WithCancel(ctx)
	jobsDone := make(chan struct{})
	go func() { defer close(jobsDone); a.RunJobs(jobsCtx) }()
	defer func() {
		stopJobs()
		select {
		case <-jobsDone:
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

func runMigrate(ctx context.Context, c *cmdContext) error {
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	fmt.Fprintln(c.stdout, "migrations applied: the app database and ClickHouse are up to date")
	return a.Close()
}
