package warehouse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// DatabaseName is the database a managed server creates and its DSN points at.
const DatabaseName = "pilotpulse"

var (
	// startupTimeout bounds how long StartManaged waits for `SELECT 1`.
	startupTimeout = 60 * time.Second
	// stopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL.
	stopTimeout = 15 * time.Second
	// probeInterval is the pause between two readiness probes.
	probeInterval = 150 * time.Millisecond
	// startAttempts bounds the retries when a picked port was taken by
	// somebody else between picking and the server binding it.
	startAttempts = 3
)

// errPortInUse marks a start that failed because a port was already bound.
var errPortInUse = errors.New("port already in use")

// Managed is a private clickhouse-server that the app starts and owns.
//
// The server listens on 127.0.0.1 only, on ports picked at start, and keeps
// its config, data and logs under the dir given to StartManaged. It is started
// with Pdeathsig=SIGKILL from an OS thread that stays alive for the server's
// whole life, so the server dies with the app even when the app is killed with
// SIGKILL. Call Stop for an orderly shutdown.
type Managed struct {
	bin      string
	layout   layout
	tcpPort  int
	httpPort int
	logger   *slog.Logger

	errLogStart int64 // size of the server's error log before this start

	proc    *os.Process
	pid     int
	done    chan struct{} // closed once the server has exited and was reaped
	waitErr error         // exit status; written before done is closed

	ready    atomic.Bool // answered SELECT 1 once
	stopping atomic.Bool
	stopOnce sync.Once
	stopErr  error

	lock *os.File // the dir's ownership lock, held while this process owns the server

	// A borrowed server is owned by another process (see owner.go).
	borrowed bool
	ownerPid int
	unwatch  chan struct{} // closed by Stop to end watchBorrowed
}

// StartManaged starts a private clickhouse-server whose config, data and logs
// live under dir (for example DATA_DIR/clickhouse), waits until it answers
// `SELECT 1` over the native protocol and creates the database "pilotpulse"
// if it is missing.
//
// The config (config.xml and users.xml) is rewritten on every start with new
// free loopback ports; the data under dir is reused, so a second StartManaged
// on the same dir sees what the first one stored. A server that a previous run
// left running on dir (found through the pid file StartManaged writes) is
// stopped first, unless a live process still owns it: then StartManaged
// waits until that server is ready and returns it borrowed (see owner.go and
// Borrowed); Stop leaves a borrowed server running.
//
// ctx bounds the startup only; the server keeps running until Stop is called
// or the app exits. logger may be nil.
func StartManaged(ctx context.Context, dir string, logger *slog.Logger) (*Managed, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	bin, err := FindServerBinary()
	if err != nil {
		return nil, err
	}
	return startManaged(ctx, bin, dir, logger)
}

func startManaged(ctx context.Context, bin, dir string, logger *slog.Logger) (*Managed, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("warehouse: resolve %s: %w", dir, err)
	}
	l := newLayout(abs)
	if err := l.mkdirs(); err != nil {
		return nil, err
	}
	lock, err := lockOwnership(l)
	if err != nil {
		return nil, err
	}
	if lock == nil { // a live process owns the server
		m, ownLock, err := borrowManaged(ctx, l, logger)
		if m != nil || err != nil {
			return m, err
		}
		lock = ownLock // the owner went away meanwhile
	}
	m, err := startOwned(ctx, bin, l, logger)
	if err != nil {
		lock.Close()
		return nil, err
	}
	m.lock = lock
	return m, nil
}

// startOwned starts the server while this process holds the dir's lock.
func startOwned(ctx context.Context, bin string, l layout, logger *slog.Logger) (*Managed, error) {
	if err := stopStale(l, logger); err != nil {
		return nil, err
	}
	if err := os.Remove(l.addrPath); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("warehouse: remove %s: %w", l.addrPath, err)
	}

	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		m, err := startManagedOnce(ctx, bin, l, logger)
		if err == nil {
			return m, nil
		}
		lastErr = err
		if !errors.Is(err, errPortInUse) || ctx.Err() != nil {
			break
		}
		logger.Warn("clickhouse-server could not bind its ports; retrying with new ones",
			"attempt", attempt, "dir", l.dir)
	}
	return nil, lastErr
}

