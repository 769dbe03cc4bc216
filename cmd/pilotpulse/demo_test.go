package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

// The demo loads the synthetic pilot once: a second run adds nothing, and
// ClickHouse holds exactly the generator's events.
func TestDemoLoadsOnce(t *testing.T) {
	conn, dsn := warehousetest.NewDatabase(t)
	dir := t.TempDir()
	demo := func() cliResult {
		var out, errb bytes.Buffer
		e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string {
			switch k {
			case "PILOTPULSE_DATA_DIR":
				return dir
			case "PILOTPULSE_CLICKHOUSE_DSN":
				return dsn
			}
			return ""
		}}
		err := run(context.Background(), []string{"demo", "--weeks", "3"}, e)
		return cliResult{exitCode(err, &errb), out.String(), errb.String()}
	}
	want := demofeed.DemoEvents(1, 30, 3)
	r := demo()
	if r.code != 0 || !strings.Contains(r.stdout, "33 companies (33 new)") {
		t.Fatalf("first demo: %+v", r)
	}
	r = demo()
	if r.code != 0 || !strings.Contains(r.stdout, "(0 new, ") || !strings.Contains(r.stdout, "33 companies (0 new)") {
		t.Fatalf("second demo added something: %+v", r)
	}
	var n uint64
	if err := conn.QueryRow(context.Background(), "SELECT count() FROM events").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if int(n) != len(want.Events) {
		t.Fatalf("%d events in ClickHouse, want %d", n, len(want.Events))
	}
}
