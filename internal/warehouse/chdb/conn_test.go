package chdb_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/warehouse/chdb"
)

func TestServerVersionIsCurrentClickHouse(t *testing.T) {
	conn := chdb.OpenTest(t)
	if err := conn.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	v, err := conn.ServerVersion()
	if err != nil {
		t.Fatal(err)
	}
	if v.Version.Major < 24 || v.Timezone == nil {
		t.Errorf("server version %v (time zone %v), want ClickHouse 24 or newer with a time zone", v, v.Timezone)
	}
}

// The ingester's way: whole columns per block (Column(i).Append with
// slices), several blocks (Flush), then Send; and the row way (Append).
func TestBatchRoundTripsTypes(t *testing.T) {
	conn := chdb.OpenTest(t)
	ctx := t.Context()
	if err := conn.Exec(ctx, `CREATE TABLE rt (
		s String, u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64,
		i8 Int8, i16 Int16, i32 Int32, i64 Int64, f Float64,
		at DateTime('UTC'), local DateTime, day Date,
		flag Nullable(UInt8), note Nullable(String)
	) ENGINE = MergeTree ORDER BY u32`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 31, 0, 30, 15, 0, time.UTC) // the night Copenhagen moves to summer time
	day := time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC)
	one, text := uint8(1), "it's \\ a\x00note"

	b, err := conn.PrepareBatch(ctx, "INSERT INTO rt (s, u8, u16, u32, u64, i8, i16, i32, i64, f, at, local, day, flag, note)")
	if err != nil {
		t.Fatal(err)
	}
	cols := []any{[]string{"a", "ø"}, []uint8{0, 255}, []uint16{1, 65535}, []uint32{1, 2}, []uint64{1, 1 << 63},
		[]int8{-128, 127}, []int16{-1, 1}, []int32{-1 << 31, 1}, []int64{-1 << 63, 1}, []float64{0.5, -1e300},
		[]time.Time{at, at}, []time.Time{at, at}, []time.Time{day, day}, []*uint8{&one, nil}, []*string{&text, nil}}
	for i, c := range cols {
		if err := b.Column(i).Append(c); err != nil {
			t.Fatalf("column %d: %v", i, err)
		}
	}
	if err := b.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := b.Append("c", uint8(7), uint16(7), uint32(3), uint64(7), int8(7), int16(7), int32(7), int64(7), 7.25, at, at, day, nil, &text); err != nil {
		t.Fatal(err)
	}
	if err := b.Send(); err != nil {
		t.Fatal(err)
	}
	if err := b.Append("late", uint8(0), uint16(0), uint32(9), uint64(0), int8(0), int16(0), int32(0), int64(0), 0.0, at, at, day, nil, nil); err == nil {
		t.Error("Append after Send succeeded")
	}

	rows, err := conn.Query(ctx, "SELECT s, u8, u16, u32, u64, i8, i16, i32, i64, f, at, local, day, flag, note FROM rt ORDER BY u32")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if got := strings.Join(rows.Columns(), ","); got != "s,u8,u16,u32,u64,i8,i16,i32,i64,f,at,local,day,flag,note" {
		t.Errorf("columns %s", got)
	}
	type record struct {
		s              string
		u8             uint8
		u16            uint16
		u32            uint32
		u64            uint64
		i8             int8
		i16            int16
		i32            int32
		i64            int64
		f              float64
		at, local, day time.Time
		flag           *uint8
		note           *string
	}
	var got []record
	for rows.Next() {
		var r record
		if err := rows.Scan(&r.s, &r.u8, &r.u16, &r.u32, &r.u64, &r.i8, &r.i16, &r.i32, &r.i64, &r.f, &r.at, &r.local, &r.day, &r.flag, &r.note); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d rows, want 3", len(got))
	}
	want := []record{
		{"a", 0, 1, 1, 1, -128, -1, -1 << 31, -1 << 63, 0.5, at, at, day, &one, &text},
		{"ø", 255, 65535, 2, 1 << 63, 127, 1, 1, 1, -1e300, at, at, day, nil, nil},
		{"c", 7, 7, 3, 7, 7, 7, 7, 7, 7.25, at, at, day, nil, &text},
	}
	for i, w := range want {
		g := got[i]
		if g.s != w.s || g.u8 != w.u8 || g.u16 != w.u16 || g.u32 != w.u32 || g.u64 != w.u64 ||
			g.i8 != w.i8 || g.i16 != w.i16 || g.i32 != w.i32 || g.i64 != w.i64 || g.f != w.f {
			t.Errorf("row %d: got %+v, want %+v", i, g, w)
		}
		if !g.at.Equal(w.at) || !g.local.Equal(w.local) || g.day.Format(time.DateOnly) != w.day.Format(time.DateOnly) {
			t.Errorf("row %d: times %v %v %v, want %v %v %v", i, g.at, g.local, g.day, w.at, w.local, w.day)
		}
		if g.at.Location().String() != "UTC" {
			t.Errorf("row %d: DateTime('UTC') scanned in %v", i, g.at.Location())
		}
		if (g.flag == nil) != (w.flag == nil) || g.flag != nil && *g.flag != *w.flag {
			t.Errorf("row %d: flag %v, want %v", i, g.flag, w.flag)
		}
		if (g.note == nil) != (w.note == nil) || g.note != nil && *g.note != *w.note {
			t.Errorf("row %d: note %v, want %v", i, g.note, w.note)
		}
	}

	// A batch without a column list takes the table's columns.
	b, err = conn.PrepareBatch(ctx, "INSERT INTO rt")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(b.Columns()); n != 15 {
		t.Errorf("batch without column list has %d columns, want 15", n)
	}
	_ = b.Abort()
}