func startManagedOnce(ctx context.Context, bin string, l layout, logger *slog.Logger) (*Managed, error) {
	ports, err := freeLoopbackPorts(2)
	if err != nil {
		return nil, err
	}
	m := &Managed{
		bin:      bin,
		layout:   l,
		tcpPort:  ports[0],
		httpPort: ports[1],
		logger:   logger,
		done:     make(chan struct{}),
	}
	if err := writeConfig(l, m.tcpPort, m.httpPort); err != nil {
		return nil, err
	}
	logger.Info("starting clickhouse-server",
		"bin", bin, "dir", l.dir, "tcp_port", m.tcpPort, "http_port", m.httpPort)
	began := time.Now()
	if err := m.launch(); err != nil {
		return nil, err
	}
	if err := os.WriteFile(l.pidPath, []byte(strconv.Itoa(m.pid)+"\n"), 0o640); err != nil {
		_ = m.Stop()
		return nil, fmt.Errorf("warehouse: write pid file: %w", err)
	}
	if err := m.waitReady(ctx); err != nil {
		_ = m.Stop()
		return nil, err
	}
	m.ready.Store(true)
	if err := m.publish(); err != nil {
		_ = m.Stop()
		return nil, fmt.Errorf("warehouse: record the server's address: %w", err)
	}
	logger.Info("clickhouse-server ready",
		"pid", m.pid, "addr", m.TCPAddr(), "database", DatabaseName,
		"elapsed", time.Since(began).Round(time.Millisecond))
	return m, nil
}

// launch starts the server from a goroutine that holds its OS thread locked
// for the whole life of the child: Pdeathsig fires when the thread that forked
// the child exits, not when the process does, so the thread must not be
// reused or retired by the Go runtime while the child runs. The goroutine
// never unlocks, so when it ends (after the child was reaped) the runtime
// terminates that thread.
func (m *Managed) launch() error {
	l := m.layout
	stdout, err := os.OpenFile(l.stdoutPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("warehouse: open %s: %w", l.stdoutPath, err)
	}
	stderr, err := os.OpenFile(l.stderrPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		stdout.Close()
		return fmt.Errorf("warehouse: open %s: %w", l.stderrPath, err)
	}

	// The error log is kept across starts; only what this start adds is
	// worth showing in an error.
	if info, err := os.Stat(l.serverErr); err == nil {
		m.errLogStart = info.Size()
	}

	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// No UnlockOSThread, on purpose: see the comment on launch.

		cmd := exec.Command(m.bin, "--config-file="+l.configPath)
		cmd.Dir = l.dir
		cmd.Stdout = stdout
		cmd.Stderr = stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Setpgid:   true, // not hit by the terminal's Ctrl-C; we stop it ourselves
			Pdeathsig: syscall.SIGKILL,
		}
		err := cmd.Start()
		stdout.Close()
		stderr.Close()
		if err != nil {
			started <- fmt.Errorf("warehouse: start %s: %w", m.bin, err)
			return
		}
		m.proc = cmd.Process
		m.pid = cmd.Process.Pid
		started <- nil

		err = cmd.Wait()
		m.waitErr = err
		if m.ready.Load() && !m.stopping.Load() {
			m.logger.Error("clickhouse-server exited unexpectedly",
				"pid", m.pid, "status", exitStatus(err), "log_tail", m.logTail())
		}
		close(m.done)
	}()
	return <-started
}

