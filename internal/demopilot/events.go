package demopilot

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app"
)

// SourceName is the http-feed source the demo's usage events come
// through; its origin is "demo", the source earlier demos stored them
// under, so events stored then count once.
const (
	SourceName   = "demo-feed"
	sourceOrigin = "demo"
)

// pullEvents serves the demo feed in this process on a free loopback
// port, points the (switched-off) demo source at it and pulls it to the
// end with the sources' own puller, as the running app pulls any feed.
//
// Why here and not in `pilotpulse serve`: the demo is complete when the
// command returns (its counts are true, a test can compare figures at
// once, `make run` starts serve on a loaded pilot), and serve gets no
// public route producing synthetic data. The source stays switched off,
// so serve never polls the address that went away with this process; its
// counts and last pull stay on the sources page.
//
// The source's URL names the host "localhost" and the puller's client
// connects only to this process's own listener, whatever the URL says:
// the demo's feed is the one loopback address reached, by construction,
// without allowing loopback feeds in the configuration.
func pullEvents(ctx context.Context, a *app.App, d demofeed.Demo) (Count, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Count{}, "", fmt.Errorf("demo feed: %w", err)
	}
	srv := &http.Server{Handler: demofeed.FeedHandler(d.Events, demofeed.FeedOptions{MaxLimit: sources.MaxBatchLimit}), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	feedAddr := ln.Addr().String()
	url := "http://localhost:" + strconv.Itoa(ln.Addr().(*net.TCPAddr).Port) + "/events"

	off := false
	src, err := a.Sources.ByName(ctx, SourceName)
	switch {
	case errors.Is(err, sources.ErrSourceNotFound):
		src, err = a.Sources.Create(ctx, sources.SourceInput{Name: SourceName, Kind: sources.KindHTTPFeed, Origin: sourceOrigin, URL: url,
			BatchLimit: sources.MaxBatchLimit, IntervalSeconds: int(sources.MaxInterval / time.Second), Enabled: &off})
	case err == nil:
		// A new address: the feed is read from its beginning again (what
		// is stored counts once).
		src, err = a.Sources.Update(ctx, src.ID, sources.SourceInput{URL: url, Enabled: &off})
	}
	if err != nil {
		return Count{}, "", fmt.Errorf("demo source %s: %w", SourceName, err)
	}
	before := src.Status
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var dialer net.Dialer
			return dialer.DialContext(ctx, network, feedAddr) // only the demo's own feed
		}}}
	puller := sources.NewPuller(a.Sources, a.Ingester, a.Logger, sources.PullOptions{Client: client})
	if err := puller.PullOnce(ctx, src.ID); err != nil {
		return Count{}, "", fmt.Errorf("pulling the demo feed: %w", err)
	}
	if err := a.Ingester.Flush(ctx); err != nil {
		return Count{}, "", fmt.Errorf("storing demo events: %w", err)
	}
	after, err := a.Sources.Get(ctx, src.ID)
	if err != nil {
		return Count{}, "", err
	}
	pulled := after.Status.EventsPulled - before.EventsPulled
	dup := after.Status.EventsDuplicate - before.EventsDuplicate
	return Count{Total: int(pulled), New: int(pulled - dup)}, SourceName, nil
}
