package analyticstest

import (
	"context"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/chdb"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// Engine is a ClickHouse the analytics SQL must run on: the 18.16 server the
// tests start (warehousetest), or chDB, ClickHouse 26.7 in this process
// (internal/warehouse/chdb), so that a statement only one version accepts
// fails the tests.
type Engine struct {
	Name string // the subtest's name
	open func(t testing.TB) driver.Conn
}

// NewCH returns a fresh, migrated ClickHouse database on the engine, dropped
// when the test ends. On chDB without libchdb.so the test is skipped (it
// fails instead when CI is set: see chdb.OpenTest).
func (e Engine) NewCH(t testing.TB) driver.Conn {
	t.Helper()
	ch := e.open(t)
	if _, err := warehouse.Migrate(context.Background(), ch, warehouse.Migrations); err != nil {
		t.Fatalf("%s: %v", e.Name, err)
	}
	return ch
}

var (
	// Server is the ClickHouse 18.16 server of the test binary.
	Server = Engine{Name: "clickhouse-18.16", open: func(t testing.TB) driver.Conn {
		ch, _ := warehousetest.NewDatabase(t)
		return ch
	}}
	// ChDB is ClickHouse 26.7 in-process: one engine per test binary, its
	// calls serialised, so only the tests of figures, rollups and
	// migrations run on it (not those that kill a process or stop a
	// server: chDB cannot be reached from another process, nor stopped
	// and started again).
	ChDB = Engine{Name: "chdb-26.7", open: func(t testing.TB) driver.Conn { return chdb.OpenTest(t) }}
)

// Engines are the engines every figure, rollup and migration test runs on,
// with the same data and the same expected answers.
func Engines() []Engine { return []Engine{Server, ChDB} }

// OnEachEngine runs test as a subtest per engine.
func OnEachEngine(t *testing.T, test func(t *testing.T, eng Engine)) {
	t.Helper()
	for _, eng := range Engines() {
		t.Run(eng.Name, func(t *testing.T) { test(t, eng) })
	}
}
