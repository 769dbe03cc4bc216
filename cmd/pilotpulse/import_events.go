package main

import (
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app"
	"github.com/pilotpulse/pilotpulse/internal/audit"
)

func init() {
	commandFlags["import events"] = func(fs *flag.FlagSet) {
		fs.String("source", "import", "the source the events are stored under (duplicates are recognised per source)")
	}
}

// importBatch is how many events one ledger commit takes (inserts into
// ClickHouse join several).
const importBatch = 10000

// runImportEvents imports NDJSON, NDJSON.gz, JSON and CSV files of usage
// events with the validation and exactly-once storage of the push API.
// Valid events are stored even when other lines are rejected; the command
// exits 1 when any line was rejected (listed as FILE:LINE: error) or a file
// could not be read. Running it again on the same files is safe.
func runImportEvents(ctx context.Context, c *cmdContext) error {
	if len(c.args) == 0 {
		return usageError{"import events needs at least one FILE"}
	}
	source := strings.TrimSpace(c.flag("source"))
	if source == "" {
		return usageError{"--source must not be empty"}
	}
	for _, path := range c.args {
		if _, _, err := event.FormatOf(path); err != nil {
			return usageError{err.Error()}
		}
	}
	// Beside a running `serve`, this uses serve's private ClickHouse (see
	// warehouse.StartManaged).
	a, err := app.Open(ctx, c.cfg, c.logger, app.Options{ClickHouse: true})
	if err != nil {
		return err
	}
	defer a.Close()

	var total importCounts
	var failed []string
	for _, path := range c.args {
		n, err := importEventsFile(ctx, c, a.Ingester, source, path)
		if err == nil {
			// The file's events are durable in the ledger; the command ends
			// once ClickHouse has them too.
			err = a.Ingester.Flush(ctx)
		}
		total.add(n)
		if err != nil {
			fmt.Fprintf(c.stderr, "%s: %v\n", path, err)
			failed = append(failed, path)
			if errors.Is(err, ingest.ErrUnavailable) || ctx.Err() != nil {
				break // the next file would fail the same way
			}
		}
		a.Audit.Record(ctx, audit.Entry{Actor: "cli", Action: audit.Import, Target: "events " + filepath.Base(path),
			Detail: fmt.Sprintf("source=%s accepted=%d duplicates=%d rejected=%d", source, n.accepted, n.duplicates, n.rejected)})
		fmt.Fprintf(c.stdout, "%s: %d accepted, %d duplicates, %d rejected\n", path, n.accepted, n.duplicates, n.rejected)
	}
	if len(c.args) > 1 {
		fmt.Fprintf(c.stdout, "total: %d accepted, %d duplicates, %d rejected\n", total.accepted, total.duplicates, total.rejected)
	}
	switch {
	case len(failed) > 0:
		return fmt.Errorf("%d of %d files not fully imported (see above); what was stored stays stored, and running the import again is safe", len(failed), len(c.args))
	case total.rejected > 0:
		return fmt.Errorf("%d lines rejected (listed above); the valid events are stored", total.rejected)
	}
	return nil
}

type importCounts struct{ accepted, duplicates, rejected int }

func (n *importCounts) add(o importCounts) {
	n.accepted += o.accepted
	n.duplicates += o.duplicates
	n.rejected += o.rejected
}

func importEventsFile(ctx context.Context, c *cmdContext, ing *ingest.Ingester, source, path string) (importCounts, error) {
	var n importCounts
	format, gzipped, err := event.FormatOf(path)
	if err != nil {
		return n, err
	}
	f, err := os.Open(path)
	if err != nil {
		return n, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return n, err
	}
	counted := &countingReader{r: f}
	var r io.Reader = counted
	if gzipped {
		zr, err := gzip.NewReader(counted)
		if err != nil {
			return n, fmt.Errorf("not a gzip file: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	prog := newImportProgress(c.stdout, c.stdoutTerminal, filepath.Base(path), st.Size(), func() int64 { return counted.n }, time.Now)
	defer prog.done()

	stored, err := sources.SpoolStream(ctx, ing, source, r, format, importBatch, func(line int, _ event.Event) { prog.event(line) })
	prog.done()
	n = importCounts{accepted: stored.Accepted, duplicates: stored.Duplicates, rejected: len(stored.Rejected)}
	for _, le := range stored.Rejected {
		fmt.Fprintf(c.stderr, "%s:%d: %s\n", path, le.Line, le.Error)
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += int64(k)
	return k, err
}
