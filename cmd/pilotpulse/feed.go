package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
)

// feedFlags are the flags of "feed serve" and "feed export" (the address is
// the configuration's -addr).
func feedFlags(fs *flag.FlagSet) {
	fs.Int("companies", 30, "pilot companies (besides the municipality, region and state institution)")
	fs.Int("weeks", 8, "weeks of pilot from 2012-11-05")
	fs.Uint64("seed", 1, "the same seed gives the same events (and event ids)")
	fs.Duration("delay", 0, "serve: wait this long before each page (a slow upstream)")
	fs.Int("max-limit", 5000, "serve: the largest page served")
	fs.String("o", "", "export: the NDJSON file to write (default: standard output)")
}

// feedDefaultAddr is where the demo feed listens unless -addr is given.
const feedDefaultAddr = "127.0.0.1:9900"

func feedDemo(c *cmdContext) (demofeed.Demo, error) {
	companies, _ := strconv.Atoi(c.flag("companies"))
	weeks, _ := strconv.Atoi(c.flag("weeks"))
	seed, _ := strconv.ParseUint(c.flag("seed"), 10, 64)
	if companies < 1 || weeks < 1 || weeks > 52 {
		return demofeed.Demo{}, usageError{"--companies must be at least 1 and --weeks 1 to 52"}
	}
	return demofeed.DemoEvents(seed, companies, weeks), nil
}

func runFeedServe(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"feed serve takes no arguments, only flags"}
	}
	demo, err := feedDemo(c)
	if err != nil {
		return err
	}
	addr := feedDefaultAddr
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name == "addr" {
			addr = f.Value.String()
		}
	})
	delay, _ := time.ParseDuration(c.flag("delay"))
	maxLimit, _ := strconv.Atoi(c.flag("max-limit"))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: demofeed.FeedHandler(demo.Events, demofeed.FeedOptions{Delay: delay, MaxLimit: maxLimit}), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(c.stdout, "Demo upstream feed: %d events (%d participants, %d authorities) at http://%s/events\n",
		len(demo.Events), len(demo.Companies), len(demo.Authorities), ln.Addr())
	fmt.Fprintf(c.stdout, "Pull it with: pilotpulse source add --name demo-feed --kind http-feed --url http://%s/events --interval 30s\n", ln.Addr())
	select {
	case <-ctx.Done():
	case err := <-served:
		return err
	}
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runFeedExport(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"feed export takes no arguments, only flags"}
	}
	demo, err := feedDemo(c)
	if err != nil {
		return err
	}
	out := c.stdout
	var f *os.File
	if path := c.flag("o"); path != "" {
		if f, err = os.Create(path); err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	w := bufio.NewWriter(out)
	enc := json.NewEncoder(w)
	for _, e := range demo.Events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if f != nil {
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(c.stderr, "wrote %d events to %s\n", len(demo.Events), c.flag("o"))
	}
	return nil
}
