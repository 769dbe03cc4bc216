package registry_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/store"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The participants' version changes with every write to the companies, also
// an update that leaves updated_at as it was (two writes within one clock
// tick, a clock set back) and a write by another process straight to SQL.
func TestParticipantsVersionChangesWithEveryWrite(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := registry.NewStore(db)
	seen := map[string]string{}
	version := func(after string) {
		t.Helper()
		v, err := s.ParticipantsVersion(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if before, ok := seen[v]; ok {
			t.Fatalf("after %s the version is %q, as after %s", after, v, before)
		}
		seen[v] = after
	}
	version("migrating")
	c, err := s.CreateCompany(ctx, registry.Company{CVR: "10000009", Name: "Firma A/S", Kind: registry.KindCompany})
	if err != nil {
		t.Fatal(err)
	}
	version("adding a company")
	c.Name = "Firma B A/S"
	if _, err := s.UpdateCompany(ctx, c.CVR, c); err != nil {
		t.Fatal(err)
	}
	version("renaming it")
	if _, err := db.ExecContext(ctx, `UPDATE companies SET kind = 'municipality', updated_at = updated_at WHERE cvr = ?`, c.CVR); err != nil {
		t.Fatal(err)
	}
	version("changing its kind with updated_at unchanged")
	if _, err := db.ExecContext(ctx, `DELETE FROM companies WHERE cvr = ?`, c.CVR); err != nil {
		t.Fatal(err)
	}
	version("removing it")
}
