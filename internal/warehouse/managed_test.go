package warehouse_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// requireBinary fails (or, with PILOTPULSE_TEST_ALLOW_NO_CLICKHOUSE=1, skips)
// tests that start their own server when there is no clickhouse-server.
func requireBinary(t *testing.T) {
	t.Helper()
	if _, err := warehouse.FindServerBinary(); err != nil {
		if os.Getenv(warehousetest.AllowNoClickHouseEnv) == "1" {
			t.Skipf("skipping: %v", err)
		}
		t.Fatal(err)
	}
}

// testLogger logs through t.Log while the test runs and to stderr after it
// ended (the server's goroutine may log once more when it is reaped).
func testLogger(t *testing.T) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(w.detach) // registered first, so it runs after the Stop cleanups
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct {
	mu       sync.Mutex
	t        *testing.T
	detached bool
}

func (w *tWriter) detach() {
	w.mu.Lock()
	w.detached = true
	w.mu.Unlock()
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.detached {
		return os.Stderr.Write(p)
	}
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

func startManaged(t *testing.T, dir string) *warehouse.Managed {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	m, err := warehouse.StartManaged(ctx, dir, testLogger(t))
	if err != nil {
		t.Fatalf("StartManaged: %v", err)
	}
	t.Cleanup(func() { _ = m.Stop() })
	return m
}

func open(t *testing.T, dsn string) driver.Conn {
	t.Helper()
	conn, err := warehouse.Open(t.Context(), dsn)
	if err != nil {
		t.Fatalf("Open(%s): %v", dsn, err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

func countRows(t *testing.T, conn driver.Conn, table string) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(t.Context(), "SELECT count() FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func createNotes(t *testing.T, conn driver.Conn) {
	t.Helper()
	if err := conn.Exec(t.Context(), "CREATE TABLE notes (id UInt32, text String) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
}

func insertNote(t *testing.T, conn driver.Conn, id uint32, text string) {
	t.Helper()
	batch, err := conn.PrepareBatch(t.Context(), "INSERT INTO notes (id, text)")
	if err != nil {
		t.Fatalf("prepare insert: %v", err)
	}
	if err := batch.Append(id, text); err != nil {
		t.Fatalf("append: %v", err)
	}
	if err := batch.Send(); err != nil {
		t.Fatalf("send: %v", err)
	}
}

// TestManagedStartReuseAndStale starts a server, stores a row, stops it, starts
// a second one on the same dir (which must see the row), then starts a third
// one after the second's owner gave up the dir without stopping it, as an
// owner that died without taking its server along would (the third must
// replace it and see the data).
func TestManagedStartReuseAndStale(t *testing.T) {
	requireBinary(t)
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "clickhouse")

	first := startManaged(t, dir)
	if got, want := first.DSN(), "clickhouse://default:@"+first.TCPAddr()+"/pilotpulse"; got != want {
		t.Errorf("DSN() = %q, want %q", got, want)
	}
	if !strings.HasPrefix(first.TCPAddr(), "127.0.0.1:") {
		t.Errorf("TCPAddr() = %q, want 127.0.0.1:PORT", first.TCPAddr())
	}
	for _, f := range []string{"config.xml", "users.xml", "clickhouse-server.pid", "log/clickhouse-server.log"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("expected %s under the server dir: %v", f, err)
		}
	}
	conn := open(t, first.DSN())
	var one uint8
	if err := conn.QueryRow(t.Context(), "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	createNotes(t, conn)
	insertNote(t, conn, 1, "written by the first server")
	conn.Close()

	firstPid := first.Pid()
	if err := first.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := first.Stop(); err != nil {
		t.Fatalf("second Stop: %v", err)
	}
	if alive(firstPid) {
		t.Fatalf("server pid %d still alive after Stop", firstPid)
	}
	if _, err := os.Stat(filepath.Join(dir, "clickhouse-server.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file still there after Stop: %v", err)
	}

	second := startManaged(t, dir)
	conn2 := open(t, second.DSN())
	if n := countRows(t, conn2, "notes"); n != 1 {
		t.Fatalf("second server sees %d rows in notes, want 1 (data not reused)", n)
	}
	insertNote(t, conn2, 2, "written by the second server")
	conn2.Close()

	// Not stopped, but no longer owned: the third start must find it through
	// the pid file and stop it.
	warehouse.AbandonOwnership(second)
	third := startManaged(t, dir)
	select {
	case <-second.Done():
	default:
		t.Fatalf("the second server (pid %d) still runs after a third StartManaged on its dir", second.Pid())
	}
	conn3 := open(t, third.DSN())
	if n := countRows(t, conn3, "notes"); n != 2 {
		t.Fatalf("third server sees %d rows in notes, want 2", n)
	}
	if err := second.Stop(); err != nil {
		t.Errorf("Stop of the replaced server: %v", err)
	}
	if err := third.Stop(); err != nil {
		t.Errorf("Stop: %v", err)
	}
}

// ownerHelper runs the test binary as an app that owns a managed server and
// returns it with the server's pid; the server lives in dir.
func ownerHelper(t *testing.T, dir string) (*exec.Cmd, int) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), helperDirEnv+"="+dir)
	var stderr syncBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("helper stderr:\n%s", stderr.String())
		}
	})

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), "PID ") {
				lines <- sc.Text()
				return
			}
		}
		close(lines)
	}()
	var pid int
	select {
	case line, ok := <-lines:
		if !ok {
			t.Fatalf("helper exited without reporting a server pid; stderr:\n%s", stderr.String())
		}
		if _, err := fmt.Sscanf(line, "PID %d", &pid); err != nil {
			t.Fatalf("helper said %q: %v", line, err)
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("helper did not report a server pid in time; stderr:\n%s", stderr.String())
	}
	if !alive(pid) {
		t.Fatalf("server pid %d reported by the helper is not alive", pid)
	}
	// Whatever happens, do not leave the server behind.
	t.Cleanup(func() {
		if alive(pid) && isClickHouseUnder(pid, dir) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	return cmd, pid
}

func TestNoOrphanAfterOwnerSIGTERM(t *testing.T) {
	requireBinary(t)
	t.Parallel()
	owner, pid := ownerHelper(t, filepath.Join(t.TempDir(), "clickhouse"))
	if err := owner.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- owner.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Errorf("owner exited with %v, want a clean exit after Stop", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("owner did not exit within 30s of SIGTERM")
	}
	// Stop waited for the server, so it must be gone already.
	if !waitGone(pid, 5*time.Second) {
		t.Fatalf("clickhouse-server pid %d outlived its owner after SIGTERM", pid)
	}
}

func TestNoOrphanAfterOwnerSIGKILL(t *testing.T) {
	requireBinary(t)
	t.Parallel()
	owner, pid := ownerHelper(t, filepath.Join(t.TempDir(), "clickhouse"))
	if err := owner.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = owner.Wait()
	if !waitGone(pid, 10*time.Second) {
		t.Fatalf("clickhouse-server pid %d outlived its owner after SIGKILL (Pdeathsig did not fire)", pid)
	}
}

func TestOpenRejectsHTTP(t *testing.T) {
	_, err := warehouse.Open(t.Context(), "http://default:secret@127.0.0.1:8123/pilotpulse")
	if err == nil || !strings.Contains(err.Error(), "native protocol") {
		t.Fatalf("Open(http DSN) error = %v, want one asking for the native protocol", err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestOpenSharedServer(t *testing.T) {
	conn, dsn := warehousetest.NewDatabase(t)
	var db string
	if err := conn.QueryRow(t.Context(), "SELECT currentDatabase()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(dsn, "/"+db) {
		t.Errorf("connection works in database %q, DSN is %q", db, dsn)
	}
}

// alive reports whether pid exists and is not a zombie (an orphan that
// nobody reaped is dead for our purposes).
func alive(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return false
	}
	return s[i+2] != 'Z' && s[i+2] != 'X'
}

func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for alive(pid) {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

func isClickHouseUnder(pid int, dir string) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(raw, []byte("clickhouse")) && bytes.Contains(raw, []byte(dir))
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