// waitReady polls `SELECT 1` until it answers, the server exits, ctx ends or
// startupTimeout passes; then it creates the pilotpulse database.
func (m *Managed) waitReady(ctx context.Context) error {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()

	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol:     clickhouse.Native,
		Addr:         []string{m.TCPAddr()},
		Auth:         clickhouse.Auth{Database: "default", Username: "default"},
		DialTimeout:  time.Second,
		ReadTimeout:  10 * time.Second,
		MaxOpenConns: 1,
		MaxIdleConns: 1,
	})
	if err != nil {
		return fmt.Errorf("warehouse: open probe connection: %w", err)
	}
	defer conn.Close()

	var lastErr error
	for {
		select {
		case <-m.done:
			err := fmt.Errorf("warehouse: clickhouse-server exited during startup (%s); config %s, logs in %s%s",
				exitStatus(m.waitErr), m.layout.configPath, m.layout.logDir, m.logTail())
			if strings.Contains(err.Error(), "Address already in use") {
				err = fmt.Errorf("%w: %w", errPortInUse, err)
			}
			return err
		default:
		}

		probeCtx, probeCancel := context.WithTimeout(ctx, 2*time.Second)
		var one uint8
		lastErr = conn.QueryRow(probeCtx, "SELECT 1").Scan(&one)
		probeCancel()
		if lastErr == nil {
			break
		}

		select {
		case <-ctx.Done():
			return fmt.Errorf("warehouse: clickhouse-server (pid %d) did not answer SELECT 1 on %s (waited %s, %v): %v; config %s, logs in %s%s",
				m.pid, m.TCPAddr(), time.Since(began).Round(time.Millisecond), ctx.Err(), lastErr, m.layout.configPath, m.layout.logDir, m.logTail())
		case <-m.done:
		case <-time.After(probeInterval):
		}
	}

	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+DatabaseName); err != nil {
		return fmt.Errorf("warehouse: create database %s: %w", DatabaseName, err)
	}
	return nil
}

// DSN is the address of the server's pilotpulse database for Open:
// clickhouse://default:@127.0.0.1:PORT/pilotpulse.
func (m *Managed) DSN() string {
	return fmt.Sprintf("clickhouse://default:@%s/%s", m.TCPAddr(), DatabaseName)
}

// TCPAddr is the server's native-protocol address, 127.0.0.1:PORT.
func (m *Managed) TCPAddr() string {
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(m.tcpPort))
}

// Pid is the server's process id.
func (m *Managed) Pid() int { return m.pid }

// Done is closed when the server process has exited, whether through Stop or
// not (a crash is also logged at error level).
func (m *Managed) Done() <-chan struct{} { return m.done }

// Stop sends SIGTERM, waits up to 15 s, then sends SIGKILL; it removes the pid
// file and gives up the dir's ownership. A borrowed server is left running
// for its owner; Stop only ends watching it. It is idempotent: later calls
// return the first call's result.
func (m *Managed) Stop() error {
	m.stopOnce.Do(func() { m.stopErr = m.stop() })
	return m.stopErr
}

func (m *Managed) stop() error {
	m.stopping.Store(true)
	if m.borrowed {
		close(m.unwatch)
		return nil
	}
	defer m.release()

	select {
	case <-m.done:
		m.logger.Info("clickhouse-server had already exited", "pid", m.pid, "status", exitStatus(m.waitErr))
		return nil
	default:
	}

	m.logger.Info("stopping clickhouse-server", "pid", m.pid)
	began := time.Now()
	// os.Process.Signal is safe against pid reuse once the child is reaped.
	if err := m.proc.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		m.logger.Warn("SIGTERM to clickhouse-server failed", "pid", m.pid, "err", err)
	}
	select {
	case <-m.done:
		m.logger.Info("clickhouse-server stopped", "pid", m.pid,
			"status", exitStatus(m.waitErr), "elapsed", time.Since(began).Round(time.Millisecond))
		return nil
	case <-time.After(stopTimeout):
	}

	m.logger.Warn("clickhouse-server did not stop after SIGTERM; sending SIGKILL",
		"pid", m.pid, "waited", stopTimeout)
	if err := m.proc.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("warehouse: kill clickhouse-server (pid %d): %w", m.pid, err)
	}
	select {
	case <-m.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("warehouse: clickhouse-server (pid %d) still running 10s after SIGKILL", m.pid)
	}
}

