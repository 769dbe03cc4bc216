package chdb

import (
	"testing"
	"time"
)

func TestBindWritesClickHouseGoLiterals(t *testing.T) {
	utc := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	copenhagen, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		t.Fatal(err)
	}
	s := "x"
	var nilString *string
	for _, c := range []struct {
		query string
		args  []any
		want  string
	}{
		{"SELECT ?", []any{"it's \\ \x00"}, `SELECT 'it\'s \\ \0'`},
		{"SELECT ?, ?, ?, ?", []any{-1, uint8(2), uint64(1 << 63), true}, "SELECT -1, 2, 9223372036854775808, 1"},
		{"SELECT ?", []any{1.5}, "SELECT cast(1.5, 'Float64')"},
		{"SELECT ?, ?", []any{nil, nilString}, "SELECT NULL, NULL"},
		{"SELECT ?", []any{&s}, "SELECT 'x'"},
		{"SELECT ?", []any{utc}, "SELECT toDateTime('2024-01-02 03:04:05')"},
		{"SELECT ?", []any{utc.In(copenhagen)}, "SELECT toDateTime('2024-01-02 04:04:05', 'Europe/Copenhagen')"},
		{"SELECT ?", []any{utc.Local()}, "SELECT toDateTime('1704164645')"},
		{"SELECT ?", []any{[]string{"a", "b"}}, "SELECT ['a', 'b']"},
		{"SELECT ?", []any{[]int{1, 2}}, "SELECT [1, 2]"},
		{"SELECT '?', `?`, \"?\" -- ?\n, ? /* ? /* ? */ ? */", []any{1}, "SELECT '?', `?`, \"?\" -- ?\n, 1 /* ? /* ? */ ? */"},
		{`SELECT \?, '\?', ?`, []any{1}, `SELECT ?, '?', 1`},
		{"SELECT ?", []any{1, 2}, "SELECT 1"},
		{"SELECT 'it''s ?', ?", []any{1}, "SELECT 'it''s ?', 1"},
	} {
		got, err := bind(time.UTC, c.query, c.args...)
		if err != nil {
			t.Errorf("bind(%q, %v): %v", c.query, c.args, err)
			continue
		}
		if got != c.want {
			t.Errorf("bind(%q, %v)\n got %s\nwant %s", c.query, c.args, got, c.want)
		}
	}
	if _, err := bind(time.UTC, "SELECT ?, ?", 1); err == nil {
		t.Error("bind with too few arguments succeeded")
	}
}
