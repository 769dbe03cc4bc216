// Package warehousetest gives tests a real ClickHouse server: one managed
// clickhouse-server per test binary, started lazily on first use, and a fresh
// database per test.
//
// Stop the shared server at the end of the test binary: call Main from
// TestMain,
//
//	func TestMain(m *testing.M) { warehousetest.Main(m) }
//
// Without that the server still dies with the test binary (it is started with
// Pdeathsig), but its temporary folder is left behind.
//
// When no clickhouse-server binary exists, tests that need one fail, unless
// the environment variable PILOTPULSE_TEST_ALLOW_NO_CLICKHOUSE=1 is set: then
// they are skipped.
package warehousetest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
)

// AllowNoClickHouseEnv, set to 1, turns "no clickhouse-server binary" from a
// test failure into a skip.
const AllowNoClickHouseEnv = "PILOTPULSE_TEST_ALLOW_NO_CLICKHOUSE"

var (
	mu       sync.Mutex
	once     sync.Once
	server   *warehouse.Managed
	admin    driver.Conn // on the server's default database, for CREATE/DROP DATABASE
	tempDir  string
	startErr error
	skipMsg  string
	counter  atomic.Int64
)

func start() {
	if _, err := warehouse.FindServerBinary(); err != nil {
		if os.Getenv(AllowNoClickHouseEnv) == "1" {
			skipMsg = fmt.Sprintf("skipping: %v (%s=1 is set)", err, AllowNoClickHouseEnv)
			return
		}
		startErr = fmt.Errorf("%w\n(set %s=1 to skip tests that need ClickHouse instead)", err, AllowNoClickHouseEnv)
		return
	}
	dir, err := os.MkdirTemp("", "pilotpulse-clickhouse-test-")
	if err != nil {
		startErr = fmt.Errorf("warehousetest: %w", err)
		return
	}
	tempDir = dir
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	m, err := warehouse.StartManaged(ctx, dir, logger)
	if err != nil {
		startErr = fmt.Errorf("warehousetest: start clickhouse-server in %s: %w", dir, err)
		return
	}
	conn, err := warehouse.Open(ctx, "clickhouse://default:@"+m.TCPAddr()+"/default")
	if err != nil {
		_ = m.Stop()
		startErr = fmt.Errorf("warehousetest: connect to clickhouse-server: %w", err)
		return
	}
	server, admin = m, conn
}

// Server returns the test binary's shared managed server, starting it on the
// first call. It skips the test (with AllowNoClickHouseEnv=1 and no binary) or
// fails it when the server cannot be had.
func Server(t testing.TB) *warehouse.Managed {
	t.Helper()
	mu.Lock()
	once.Do(start)
	m, err, skip := server, startErr, skipMsg
	mu.Unlock()
	if skip != "" {
		t.Skip(skip)
	}
	if err != nil {
		t.Fatal(err)
	}
	if m == nil {
		t.Fatal("warehousetest: the shared clickhouse-server was shut down already")
	}
	return m
}

// NewDatabase creates a fresh, uniquely named database on the shared server
// and returns a connection whose default database it is, and its DSN. The
// database is dropped and the connection closed when the test ends.
func NewDatabase(t testing.TB) (driver.Conn, string) {
	t.Helper()
	m := Server(t)
	mu.Lock()
	adm := admin
	mu.Unlock()

	name := fmt.Sprintf("t_%s_%d_%d", sanitize(t.Name()), os.Getpid(), counter.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := adm.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("warehousetest: create database %s: %v", name, err)
	}
	dsn := "clickhouse://default:@" + m.TCPAddr() + "/" + name
	conn, err := warehouse.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("warehousetest: connect to database %s: %v", name, err)
	}
	t.Cleanup(func() {
		conn.Close()
		// t.Context() is already canceled here, hence a fresh context.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adm.Exec(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Errorf("warehousetest: drop database %s: %v", name, err)
		}
	})
	return conn, dsn
}

// Shutdown stops the shared server, if it was started, and removes its
// temporary folder. Call it from TestMain after m.Run (see the package
// documentation). It is safe to call more than once.
func Shutdown() {
	mu.Lock()
	defer mu.Unlock()
	once.Do(func() {}) // a later Server call must not start a new server
	if admin != nil {
		admin.Close()
		admin = nil
	}
	if server != nil {
		if err := server.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "warehousetest: stop clickhouse-server: %v\n", err)
		}
		server = nil
	}
	if tempDir != "" {
		_ = os.RemoveAll(tempDir)
		tempDir = ""
	}
}

// sanitize turns a test name into something usable inside an identifier,
// short enough to keep database names readable.
func sanitize(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

// Main runs the tests of a package, then stops the shared server and runs
// the package's other clean-ups (in order), and exits with the tests'
// status: call it from TestMain.
func Main(m *testing.M, cleanups ...func()) {
	code := m.Run()
	Shutdown()
	for _, c := range cleanups {
		c()
	}
	os.Exit(code)
}