// release removes the pid file if it still names this server and, when this
// process owns the dir, the address file; then it lets go of the lock.
func (m *Managed) release() {
	data, err := os.ReadFile(m.layout.pidPath)
	if err == nil && strings.TrimSpace(string(data)) == strconv.Itoa(m.pid) {
		_ = os.Remove(m.layout.pidPath)
	}
	if m.lock != nil {
		_ = os.Remove(m.layout.addrPath)
		m.lock.Close()
	}
}

// logTail returns the last lines of the server's stderr and error log,
// formatted to be appended to an error message.
func (m *Managed) logTail() string {
	var b strings.Builder
	for _, f := range []struct {
		path string
		from int64
	}{
		{m.layout.stderrPath, 0},
		{m.layout.serverErr, m.errLogStart},
	} {
		if tail := tailLines(f.path, f.from, 20); tail != "" {
			fmt.Fprintf(&b, "\n--- tail of %s ---\n%s", f.path, tail)
		}
	}
	return b.String()
}

// tailLines returns up to n last lines of the file at path that lie after
// byte offset from (reading at most the last 16 KiB), or "" if there are none.
// If the file is shorter than from (it was rotated), it is read from the start.
func tailLines(path string, from int64, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return ""
	}
	const maxRead = 16 << 10
	size := info.Size()
	if from > size {
		from = 0
	}
	if size-from > maxRead {
		from = size - maxRead
	}
	if _, err := f.Seek(from, io.SeekStart); err != nil {
		return ""
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return ""
	}
	text := strings.TrimRight(string(data), "\n")
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func exitStatus(err error) string {
	if err == nil {
		return "exit status 0"
	}
	return err.Error()
}

// freeLoopbackPorts returns n distinct free TCP ports on 127.0.0.1. All
// listeners are held until every port is picked, so the ports differ; another
// process can still take one before the server binds it, which StartManaged
// handles by retrying.
func freeLoopbackPorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, ln := range listeners {
			ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("warehouse: pick a free port: %w", err)
		}
		listeners = append(listeners, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// stopStale stops a server that a previous run left running on this layout.
// It trusts the pid file only if /proc/PID/cmdline shows a clickhouse process
// started with this layout's config file, so a reused pid is never killed.
func stopStale(l layout, logger *slog.Logger) error {
	data, err := os.ReadFile(l.pidPath)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("warehouse: read pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		logger.Warn("ignoring malformed clickhouse pid file", "path", l.pidPath)
		_ = os.Remove(l.pidPath)
		return nil
	}
	if !isManagedServer(pid, l.configPath) {
		_ = os.Remove(l.pidPath)
		return nil
	}

	logger.Warn("stopping clickhouse-server left running by a previous run", "pid", pid, "dir", l.dir)
	_ = syscall.Kill(pid, syscall.SIGTERM)
	if !waitGone(pid, stopTimeout) {
		logger.Warn("stale clickhouse-server did not stop after SIGTERM; sending SIGKILL", "pid", pid)
		_ = syscall.Kill(pid, syscall.SIGKILL)
		if !waitGone(pid, 10*time.Second) {
			return fmt.Errorf("warehouse: clickhouse-server (pid %d) left by a previous run on %s does not die", pid, l.dir)
		}
	}
	_ = os.Remove(l.pidPath)
	return nil
}

// isManagedServer reports whether pid is a live clickhouse process started
// with --config-file=configPath.
func isManagedServer(pid int, configPath string) bool {
	if !processAlive(pid) {
		return false
	}
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	if err != nil || len(raw) == 0 {
		return false
	}
	args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
	if !strings.Contains(filepath.Base(args[0]), "clickhouse") {
		return false
	}
	for i, a := range args[1:] {
		if a == "--config-file="+configPath || a == "--config-file" && i+2 < len(args) && args[i+2] == configPath {
			return true
		}
	}
	return false
}

// processAlive reports whether pid exists and is not a zombie.
func processAlive(pid int) bool {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state follows the command name, which is in parentheses and may
	// itself contain spaces or parentheses.
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return false
	}
	switch s[i+2] {
	case 'Z', 'X', 'x':
		return false
	}
	return true
}

func waitGone(pid int, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		if !processAlive(pid) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}
