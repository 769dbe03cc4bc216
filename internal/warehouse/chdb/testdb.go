package chdb

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

var (
	testMu      sync.Mutex
	testDataDir string
	testCounter atomic.Int64
)

// OpenTest returns a connection to a fresh database on the test binary's
// chDB engine (started on first use in a temporary folder), dropped when
// the test ends.
//
// Without the library (see LibPath) the test is skipped, unless the
// environment variable CI is set: then it fails, so CI never passes without
// checking the SQL on chDB.
//
// Call Shutdown from TestMain after m.Run to remove the engine's folder.
func OpenTest(t testing.TB) driver.Conn {
	t.Helper()
	lib := LibPath()
	if _, err := os.Stat(lib); err != nil {
		msg := fmt.Sprintf("chdb: no libchdb.so at %s (run scripts/deps.sh chdb, or set %s)", lib, LibEnv)
		if os.Getenv("CI") == "" {
			t.Skip("skipping: " + msg)
		}
		t.Fatal(msg + "; CI is set, so this fails instead of skipping")
	}
	testMu.Lock()
	if testDataDir == "" {
		dir, err := os.MkdirTemp("", "pilotpulse-chdb-test-")
		if err != nil {
			testMu.Unlock()
			t.Fatalf("chdb: %v", err)
		}
		testDataDir = dir
	}
	dir := testDataDir
	testMu.Unlock()

	admin, err := Open(lib, dir, "default")
	if err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("t_%s_%d", testName(t.Name()), testCounter.Add(1))
	if err := admin.Exec(t.Context(), "CREATE DATABASE "+name); err != nil {
		t.Fatalf("chdb: create database %s: %v", name, err)
	}
	conn, err := Open(lib, dir, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		conn.Close()
		if _, err := admin.e.run("default", nil, "DROP DATABASE IF EXISTS "+name+" SYNC", "Native", nil); err != nil {
			t.Errorf("chdb: drop database %s: %v", name, err)
		}
	})
	return conn
}

// Shutdown stops the engine OpenTest started and removes its folder; later
// OpenTest calls fail. Call it from TestMain after m.Run.
func Shutdown() error {
	testMu.Lock()
	defer testMu.Unlock()
	if testDataDir == "" {
		return nil
	}
	engineMu.Lock()
	e := shared
	engineMu.Unlock()
	if e != nil {
		e.close()
	}
	err := os.RemoveAll(testDataDir)
	testDataDir = ""
	return err
}

// testName makes a test's name fit in a database name.
func testName(name string) string {
	name = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, name)
	if len(name) > 40 {
		name = name[:40]
	}
	return name
}
