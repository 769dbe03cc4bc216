package main

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/testbinary"
)

// buildBinary returns the real pilotpulse binary (built once per test run).
func buildBinary(t *testing.T) string { return testbinary.Path(t) }

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type served struct {
	cmd    *exec.Cmd
	stdout strings.Builder
	addr   string
}

// startServe runs `pilotpulse serve` with a private ClickHouse in dataDir
// (and the environment variables env) and waits until it prints its URL.
func startServe(t *testing.T, bin, dataDir string, env ...string) *served {
	t.Helper()
	s := &served{addr: freeAddr(t)}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(os.Environ(), "PILOTPULSE_DATA_DIR="+dataDir, "PILOTPULSE_ADDR="+s.addr, "PILOTPULSE_CLICKHOUSE_DSN=")
	s.cmd.Env = append(s.cmd.Env, env...)
	out, _ := s.cmd.StdoutPipe()
	logPath := filepath.Join(t.TempDir(), "serve.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	s.cmd.Stderr = logFile
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		s.cmd.Wait()
		logFile.Close()
		if t.Failed() { // what serve logged says why a request failed
			b, _ := os.ReadFile(logPath)
			if len(b) > 16<<10 {
				b = b[len(b)-16<<10:]
			}
			t.Logf("serve's log (the last 16 KB):\n%s", b)
		}
	})
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			s.stdout.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "Pilotpulse is running at") {
				ready <- true
			}
		}
		ready <- false
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("serve exited before it was ready: %s", s.stdout.String())
		}
	case <-time.After(90 * time.Second):
		t.Fatal("serve did not start within 90 s")
	}
	return s
}

func clickhousePid(t *testing.T, dataDir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "clickhouse", "clickhouse-server.pid"))
	if err != nil {
		t.Fatalf("no pid file of the private ClickHouse: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] != "Z"
}

func waitGone(pid int) bool {
	for i := 0; i < 150; i++ {
		if !alive(pid) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// requireClickHouse skips the test when there is no clickhouse-server and
// PILOTPULSE_TEST_ALLOW_NO_CLICKHOUSE=1 allows that.
func requireClickHouse(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("clickhouse-server"); err != nil {
		if _, err := os.Stat("/usr/sbin/clickhouse-server"); err != nil && os.Getenv("PILOTPULSE_TEST_ALLOW_NO_CLICKHOUSE") == "1" {
			t.Skip("no clickhouse-server")
		}
	}
}

// TestServeManagesItsClickHouse runs the real binary twice on one data dir:
// the first start creates the admin and a private ClickHouse; SIGTERM stops
// both (no orphan); the second start reuses the data (same admin, no new
// one); SIGKILL of the app still takes its ClickHouse down.
func TestServeManagesItsClickHouse(t *testing.T) {
	requireClickHouse(t)
	bin := buildBinary(t)
	dataDir := t.TempDir()

	first := startServe(t, bin, dataDir)
	if !strings.Contains(first.stdout.String(), "Created the first admin") {
		t.Fatalf("first start did not create the admin: %s", first.stdout.String())
	}
	resp, err := http.Get("http://" + first.addr + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz: %v %v", resp, err)
	}
	resp.Body.Close()
	chPid := clickhousePid(t, dataDir)
	if !alive(chPid) {
		t.Fatal("ClickHouse is not running")
	}
	first.cmd.Process.Signal(syscall.SIGTERM)
	if err := first.cmd.Wait(); err != nil {
		t.Fatalf("serve after SIGTERM: %v", err)
	}
	if !waitGone(chPid) {
		t.Fatalf("ClickHouse pid %d outlived the app (orphan)", chPid)
	}

	second := startServe(t, bin, dataDir)
	if strings.Contains(second.stdout.String(), "Created the first admin") || !strings.Contains(second.stdout.String(), "Admin login: admin@pilotpulse.local") {
		t.Fatalf("second start did not reuse the data: %s", second.stdout.String())
	}
	chPid2 := clickhousePid(t, dataDir)
	second.cmd.Process.Signal(syscall.SIGKILL)
	second.cmd.Wait()
	if !waitGone(chPid2) {
		t.Fatalf("ClickHouse pid %d outlived a killed app (orphan)", chPid2)
	}
}

// TestCommandBesideServeKeepsItsClickHouse runs `pilotpulse demo` on the data
// dir of a running `serve`: the demo uses serve's private ClickHouse instead
// of stopping it as a leftover, and serve keeps running and ready.
func TestCommandBesideServeKeepsItsClickHouse(t *testing.T) {
	requireClickHouse(t)
	bin := buildBinary(t)
	dataDir := t.TempDir()
	s := startServe(t, bin, dataDir)
	chPid := clickhousePid(t, dataDir)

	demo := exec.Command(bin, "demo", "--weeks", "1")
	demo.Env = append(os.Environ(), "PILOTPULSE_DATA_DIR="+dataDir, "PILOTPULSE_CLICKHOUSE_DSN=")
	out, err := demo.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "demo pilot loaded") {
		t.Fatalf("demo beside serve: %v\n%s", err, out)
	}

	if !alive(chPid) || clickhousePid(t, dataDir) != chPid {
		t.Fatalf("serve's ClickHouse (pid %d) did not survive the demo", chPid)
	}
	resp, err := http.Get("http://" + s.addr + "/readyz")
	if err != nil {
		t.Fatalf("readyz after the demo: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("readyz after the demo: %s", resp.Status)
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	if err := s.cmd.Wait(); err != nil {
		t.Fatalf("serve after the demo and SIGTERM: %v (it should still have been running)", err)
	}
	if !waitGone(chPid) {
		t.Fatalf("ClickHouse pid %d outlived serve", chPid)
	}
}
