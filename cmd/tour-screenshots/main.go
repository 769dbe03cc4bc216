// Command tour-screenshots takes the screenshots of the README's tour of
// the demo (`make screenshots`): it starts the real binary (`pilotpulse
// serve`, with a private ClickHouse) on a temporary data dir, loads the
// demo pilot beside it (`pilotpulse demo --seed N`), signs in as each demo
// user in headless Chromium and saves a PNG of every page of the tour
// under docs/tour/, once the page's charts are drawn. It prints the
// figures each page shows, so the README's numbers can be checked against
// them. The same seed gives the same pages (the questionnaire page alone
// names the week it was taken in: the demo's 2012 waves are closed, so the
// tour opens this week's wave for a link that works).
//
//	go run ./cmd/tour-screenshots -bin bin/pilotpulse -out docs/tour [-seed 1]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/app"
)

func main() {
	bin := flag.String("bin", "bin/pilotpulse", "the pilotpulse binary to run (make build)")
	out := flag.String("out", "docs/tour", "where the screenshots go")
	seed := flag.String("seed", "1", "the demo pilot's seed")
	flag.Parse()
	// Ctrl-C stops the tour the same way as an error: serve (and its
	// ClickHouse) stopped, the temporary data dir removed.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	err := run(ctx, *bin, *out, *seed, os.Stdout)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "tour-screenshots:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin, out, seed string, stdout io.Writer) error {
	bin, err := filepath.Abs(bin)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	dataDir, err := os.MkdirTemp("", "pilotpulse-tour-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dataDir)

	srv, err := startServe(ctx, bin, dataDir)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(stdout, "serving the demo at %s (data in %s)\n", srv.base, dataDir)

	demo := exec.CommandContext(ctx, bin, "demo", "--seed", seed)
	demo.Env = pilotpulseEnv(dataDir)
	if b, err := demo.CombinedOutput(); err != nil {
		return fmt.Errorf("pilotpulse demo: %v\n%s", err, b)
	} else {
		fmt.Fprintf(stdout, "%s", firstLine(string(b)))
	}
	users, err := readLogins(dataDir)
	if err != nil {
		return err
	}
	return takeTour(ctx, tourRun{base: srv.base, out: out, users: users, stdout: stdout})
}

// pilotpulseEnv is the environment of the binary's commands: the data dir
// and a managed private ClickHouse (an empty DSN), whatever the caller's
// environment says.
func pilotpulseEnv(dataDir string) []string {
	return append(os.Environ(), "PILOTPULSE_DATA_DIR="+dataDir, "PILOTPULSE_CLICKHOUSE_DSN=", "PILOTPULSE_LOG_FORMAT=text")
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line + "\n"
}

// server is a running `pilotpulse serve`.
type server struct {
	cmd  *exec.Cmd
	base string
	log  string // its standard error, for a failure's message
	done chan struct{}
}

// startServe runs `pilotpulse serve` on a free loopback port and waits
// until it says it is running (its private ClickHouse is up by then).
func startServe(ctx context.Context, bin, dataDir string) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &server{base: "http://" + addr, log: filepath.Join(dataDir, "serve.log"), done: make(chan struct{})}
	logFile, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve")
	s.cmd.Env = append(pilotpulseEnv(dataDir), "PILOTPULSE_ADDR="+addr)
	s.cmd.Stderr = logFile
	// Not left running (with its ClickHouse) when this program is killed.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdout, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), "Pilotpulse is running at") {
				said = true
				ready <- true
			}
		}
		if !said {
			ready <- false
		}
		s.cmd.Wait()
		logFile.Close()
		close(s.done)
	}()
	select {
	case ok := <-ready:
		if ok {
			return s, nil
		}
		<-s.done
		return nil, fmt.Errorf("pilotpulse serve stopped before it was ready:\n%s", tail(s.log))
	case <-ctx.Done():
		s.stop()
		return nil, fmt.Errorf("pilotpulse serve did not start: %w", ctx.Err())
	}
}

// stop ends serve with SIGTERM (it stops its ClickHouse) and waits for it.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// login is one user's sign-in.
type login struct{ email, password string }

// readLogins reads the first admin's and the demo users' logins from the
// data dir (one "email / password" line each), by e-mail.
func readLogins(dataDir string) (map[string]login, error) {
	users := map[string]login{}
	for _, name := range []string{app.InitialAdminFile, app.DemoLoginsFile} {
		b, err := os.ReadFile(filepath.Join(dataDir, name))
		if err != nil {
			return nil, err
		}
		for _, line := range strings.Split(string(b), "\n") {
			if email, pw, ok := strings.Cut(strings.TrimSpace(line), " / "); ok {
				users[email] = login{email, pw}
			}
		}
	}
	for _, email := range []string{adminEmail, managerEmail, supportEmail, authorityEmail} {
		if _, ok := users[email]; !ok {
			return nil, errors.New("no login of " + email + " in the data dir")
		}
	}
	return users, nil
}
