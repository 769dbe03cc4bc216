package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/audit"
)

// sourceAddFlags are the flags of "source add".
func sourceAddFlags(fs *flag.FlagSet) {
	fs.String("name", "", "the source's name (the events' source; cannot change later)")
	fs.String("kind", sources.KindHTTPFeed, "http-feed or directory")
	fs.String("origin", "", "the upstream the source carries (default: its own name); sources of one origin count an event_id once")
	fs.String("url", "", "http-feed: the feed address, polled as URL?after=CURSOR&limit=N")
	fs.String("dir", "", "directory: the folder export files (*.ndjson, *.ndjson.gz, *.csv) are dropped in")
	fs.String("interval", "", "how often to poll, e.g. 30s or 5m (default 60s)")
	fs.Int("limit", 0, fmt.Sprintf("events per feed page or stored batch (default %d)", sources.DefaultBatchLimit))
	fs.Bool("disabled", false, "create the source switched off")
}

func runSourceAdd(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"source add takes no arguments, only flags"}
	}
	if c.flag("name") == "" {
		return usageError{"source add needs --name"}
	}
	interval, err := sources.ParseInterval(c.flag("interval"))
	if err != nil {
		return usageError{"--interval: " + err.Error()}
	}
	limit, _ := strconv.Atoi(c.flag("limit"))
	disabled := c.flag("disabled") == "true"
	enabled := !disabled
	in := sources.SourceInput{Name: c.flag("name"), Kind: c.flag("kind"), Origin: c.flag("origin"), URL: c.flag("url"), Directory: dirFlag(c),
		IntervalSeconds: interval, BatchLimit: limit, Enabled: &enabled}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	src, err := a.Sources.Create(ctx, in)
	if err != nil {
		return fmt.Errorf("source add: %w", err)
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.RecordCreated, Target: "source " + src.Name, Detail: sourceDetail(src)})
	state := "enabled"
	if !src.Enabled {
		state = "disabled"
	}
	fmt.Fprintf(c.stdout, "created %s source %q (id %d, %s, every %s): %s\n", src.Kind, src.Name, src.ID, state, src.Interval(), sourceTarget(src))
	return nil
}

func sourceTarget(s sources.Source) string {
	switch s.Kind {
	case sources.KindHTTPFeed:
		return s.URL
	case sources.KindDirectory:
		return s.Directory
	}
	return "(push: sends with a token)"
}

func sourceDetail(s sources.Source) string {
	if !s.Pulled() {
		return fmt.Sprintf("kind=%s origin=%s", s.Kind, s.Origin)
	}
	return fmt.Sprintf("kind=%s origin=%s target=%s interval=%ds limit=%d enabled=%t", s.Kind, s.Origin, sourceTarget(s), s.IntervalSeconds, s.BatchLimit, s.Enabled)
}

// sourceSetFlags are the flags of "source set" and "source poll".
func sourceSetFlags(fs *flag.FlagSet) {
	fs.String("name", "", "the source to change")
	fs.String("origin", "", "source set: the upstream the source carries, push sources too (applies to events from then on)")
	fs.String("url", "", "http-feed: a new feed address (the feed is then read from its beginning; stored events count once)")
	fs.String("dir", "", "directory: a new folder")
	fs.String("interval", "", "how often to poll, e.g. 30s or 5m")
	fs.Int("limit", 0, "events per feed page or stored batch")
	fs.String("enabled", "", "true or false: switch pulling on or off")
}

func runSourceSet(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 || c.flag("name") == "" {
		return usageError{"source set needs --name and takes no arguments"}
	}
	interval, err := sources.ParseInterval(c.flag("interval"))
	if err != nil {
		return usageError{"--interval: " + err.Error()}
	}
	limit, _ := strconv.Atoi(c.flag("limit"))
	in := sources.SourceInput{Origin: c.flag("origin"), URL: c.flag("url"), Directory: dirFlag(c), IntervalSeconds: interval, BatchLimit: limit}
	switch c.flag("enabled") {
	case "":
	case "true", "false":
		on := c.flag("enabled") == "true"
		in.Enabled = &on
	default:
		return usageError{"--enabled: true or false"}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	store := a.Sources
	src, err := store.ByName(ctx, c.flag("name"))
	if err != nil {
		return fmt.Errorf("source %q: %w", c.flag("name"), err)
	}
	if src, err = store.Update(ctx, src.ID, in); err != nil {
		return fmt.Errorf("source set: %w", err)
	}
	a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.RecordChanged, Target: "source " + src.Name, Detail: sourceDetail(src)})
	fmt.Fprintf(c.stdout, "changed source %q: %s\n", src.Name, sourceDetail(src))
	return nil
}

func runSourcePoll(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 || c.flag("name") == "" {
		return usageError{"source poll needs --name and takes no arguments"}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	store := a.Sources
	src, err := store.ByName(ctx, c.flag("name"))
	if err == nil {
		err = store.PollNow(ctx, src.ID)
	}
	if err != nil {
		return fmt.Errorf("source %q: %w", c.flag("name"), err)
	}
	fmt.Fprintf(c.stdout, "source %q will be pulled within seconds by the running app\n", src.Name)
	return nil
}

func runSourceList(ctx context.Context, c *cmdContext) error {
	if len(c.args) > 0 {
		return usageError{"source list takes no arguments"}
	}
	a, err := openAppDB(ctx, c)
	if err != nil {
		return err
	}
	defer a.Close()
	srcs, err := a.Sources.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tKIND\tORIGIN\tSTATE\tINTERVAL\tPULLED\tREJECTED\tLAST SUCCESS\tCURSOR\tLAST ERROR")
	now := time.Now().UTC()
	for _, s := range srcs {
		state, interval, success, cursor, lastErr := "-", "-", "-", "-", "-"
		if s.Pulled() {
			state = "enabled"
			if !s.Enabled {
				state = "disabled"
			} else if s.Status.Failing {
				state = fmt.Sprintf("failing (%d)", s.Status.ConsecutiveFailures)
			}
			interval = s.Interval().String()
			if s.Status.LastSuccessAt != nil {
				success = s.Status.LastSuccessAt.Format(time.RFC3339) + " (" + s.Lag(now).Round(time.Second).String() + " ago)"
			}
			if s.Status.Cursor != nil {
				cursor = *s.Status.Cursor
			}
		}
		if s.Status.LastError != "" {
			lastErr = oneLine(s.Status.LastError)
			if s.Status.LastErrorAt != nil {
				lastErr = s.Status.LastErrorAt.Format(time.RFC3339) + " " + lastErr
			}
		}
		if len(s.Overlaps) > 0 {
			state += fmt.Sprintf(" (ids overlap origin %s)", cliSafe(s.Overlaps[0].OtherOrigin))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", s.ID, cliSafe(s.Name), s.Kind, cliSafe(s.Origin), state, interval,
			s.Status.EventsPulled, s.Status.EventsRejected, success, cliSafe(cursor), cliSafe(lastErr))
	}
	return tw.Flush()
}

// cliSafe keeps a value on one table cell: no tabs or line breaks.
func cliSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// dirFlag is --dir, a relative folder taken from the working directory
// (the sources page takes it from the import root).
func dirFlag(c *cmdContext) string {
	dir := c.flag("dir")
	if dir == "" || filepath.IsAbs(dir) {
		return dir
	}
	if abs, err := filepath.Abs(dir); err == nil {
		return abs
	}
	return dir
}
