// Package warehouse runs and talks to the ClickHouse server that stores
// PilotPulse's events.
//
// Everything here must work against two very different servers: the
// ClickHouse 18.16.1 that Debian ships (used on development machines and in
// CI, see docs/architecture.md#clickhouse) and a current 24.x in production. Only
// the native protocol is used, because the HTTP protocol of clickhouse-go
// does not work against 18.16.
package warehouse

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
)

// ServerBinaryName is the executable FindServerBinary looks for.
const ServerBinaryName = "clickhouse-server"

// ErrNoServerBinary is returned (wrapped or as is) by FindServerBinary when no
// clickhouse-server executable exists. Its message tells the user how to get one.
var ErrNoServerBinary = errors.New("no clickhouse-server found: install it with `apt-get install clickhouse-server` or point PILOTPULSE_CLICKHOUSE_DSN at a server (`docker compose up`)")

// defaultExtraDirs are searched after PATH: Debian installs the server into
// /usr/sbin, which is not on the PATH of ordinary users.
var defaultExtraDirs = []string{"/usr/sbin", "/usr/bin"}

// FindServerBinary looks for clickhouse-server on PATH, then in /usr/sbin and
// /usr/bin. When none exists it returns ErrNoServerBinary, whose message is
// one line telling how to get a server.
func FindServerBinary() (string, error) {
	return findServerBinaryIn(os.Getenv("PATH"), defaultExtraDirs)
}

// findServerBinaryIn is FindServerBinary with the PATH value and the extra
// directories given, so that tests can control both.
func findServerBinaryIn(pathEnv string, extraDirs []string) (string, error) {
	dirs := filepath.SplitList(pathEnv)
	dirs = append(dirs, extraDirs...)
	for _, dir := range dirs {
		if dir == "" {
			// An empty PATH element means the current directory; a server
			// binary picked up from there would be a surprise, so skip it.
			continue
		}
		candidate := filepath.Join(dir, ServerBinaryName)
		if isExecutable(candidate) {
			return candidate, nil
		}
	}
	return "", ErrNoServerBinary
}

func isExecutable(path string) bool {
	info, err := os.Stat(path)
	if err != nil || !info.Mode().IsRegular() {
		return false
	}
	if info.Mode().Perm()&0o111 == 0 {
		return false
	}
	// exec.LookPath does the access(2) X_OK check for the current user.
	_, err = exec.LookPath(path)
	return err == nil
}
