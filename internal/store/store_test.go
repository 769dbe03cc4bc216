package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
)

func TestMigrateTwiceAndSettings(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	first, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first) != len(ms) {
		t.Fatalf("first run applied %v, want all %d", first, len(ms))
	}
	second, err := db.Migrate(ctx)
	if err != nil || len(second) != 0 {
		t.Fatalf("second run applied %v (err %v), want nothing", second, err)
	}
	db.Close()
	// A new process opening the same file applies nothing either.
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	third, err := db.Migrate(ctx)
	if err != nil || len(third) != 0 {
		t.Fatalf("reopened run applied %v (err %v)", third, err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n)
	if n != len(ms) {
		t.Fatalf("%d recorded migrations, want %d", n, len(ms))
	}
	var mode string
	db.QueryRow(`PRAGMA journal_mode`).Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode %q, want wal", mode)
	}
	// Foreign keys are enforced.
	_, err = db.Exec(`INSERT INTO contacts (company_id, position, name, email) VALUES (424242, 0, 'x', 'x@y.dk')`)
	if !IsForeignKey(err) {
		t.Errorf("insert with a dangling company_id: err %v, want a foreign key failure", err)
	}
}

func TestMigrationVersionsAreOrderedAndUnique(t *testing.T) {
	ms, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Version <= ms[i-1].Version {
			t.Fatalf("migrations out of order: %s after %s", ms[i].Name, ms[i-1].Name)
		}
	}
}

func TestTxRollsBackOnError(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "app.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Exec(`CREATE TABLE t (v INTEGER UNIQUE)`)
	err = db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO t VALUES (1)`); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO t VALUES (1)`)
		return err
	})
	if !IsUnique(err) {
		t.Fatalf("err %v, want a unique violation", err)
	}
	var n int
	db.QueryRow(`SELECT count(*) FROM t`).Scan(&n)
	if n != 0 {
		t.Fatalf("%d rows after a failed transaction, want 0", n)
	}
}
