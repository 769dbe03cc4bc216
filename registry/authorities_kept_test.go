package registry_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The registry keeps the authorities in memory; a write by this store, by
// another process straight to SQL (an update that leaves updated_at as it
// was, a delete) shows at the next read, each scope sees what it saw
// before, and what a caller does to the list it got does not reach the
// next reader.
func TestKeptAuthoritiesFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "app.db")
	open := func() *store.DB {
		t.Helper()
		db, err := store.Open(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db := open()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := registry.NewStore(db)
	other := open() // another process: its own connections, plain SQL
	names := func(scope auth.Scope) []string {
		t.Helper()
		as, err := s.Authorities(ctx, scope, "")
		if err != nil {
			t.Fatal(err)
		}
		out := []string{}
		for _, a := range as {
			out = append(out, a.CVR+" "+a.Name+" "+a.Kind)
		}
		return out
	}
	want := func(after string, scope auth.Scope, w ...string) {
		t.Helper()
		if got := names(scope); !slices.Equal(got, append([]string{}, w...)) {
			t.Fatalf("after %s: %q, want %q", after, got, w)
		}
	}
	want("migrating", auth.SystemScope())
	target := int64(500)
	if _, err := s.CreateAuthority(ctx, registry.Authority{CVR: "20000007", Name: "Styrelsen B", Kind: "state", WeeklyTarget: &target}); err != nil {
		t.Fatal(err)
	}
	want("adding one", auth.SystemScope(), "20000007 Styrelsen B state")
	if _, err := other.ExecContext(ctx, `INSERT INTO authorities (cvr, name, kind, created_at, updated_at) VALUES ('20000015', 'Kommune A', 'municipality', datetime('now'), datetime('now'))`); err != nil {
		t.Fatal(err)
	}
	want("another process adds one", auth.SystemScope(), "20000015 Kommune A municipality", "20000007 Styrelsen B state")
	want("another process adds one, seen by the first", auth.AuthorityScope("20000007"), "20000007 Styrelsen B state")
	want("another process adds one, seen by an unknown CVR", auth.AuthorityScope("20000023"))
	want("another process adds one, seen by no scope", auth.Scope{})
	if _, err := other.ExecContext(ctx, `UPDATE authorities SET kind = 'region', updated_at = updated_at WHERE cvr = '20000015'`); err != nil {
		t.Fatal(err)
	}
	want("another process changes a kind, updated_at unchanged", auth.SystemScope(), "20000015 Kommune A region", "20000007 Styrelsen B state")

	// A caller changing what it got does not change the next reader's.
	as, err := s.Authorities(ctx, auth.AuthorityScope("20000007"), "")
	if err != nil {
		t.Fatal(err)
	}
	as[0].Name, *as[0].WeeklyTarget = "Ændret", 1
	again, err := s.Authorities(ctx, auth.AuthorityScope("20000007"), "")
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Name != "Styrelsen B" || again[0].WeeklyTarget == nil || *again[0].WeeklyTarget != 500 {
		t.Fatalf("a caller's change reached the next reader: %+v (target %v)", again[0], again[0].WeeklyTarget)
	}

	if _, err := other.ExecContext(ctx, `DELETE FROM authorities WHERE cvr = '20000007'`); err != nil {
		t.Fatal(err)
	}
	want("another process removes one", auth.SystemScope(), "20000015 Kommune A region")
	want("another process removes one, seen by it", auth.AuthorityScope("20000007"))
}