func TestScanChecksTypesLikeClickHouseGo(t *testing.T) {
	conn := chdb.OpenTest(t)
	var n int
	err := conn.QueryRow(t.Context(), "SELECT count() FROM system.one").Scan(&n)
	if err == nil || !strings.Contains(err.Error(), "converting UInt64 to *int is unsupported") {
		t.Errorf("scanning UInt64 into *int: %v, want clickhouse-go's conversion error", err)
	}
	var b bool
	if err := conn.QueryRow(t.Context(), "SELECT toUInt8(1)").Scan(&b); err != nil || !b {
		t.Errorf("UInt8 into *bool: %v, %v", b, err)
	}
	var u uint64
	if err := conn.QueryRow(t.Context(), "SELECT 1 WHERE 0").Scan(&u); !errors.Is(err, sql.ErrNoRows) {
		t.Errorf("QueryRow without rows: %v, want sql.ErrNoRows", err)
	}
	if err := conn.QueryRow(t.Context(), "SELECT 1, 2").Scan(&u); err == nil {
		t.Error("Scan of two columns into one destination succeeded")
	}
}

func TestParametersAreBoundAsLiterals(t *testing.T) {
	conn := chdb.OpenTest(t)
	ctx := t.Context()
	tricky := "O'Brien \\ ? -- not a comment\x00end"
	copenhagen, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 10, 27, 2, 30, 0, 0, time.UTC)
	var (
		s          string
		i          int64
		u          uint8
		yes, no    uint8
		utc, local time.Time
		null       uint8
		inList     uint8
		question   string
	)
	err = conn.QueryRow(ctx, `SELECT ?, toInt64(?), ?, ?, ?, toDateTime(?, 'UTC'), toDateTime(?, 'UTC'), isNull(?), has(?, 'b'),
		'? stays' -- and ? here too
		`, tricky, int64(-42), uint8(200), true, false, at, at.In(copenhagen), nil, []string{"a", "b"}).
		Scan(&s, &i, &u, &yes, &no, &utc, &local, &null, &inList, &question)
	if err != nil {
		t.Fatal(err)
	}
	if s != tricky || i != -42 || u != 200 || yes != 1 || no != 0 || null != 1 || inList != 1 || question != "? stays" {
		t.Errorf("got %q %d %d %d %d null=%d in=%d %q", s, i, u, yes, no, null, inList, question)
	}
	if !utc.Equal(at) || !local.Equal(at) {
		t.Errorf("times %v and %v, want %v", utc, local, at)
	}

	if err := conn.Exec(ctx, "SELECT ?, ?", 1); err == nil {
		t.Error("a query with more ? than arguments ran")
	}
	if err := conn.Exec(ctx, "SELECT ?", clickhouse.Named("x", 1)); err == nil {
		t.Error("a named argument was accepted")
	}
}

