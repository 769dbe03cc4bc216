package warehouse

import (
	"embed"
	"io/fs"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrations are the ClickHouse schema changes (the files of migrations/, at
// the root of this FS), applied in order by Migrate. Every statement runs on
// ClickHouse 18.16 and 24.x. A migration lives with the store it changes:
// each file names the domain package that owns its tables.
var Migrations fs.FS = func() fs.FS {
	sub, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return sub
}()
