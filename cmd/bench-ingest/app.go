package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite" // to read the app's ledger size

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
)

// app is a private ClickHouse and the real `pilotpulse serve` on it, with a
// push token for the source "bench".
type app struct {
	dir   string
	ch    *warehouse.Managed
	serve *exec.Cmd
	base  string
	token string
}

// startApp builds ./cmd/pilotpulse into dir and starts ClickHouse and the
// app there; env is added to the app's environment.
func startApp(ctx context.Context, dir string, env ...string) (*app, error) {
	bin := filepath.Join(dir, "pilotpulse")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/pilotpulse").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/pilotpulse: %v\n%s", err, out)
	}
	m, err := warehouse.StartManaged(ctx, filepath.Join(dir, "clickhouse"), slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	a := &app{dir: dir, ch: m}
	addr, err := freeAddr()
	if err != nil {
		a.stop()
		return nil, err
	}
	env = append(append(os.Environ(), "PILOTPULSE_DATA_DIR="+filepath.Join(dir, "data"), "PILOTPULSE_CLICKHOUSE_DSN="+m.DSN(),
		"PILOTPULSE_ADDR="+addr, "PILOTPULSE_LOG_LEVEL=warn"), env...)
	tok := exec.Command(bin, "token", "create", "--source", "bench")
	tok.Env = env
	out, err := tok.Output()
	if err != nil {
		a.stop()
		return nil, fmt.Errorf("token create: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	a.token = lines[len(lines)-1]

	a.serve = exec.Command(bin, "serve")
	a.serve.Env = env
	if cpuProfile != "" {
		abs, err := filepath.Abs(cpuProfile)
		if err != nil {
			a.stop()
			return nil, err
		}
		a.serve.Env = append(a.serve.Env, "PILOTPULSE_CPU_PROFILE="+abs)
	}
	a.serve.Stderr = io.Discard
	a.serve.Stdout = io.Discard
	if err := a.serve.Start(); err != nil {
		a.stop()
		return nil, err
	}
	a.base = "http://" + addr
	if err := waitReady(a.base, 60*time.Second); err != nil {
		a.stop()
		return nil, err
	}
	return a, nil
}

func (a *app) stop() {
	if a.serve != nil && a.serve.Process != nil {
		a.serve.Process.Signal(os.Interrupt)
		a.serve.Wait()
	}
	a.ch.Stop()
}

// push sends the bodies from next with senders concurrent POSTs (a 429 or
// 503 is sent again after a pause) and adds up the answers.
func (a *app) push(senders int, next <-chan []byte) (accepted, duplicates int64, err error) {
	var acc, dups atomic.Int64
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Minute}
	for range senders {
		wg.Go(func() {
			for b := range next {
				for {
					req, _ := http.NewRequest(http.MethodPost, a.base+"/api/v1/events", bytes.NewReader(b))
					req.Header.Set("Content-Type", "application/x-ndjson")
					req.Header.Set("Authorization", "Bearer "+a.token)
					resp, err := client.Do(req)
					if err != nil {
						errOnce.Do(func() { firstErr = err })
						break
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode == 429 || resp.StatusCode == 503 {
						time.Sleep(200 * time.Millisecond)
						continue
					}
					if resp.StatusCode != 200 {
						errOnce.Do(func() { firstErr = fmt.Errorf("status %d: %s", resp.StatusCode, body) })
						break
					}
					var r struct{ Accepted, Duplicates int }
					json.Unmarshal(body, &r)
					acc.Add(int64(r.Accepted))
					dups.Add(int64(r.Duplicates))
					break
				}
			}
		})
	}
	wg.Wait()
	return acc.Load(), dups.Load(), firstErr
}

// ledgerSize is what the ingest ledger's keys take in the app database
// (the pages of its key tables), and its number of day tables.
type ledgerSize struct {
	bytes int64
	days  int
}

func (a *app) ledgerSize(ctx context.Context) (ledgerSize, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(a.dir, "data", "pilotpulse.db")+"?mode=ro&_pragma=busy_timeout(10000)")
	if err != nil {
		return ledgerSize{}, err
	}
	defer db.Close()
	var s ledgerSize
	err = db.QueryRowContext(ctx, `SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name GLOB 'event_keys*'`).Scan(&s.bytes)
	if err == nil {
		err = db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name GLOB 'event_keys_[0-9]*'`).Scan(&s.days)
	}
	if err != nil {
		return s, fmt.Errorf("ledger size: %w", err)
	}
	return s, nil
}

// generated streams n events (ids prefix0...) in time order from start
// over span, as NDJSON bodies of batch events each.
func generated(prefix string, n, batch int, start time.Time, span time.Duration) <-chan []byte {
	out := make(chan []byte, 4)
	go func() {
		defer close(out)
		var buf bytes.Buffer
		for i := range n {
			writeEvent(&buf, prefix, i, start.Add(time.Duration(float64(span)*float64(i)/float64(n))))
			if (i+1)%batch == 0 || i == n-1 {
				out <- bytes.Clone(buf.Bytes())
				buf.Reset()
			}
		}
	}()
	return out
}

// pushHistory pushes n more events spread over the two years after the
// measured ones, and prints the ledger's size at each quarter: once the
// history is longer than the dedup horizon (90 days), compaction (every
// second in serve) keeps it flat.
func (a *app) pushHistory(ctx context.Context, n, batch, senders int) error {
	fmt.Printf("\nledger as the history grows: %d more events over 2013-2014 (dedup horizon 90 days)\n", n)
	start := time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC)
	span := 2 * 365 * 24 * time.Hour
	quarter := max(n/4, batch)
	for done := 0; done < n; done += quarter {
		part := min(quarter, n-done)
		from := start.Add(time.Duration(float64(span) * float64(done) / float64(n)))
		to := time.Duration(float64(span) * float64(part) / float64(n))
		if _, _, err := a.push(senders, generated(fmt.Sprintf("h%d-", done), part, batch, from, to)); err != nil {
			return err
		}
		s, err := a.settledLedger(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("  %d events of history (to %s): ledger %.1f MB in %d day tables\n", done+part, from.Add(to).Format(time.DateOnly), float64(s.bytes)/(1<<20), s.days)
	}
	return nil
}

// settledLedger waits until compaction has caught up (at most the 91 day
// tables of a 90-day horizon and one more, or a minute) and returns the
// size.
func (a *app) settledLedger(ctx context.Context) (ledgerSize, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		s, err := a.ledgerSize(ctx)
		if err != nil || s.days <= 92 || time.Now().After(deadline) {
			return s, err
		}
		time.Sleep(200 * time.Millisecond)
	}
}
