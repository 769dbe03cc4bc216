package warehouse

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fakeServer writes an executable shell script standing in for
// clickhouse-server and returns its path.
func fakeServer(t *testing.T, script string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), ServerBinaryName)
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"+script+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}

func TestStartFailureShowsLogTail(t *testing.T) {
	bin := fakeServer(t, `echo "Logging errors to somewhere" >&2; echo "DB::Exception: something is badly wrong" >&2; exit 70`)
	dir := t.TempDir()
	_, err := startManaged(t.Context(), bin, dir, slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("start with a failing server succeeded")
	}
	t.Logf("error:\n%v", err)
	for _, want := range []string{"exited during startup", "exit status 70", "something is badly wrong", "stderr.log"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if errors.Is(err, errPortInUse) {
		t.Errorf("a plain failure was taken for a port clash: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "clickhouse-server.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file left behind after a failed start: %v", err)
	}
}

func TestStartRetriesOnPortClash(t *testing.T) {
	counter := filepath.Join(t.TempDir(), "starts")
	bin := fakeServer(t, `echo x >> `+counter+`; echo "Net Exception: Address already in use: 127.0.0.1:9000" >&2; exit 1`)
	_, err := startManaged(t.Context(), bin, t.TempDir(), slog.New(slog.DiscardHandler))
	if !errors.Is(err, errPortInUse) {
		t.Fatalf("error = %v, want a port clash", err)
	}
	data, _ := os.ReadFile(counter)
	if n := strings.Count(string(data), "x"); n != startAttempts {
		t.Errorf("server started %d times, want %d", n, startAttempts)
	}
}

func TestStartTimeoutStopsTheServer(t *testing.T) {
	old := startupTimeout
	startupTimeout = 1500 * time.Millisecond
	t.Cleanup(func() { startupTimeout = old })

	pidFile := filepath.Join(t.TempDir(), "pid")
	bin := fakeServer(t, `echo $$ > `+pidFile+`; echo "still booting" >&2; exec sleep 60`)
	began := time.Now()
	_, err := startManaged(context.Background(), bin, t.TempDir(), slog.New(slog.DiscardHandler))
	if err == nil {
		t.Fatal("start with a server that never answers succeeded")
	}
	if !strings.Contains(err.Error(), "did not answer SELECT 1") || !strings.Contains(err.Error(), "still booting") {
		t.Errorf("unexpected error: %v", err)
	}
	if d := time.Since(began); d > 20*time.Second {
		t.Errorf("start gave up after %s", d)
	}
	raw, _ := os.ReadFile(pidFile)
	pid, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	if pid > 0 && processAlive(pid) {
		t.Errorf("the server that never answered (pid %d) was left running", pid)
	}
}