func TestErrorsCarryClickHouseMessage(t *testing.T) {
	conn := chdb.OpenTest(t)
	err := conn.Exec(t.Context(), "SELECT * FROM no_such_table")
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) {
		t.Fatalf("error %v (%T) is not a *clickhouse.Exception", err, err)
	}
	if ex.Code != 60 || !strings.Contains(ex.Message, "no_such_table") {
		t.Errorf("exception code %d message %q, want 60 naming the table", ex.Code, ex.Message)
	}
	_, err = conn.Query(t.Context(), "SELEKT 1")
	if !errors.As(err, &ex) || ex.Code != 62 {
		t.Errorf("syntax error: %v, want code 62", err)
	}
	if _, err := conn.PrepareBatch(t.Context(), "INSERT INTO no_such_table (a)"); !errors.As(err, &ex) {
		t.Errorf("batch into a missing table: %v", err)
	}
}

func TestDatabasesAreSeparate(t *testing.T) {
	a, b := chdb.OpenTest(t), chdb.OpenTest(t)
	ctx := t.Context()
	for i, c := range []struct {
		name string
		rows int
	}{{"a", 1}, {"b", 2}} {
		conn := []driver.Conn{a, b}[i]
		if err := conn.Exec(ctx, "CREATE TABLE same (n UInt8) ENGINE = MergeTree ORDER BY n"); err != nil {
			t.Fatal(c.name, err)
		}
		if err := conn.Exec(ctx, "INSERT INTO same SELECT number FROM numbers(?)", c.rows); err != nil {
			t.Fatal(c.name, err)
		}
	}
	var na, nb uint64
	if err := a.QueryRow(ctx, "SELECT count() FROM same").Scan(&na); err != nil {
		t.Fatal(err)
	}
	if err := b.QueryRow(ctx, "SELECT count() FROM same").Scan(&nb); err != nil {
		t.Fatal(err)
	}
	if na != 1 || nb != 2 {
		t.Errorf("counts %d and %d, want 1 and 2", na, nb)
	}
	if _, err := chdb.Open(chdb.LibPath(), t.TempDir(), "default"); err == nil {
		t.Error("a second engine folder in one process was accepted")
	}
}

// The ingester lifts max_partitions_per_insert_block through the context,
// as clickhouse-go passes settings to a server: for that query alone.
func TestContextSettingsApplyToOneQuery(t *testing.T) {
	conn := chdb.OpenTest(t)
	ctx := clickhouse.Context(t.Context(), clickhouse.WithSettings(clickhouse.Settings{
		"max_partitions_per_insert_block": 0,
		"max_threads":                     clickhouse.CustomSetting{Value: "3"},
	}))
	read := func(ctx context.Context) (partitions, threads string) {
		t.Helper()
		if err := conn.QueryRow(ctx, "SELECT toString(getSetting('max_partitions_per_insert_block')), toString(getSetting('max_threads'))").
			Scan(&partitions, &threads); err != nil {
			t.Fatal(err)
		}
		return partitions, threads
	}
	defPartitions, defThreads := read(t.Context())
	if p, th := read(ctx); p != "0" || th != "3" {
		t.Errorf("with settings: max_partitions_per_insert_block %s, max_threads %s, want 0 and 3", p, th)
	}
	if p, th := read(t.Context()); p != defPartitions || th != defThreads {
		t.Errorf("after: %s %s, want the defaults %s %s back", p, th, defPartitions, defThreads)
	}
	bad := clickhouse.Context(t.Context(), clickhouse.WithSettings(clickhouse.Settings{"no_such_setting": 1}))
	if err := conn.Exec(bad, "SELECT 1"); err == nil {
		t.Error("an unknown setting was accepted")
	}
}
