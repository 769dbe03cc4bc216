package warehouse_test

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
)

func TestMigrateTwiceAppliesNothingTheSecondTime(t *testing.T) {
	conn, _ := warehousetest.NewDatabase(t)
	fsys := fstest.MapFS{
		"0001_events.sql": {Data: []byte(`-- raw events
CREATE TABLE IF NOT EXISTS events (
    ts DateTime,
    authority String,
    n UInt32
) ENGINE = MergeTree
PARTITION BY toYYYYMM(ts)
ORDER BY (authority, ts);

-- a second statement in the same file
CREATE TABLE IF NOT EXISTS events_weekly (
    week Date,
    authority String,
    n UInt64
) ENGINE = SummingMergeTree
ORDER BY (authority, week);
`)},
		// 9 must run before 10: the order is numeric, not by name.
		"9_view_source.sql": {Data: []byte("CREATE TABLE IF NOT EXISTS nine (a UInt8) ENGINE = MergeTree ORDER BY a;\n")},
		"10_view.sql": {Data: []byte("CREATE MATERIALIZED VIEW IF NOT EXISTS ten TO events_weekly AS\n" +
			"SELECT toMonday(ts) AS week, authority, toUInt64(n) AS n FROM events;\n" +
			"INSERT INTO nine (a) SELECT 1\n")}, // last statement without ';'
		"README.md": {Data: []byte("not a migration")},
	}

	applied, err := warehouse.Migrate(t.Context(), conn, fsys)
	if err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if want := []int{1, 9, 10}; !slices.Equal(applied, want) {
		t.Fatalf("first Migrate applied %v, want %v", applied, want)
	}
	if n := countRows(t, conn, "nine"); n != 1 {
		t.Errorf("nine has %d rows, want 1 (from 10_view.sql)", n)
	}

	applied, err = warehouse.Migrate(t.Context(), conn, fsys)
	if err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing", applied)
	}
	if n := countRows(t, conn, "schema_migrations"); n != 3 {
		t.Errorf("schema_migrations has %d rows, want 3", n)
	}
	if n := countRows(t, conn, "nine"); n != 1 {
		t.Errorf("nine has %d rows after the second Migrate, want 1", n)
	}

	fsys["0011_more.sql"] = &fstest.MapFile{Data: []byte("ALTER TABLE events ADD COLUMN source String DEFAULT '';\n")}
	applied, err = warehouse.Migrate(t.Context(), conn, fsys)
	if err != nil {
		t.Fatalf("third Migrate: %v", err)
	}
	if want := []int{11}; !slices.Equal(applied, want) {
		t.Fatalf("third Migrate applied %v, want %v", applied, want)
	}

	var name string
	if err := conn.QueryRow(t.Context(), "SELECT name FROM schema_migrations WHERE version = 10").Scan(&name); err != nil {
		t.Fatal(err)
	}
	if name != "10_view.sql" {
		t.Errorf("schema_migrations name for 10 = %q", name)
	}
}

func TestMigrateBadStatementNamesTheFile(t *testing.T) {
	conn, _ := warehousetest.NewDatabase(t)
	fsys := fstest.MapFS{
		"0001_ok.sql":    {Data: []byte("CREATE TABLE IF NOT EXISTS ok (a UInt8) ENGINE = MergeTree ORDER BY a;\n")},
		"0002_bad.sql":   {Data: []byte("CREATE TABLE IF NOT EXISTS fine (a UInt8) ENGINE = MergeTree ORDER BY a;\n\nSELEC oops FROM nowhere;\n")},
		"0003_later.sql": {Data: []byte("CREATE TABLE IF NOT EXISTS later (a UInt8) ENGINE = MergeTree ORDER BY a;\n")},
	}
	applied, err := warehouse.Migrate(t.Context(), conn, fsys)
	if err == nil {
		t.Fatal("Migrate with a bad statement succeeded")
	}
	for _, want := range []string{"0002_bad.sql", "statement 2", "line 3", "SELEC oops"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if want := []int{1}; !slices.Equal(applied, want) {
		t.Errorf("applied %v before the failure, want %v", applied, want)
	}
	var n uint64
	if err := conn.QueryRow(t.Context(), "SELECT count() FROM schema_migrations WHERE version >= 2").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("a failed or later migration was recorded (%d rows)", n)
	}
}

func TestMigrateRejectsBadFileNames(t *testing.T) {
	conn, _ := warehousetest.NewDatabase(t)
	for name, fsys := range map[string]fstest.MapFS{
		"no number": {"events.sql": {Data: []byte("SELECT 1;")}},
		"duplicate": {"0001_a.sql": {Data: []byte("SELECT 1;")}, "1_b.sql": {Data: []byte("SELECT 1;")}},
	} {
		if _, err := warehouse.Migrate(t.Context(), conn, fsys); err == nil {
			t.Errorf("%s: Migrate succeeded, want an error", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}
