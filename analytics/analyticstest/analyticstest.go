// Package analyticstest is the test setup the analytics packages share: a
// migrated app database and ClickHouse database, events and figures to
// check, and the real pilotpulse binary for the tests that kill it with
// SIGKILL. Each test binary calls Main from its TestMain.
package analyticstest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/internal/testbinary"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/chdb"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// Main runs the tests of a package, then stops the shared ClickHouse server
// and the chDB engine (see Engines) and removes the binary built for them:
// call it from TestMain.
func Main(m *testing.M) {
	warehousetest.Main(m, func() {
		if err := chdb.Shutdown(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}, testbinary.Remove)
}

// KillableApp is the real pilotpulse binary on a data dir of its own and a
// fresh ClickHouse database, for the tests that kill it with SIGKILL.
type KillableApp struct {
	Bin     string
	Addr    string // where serve listens
	DataDir string
	CH      driver.Conn
	DSN     string // of CH (the app uses it unless SetEnv says otherwise)

	t   testing.TB
	env []string
	log *os.File // what serve printed, every run
	db  *store.DB
}

// NewKillableApp prepares the binary's environment; env adds variables
// (log level and format).
func NewKillableApp(t testing.TB, env ...string) *KillableApp {
	t.Helper()
	tmp := t.TempDir()
	ch, dsn := warehousetest.NewDatabase(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	log, err := os.Create(filepath.Join(tmp, "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { log.Close() })
	a := &KillableApp{Bin: testbinary.Path(t), Addr: addr, DataDir: filepath.Join(tmp, "data"), CH: ch, DSN: dsn, t: t, log: log}
	a.env = append(append(os.Environ(), "PILOTPULSE_DATA_DIR="+a.DataDir, "PILOTPULSE_CLICKHOUSE_DSN="+dsn,
		"PILOTPULSE_ADDR="+addr), env...)
	return a
}

// SetEnv sets variables (NAME=value) for the commands and serves started
// after it, over those NewKillableApp set.
func (a *KillableApp) SetEnv(env ...string) { a.env = append(a.env, env...) }

// Command runs a CLI command to completion and returns its standard output.
func (a *KillableApp) Command(args ...string) string {
	a.t.Helper()
	cmd := exec.Command(a.Bin, args...)
	cmd.Env = a.env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		a.t.Fatalf("pilotpulse %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// Start starts `pilotpulse serve` (killed if the test process dies); with
// ready it returns once /readyz answers 200.
func (a *KillableApp) Start(ready bool) *exec.Cmd {
	a.t.Helper()
	cmd := exec.Command(a.Bin, "serve")
	cmd.Env = a.env
	cmd.Stdout, cmd.Stderr = a.log, a.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		a.t.Fatal(err)
	}
	for deadline := time.Now().Add(60 * time.Second); ready; time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get("http://" + a.Addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			a.t.Fatalf("serve not ready within 60 s; log:\n%s", a.Log())
		}
	}
	return cmd
}

// Log is what serve printed so far, in every run.
func (a *KillableApp) Log() string {
	b, _ := os.ReadFile(a.log.Name())
	return string(b)
}

// DB is the app database, read beside the running app.
func (a *KillableApp) DB() *store.DB {
	a.t.Helper()
	if a.db == nil {
		db, err := store.Open(context.Background(), filepath.Join(a.DataDir, "pilotpulse.db"))
		if err != nil {
			a.t.Fatal(err)
		}
		a.t.Cleanup(func() { db.Close() })
		a.db = db
	}
	return a.db
}

// Acknowledged is how many of the source's events the ledger holds: stored
// for good, whether ClickHouse has them yet or not.
func (a *KillableApp) Acknowledged(source string) int {
	var n int
	if err := a.DB().QueryRow(`SELECT coalesce(sum(events), 0) FROM ingest_batches WHERE source = ?`, source).Scan(&n); err != nil {
		a.t.Fatal(err)
	}
	return n
}
