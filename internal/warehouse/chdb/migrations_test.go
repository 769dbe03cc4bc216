package chdb_test

import (
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/chdb"
)

// migrations are the project's ClickHouse migrations (they move to
// internal/warehouse/migrations: repoint this line then).
var migrations = warehouse.Migrations

// The migrations written for 18.16 run on a current ClickHouse too, twice
// (the second time applies nothing), and their materialized views feed the
// rollups on insert.
func TestMigrationsRunOnCurrentClickHouse(t *testing.T) {
	conn := chdb.OpenTest(t)
	ctx := t.Context()
	first, err := warehouse.Migrate(ctx, conn, migrations)
	if err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if len(first) == 0 {
		t.Fatal("first Migrate applied nothing")
	}
	again, err := warehouse.Migrate(ctx, conn, migrations)
	if err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if len(again) != 0 {
		t.Errorf("second Migrate applied %v, want nothing", again)
	}
	var recorded uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+warehouse.MigrationsTable).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if int(recorded) != len(first) {
		t.Errorf("%s has %d rows, want %d", warehouse.MigrationsTable, recorded, len(first))
	}

	rows, err := conn.Query(ctx, "SELECT name, engine FROM system.tables WHERE database = currentDatabase() ORDER BY name")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	engines := map[string]string{}
	for rows.Next() {
		var name, engine string
		if err := rows.Scan(&name, &engine); err != nil {
			t.Fatal(err)
		}
		engines[name] = engine
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	for name, engine := range map[string]string{
		"events":                   "MergeTree",
		"rollup_messages_daily":    "SummingMergeTree",
		"rollup_messages_daily_mv": "MaterializedView",
		"rollup_company_daily":     "SummingMergeTree",
		"rollup_company_daily_mv":  "MaterializedView",
		"rollup_setup_events":      "SummingMergeTree",
		"rollup_setup_events_mv":   "MaterializedView",
		warehouse.MigrationsTable:  "MergeTree",
	} {
		if engines[name] != engine {
			t.Errorf("table %s has engine %q, want %q (tables: %v)", name, engines[name], engine, engines)
		}
	}

	// One message at 23:30 UTC on Sunday 2024-03-31 is Monday 01:30 in
	// Copenhagen: the rollups count it on Monday 2024-04-01.
	b, err := conn.PrepareBatch(ctx, `INSERT INTO events (source, event_id, occurred_at, received_at, type,
		company_cvr, authority_cvr, channel, has_metadata, has_deep_link, by_rule, batch_id)`)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 31, 23, 30, 0, 0, time.UTC)
	yes := uint8(1)
	if err := b.Append("test", "e1", at, at, "message.sent", "11111111", "22222222", "digital", &yes, nil, nil, uint64(1)); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	var (
		day              time.Time
		messages, withMD uint64
		events           uint64
	)
	if err := conn.QueryRow(ctx, "SELECT day, sum(messages), sum(with_metadata) FROM rollup_messages_daily GROUP BY day").
		Scan(&day, &messages, &withMD); err != nil {
		t.Fatal(err)
	}
	if day.Format(time.DateOnly) != "2024-04-01" || messages != 1 || withMD != 1 {
		t.Errorf("rollup_messages_daily: %s %d messages %d with metadata, want 2024-04-01 1 1", day.Format(time.DateOnly), messages, withMD)
	}
	if err := conn.QueryRow(ctx, "SELECT sum(events) FROM rollup_company_daily WHERE company_cvr = ?", "11111111").Scan(&events); err != nil {
		t.Fatal(err)
	}
	if events != 1 {
		t.Errorf("rollup_company_daily has %d events, want 1", events)
	}
}
