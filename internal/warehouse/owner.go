package warehouse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
)

// Ownership of a managed server's dir.
//
// The process that starts the server (its owner) holds an exclusive flock on
// the dir's lock file for as long as the server runs. The kernel releases it
// when the owner exits, even on SIGKILL, so "the lock is held" means "a live
// process owns the server", without trusting a pid that may be reused. Once
// the server answers, the owner records its pid and ports in the dir's
// address file.
//
// A second StartManaged on the dir (a CLI command beside `pilotpulse serve`)
// finds the lock held and borrows the running server instead of starting or
// stopping one: it waits for the address file, checks that the server named
// there answers, and watches it; if the owner exits (and its server with it),
// the borrower's Done is closed and the reason logged at error level.
//
// A server found running while nobody holds the lock was left by an owner
// that died without taking it along; the new owner stops it (stopStale).

// ownedBy is what an owner records in the address file.
type ownedBy struct {
	Pid      int `json:"pid"`       // the server's
	TCPPort  int `json:"tcp_port"`  // native protocol, on 127.0.0.1
	HTTPPort int `json:"http_port"` // on 127.0.0.1
	Owner    int `json:"owner_pid"` // for messages only
}

// borrowPoll is how often a borrower checks that the server still runs.
var borrowPoll = 250 * time.Millisecond

// lockOwnership takes the dir's lock without waiting. It returns the open lock
// file (keep it open while owning the server) or, when a live process holds
// the lock, nil and no error.
func lockOwnership(l layout) (*os.File, error) {
	// os.OpenFile sets O_CLOEXEC: the server does not inherit the lock, so
	// it is released when the owner exits, not when the server does.
	f, err := os.OpenFile(l.lockPath, os.O_CREATE|os.O_RDWR, 0o640)
	if err != nil {
		return nil, fmt.Errorf("warehouse: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, nil
		}
		return nil, fmt.Errorf("warehouse: lock %s: %w", l.lockPath, err)
	}
	// The owner's pid, for people and error messages; the lock is what counts.
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}

// lockHolder is the pid the current owner wrote into the lock file, or 0.
func lockHolder(l layout) int {
	data, err := os.ReadFile(l.lockPath)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	return pid
}

// publish records a ready server in the address file.
func (m *Managed) publish() error {
	data, err := json.Marshal(ownedBy{Pid: m.pid, TCPPort: m.tcpPort, HTTPPort: m.httpPort, Owner: os.Getpid()})
	if err != nil {
		return err
	}
	return writeFileAtomic(m.layout.addrPath, append(data, '\n'))
}

// borrowManaged waits until the live owner of l has a ready server and
// returns it as a borrowed Managed. If the owner goes away meanwhile, it
// takes the lock and returns it (and no Managed) so that the caller starts
// the server itself.
func borrowManaged(ctx context.Context, l layout, logger *slog.Logger) (*Managed, *os.File, error) {
	began := time.Now()
	ctx, cancel := context.WithTimeout(ctx, startupTimeout)
	defer cancel()
	logged := false
	var lastErr error
	for {
		lock, err := lockOwnership(l)
		if err != nil || lock != nil {
			return nil, lock, err
		}
		m, err := tryBorrow(ctx, l, logger)
		if err == nil {
			logger.Info("using the private clickhouse-server another process owns",
				"owner_pid", m.ownerPid, "pid", m.pid, "addr", m.TCPAddr(), "dir", l.dir)
			go m.watchBorrowed()
			return m, nil, nil
		}
		lastErr = err
		if !logged {
			logger.Info("waiting for the private clickhouse-server another process is starting",
				"owner_pid", lockHolder(l), "dir", l.dir, "reason", err)
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, nil, fmt.Errorf("warehouse: the private ClickHouse in %s belongs to another running process (pid %d), whose server did not become ready within %s: %v",
				l.dir, lockHolder(l), time.Since(began).Round(time.Second), lastErr)
		case <-time.After(probeInterval):
		}
	}
}

// tryBorrow reads the address file and checks that the server it names runs
// with this dir's config and answers.
func tryBorrow(ctx context.Context, l layout, logger *slog.Logger) (*Managed, error) {
	data, err := os.ReadFile(l.addrPath)
	if err != nil {
		return nil, errors.New("no ready server recorded yet")
	}
	var rec ownedBy
	if err := json.Unmarshal(data, &rec); err != nil || rec.Pid <= 0 || rec.TCPPort <= 0 {
		return nil, fmt.Errorf("unreadable %s", l.addrPath)
	}
	if !isManagedServer(rec.Pid, l.configPath) {
		return nil, fmt.Errorf("recorded server pid %d is not running", rec.Pid)
	}
	m := &Managed{
		layout:   l,
		tcpPort:  rec.TCPPort,
		httpPort: rec.HTTPPort,
		pid:      rec.Pid,
		ownerPid: rec.Owner,
		logger:   logger,
		done:     make(chan struct{}),
		unwatch:  make(chan struct{}),
		borrowed: true,
	}
	if err := m.probe(ctx); err != nil {
		return nil, err
	}
	m.ready.Store(true)
	return m, nil
}

// probe runs one `SELECT 1` against the server's pilotpulse database.
func (m *Managed) probe(ctx context.Context) error {
	conn, err := clickhouse.Open(&clickhouse.Options{
		Protocol:     clickhouse.Native,
		Addr:         []string{m.TCPAddr()},
		Auth:         clickhouse.Auth{Database: DatabaseName, Username: "default"},
		DialTimeout:  time.Second,
		ReadTimeout:  5 * time.Second,
		MaxOpenConns: 1,
	})
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var one uint8
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

// watchBorrowed closes done when the borrowed server stops running (its
// owner stopped it or died and took it along), or returns when Stop is called.
func (m *Managed) watchBorrowed() {
	t := time.NewTicker(borrowPoll)
	defer t.Stop()
	for {
		select {
		case <-m.unwatch:
			return
		case <-t.C:
		}
		if isManagedServer(m.pid, m.layout.configPath) {
			continue
		}
		m.waitErr = fmt.Errorf("the private ClickHouse server (pid %d) in %s is gone: the process that owns it (pid %d, e.g. `pilotpulse serve`) stopped it or exited; run the command again",
			m.pid, m.layout.dir, m.ownerPid)
		m.logger.Error("clickhouse-server exited unexpectedly", "err", m.waitErr)
		close(m.done)
		return
	}
}

// Borrowed reports whether another process owns the server: Stop then leaves
// it running, and Done is closed if that owner stops it.
func (m *Managed) Borrowed() bool { return m.borrowed }

// Err says why the server exited once Done is closed; nil before that or
// after an orderly Stop.
func (m *Managed) Err() error {
	select {
	case <-m.done:
	default:
		return nil
	}
	if m.stopping.Load() {
		return nil
	}
	if m.borrowed {
		return m.waitErr
	}
	return fmt.Errorf("clickhouse-server (pid %d) exited unexpectedly (%s); logs in %s", m.pid, exitStatus(m.waitErr), m.layout.logDir)
}
