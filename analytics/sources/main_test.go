package sources

import (
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
)

// The tests of this package run on the ClickHouse 18.16 server only: the
// sources send ClickHouse no SQL of their own (they store through
// analytics/ingest, whose statements analytics/ingest's tests check on
// every engine, chDB's 26.7 included), and the kill and outage tests need
// what chDB, inside this test process, cannot give: a real binary reaching
// ClickHouse from another process, killed with SIGKILL, and a server that
// stops and starts again.
func TestMain(m *testing.M) { analyticstest.Main(m) }
