package warehouse

import (
	"bufio"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// MigrationsTable records the applied migrations, one row per version.
const MigrationsTable = "schema_migrations"

// createMigrationsTable works on ClickHouse 18.16 and 24.x alike.
const createMigrationsTable = "CREATE TABLE IF NOT EXISTS " + MigrationsTable +
	" (version UInt32, name String, applied_at DateTime) ENGINE = MergeTree ORDER BY version"

var migrationName = regexp.MustCompile(`^([0-9]+)_[A-Za-z0-9_.-]+\.sql$`)

type migration struct {
	version int
	name    string // file name, e.g. 0001_events.sql
}

// Migrate applies the SQL migrations in the root of fsys that are not yet
// recorded in schema_migrations, in numeric order, and returns the versions it
// applied now (empty when there was nothing to do).
//
// Files are named like 0001_events.sql (a number, an underscore, a name);
// files not ending in .sql and subfolders are ignored, a .sql file named
// otherwise is an error, and so are two files with the same number. A file may hold several statements: a statement ends with a line
// whose last non-blank character is ';'. Lines starting with "--" are comments.
//
// ClickHouse has no transactions: when a statement fails, the statements of
// that file that ran before it stay applied and the version is not recorded,
// so the whole file runs again next time. Write statements that can run twice
// (CREATE TABLE IF NOT EXISTS, ...). Two processes must not migrate the same
// database at the same time.
//
// Migrate works in the connection's default database (the DSN's database).
// Each applied file is logged at info level through slog.Default().
func Migrate(ctx context.Context, conn driver.Conn, fsys fs.FS) ([]int, error) {
	migrations, err := readMigrations(fsys)
	if err != nil {
		return nil, err
	}
	if err := conn.Exec(ctx, createMigrationsTable); err != nil {
		return nil, fmt.Errorf("warehouse: create %s: %w", MigrationsTable, err)
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}

	applied := []int{}
	for _, mig := range migrations {
		if done[mig.version] {
			continue
		}
		raw, err := fs.ReadFile(fsys, mig.name)
		if err != nil {
			return applied, fmt.Errorf("warehouse: migration %s: %w", mig.name, err)
		}
		statements := splitStatements(string(raw))
		for i, stmt := range statements {
			if err := conn.Exec(ctx, stmt.text); err != nil {
				return applied, fmt.Errorf("warehouse: migration %s: statement %d (line %d: %s): %w",
					mig.name, i+1, stmt.line, abbreviate(stmt.text, 120), err)
			}
		}
		if err := recordMigration(ctx, conn, mig); err != nil {
			return applied, err
		}
		slog.Default().Info("applied clickhouse migration", "version", mig.version, "file", mig.name, "statements", len(statements))
		applied = append(applied, mig.version)
	}
	return applied, nil
}

func readMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("warehouse: read migrations: %w", err)
	}
	var out []migration
	byVersion := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || path.Ext(name) != ".sql" {
			continue
		}
		match := migrationName.FindStringSubmatch(name)
		if match == nil {
			return nil, fmt.Errorf("warehouse: migration file %s: name must look like 0001_name.sql", name)
		}
		version, err := strconv.Atoi(match[1])
		if err != nil || version <= 0 || version > 1<<32-1 {
			return nil, fmt.Errorf("warehouse: migration file %s: version must be a number from 1 to 4294967295", name)
		}
		if other, dup := byVersion[version]; dup {
			return nil, fmt.Errorf("warehouse: migration files %s and %s have the same version %d", other, name, version)
		}
		byVersion[version] = name
		out = append(out, migration{version: version, name: name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

func appliedVersions(ctx context.Context, conn driver.Conn) (map[int]bool, error) {
	rows, err := conn.Query(ctx, "SELECT version FROM "+MigrationsTable)
	if err != nil {
		return nil, fmt.Errorf("warehouse: read %s: %w", MigrationsTable, err)
	}
	defer rows.Close()
	done := map[int]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("warehouse: read %s: %w", MigrationsTable, err)
		}
		done[int(v)] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("warehouse: read %s: %w", MigrationsTable, err)
	}
	return done, nil
}

// recordMigration inserts one row into schema_migrations. It names the
// columns, which ClickHouse 18.16 needs for a batch insert.
func recordMigration(ctx context.Context, conn driver.Conn, mig migration) error {
	batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+MigrationsTable+" (version, name, applied_at)")
	if err != nil {
		return fmt.Errorf("warehouse: record migration %s: %w", mig.name, err)
	}
	if err := batch.Append(uint32(mig.version), mig.name, time.Now().UTC().Truncate(time.Second)); err != nil {
		_ = batch.Abort()
		return fmt.Errorf("warehouse: record migration %s: %w", mig.name, err)
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("warehouse: record migration %s: %w", mig.name, err)
	}
	return nil
}

type statement struct {
	text string
	line int // 1-based line of the statement's first non-comment line
}

// splitStatements splits a migration file into statements. A statement ends
// at a line whose last non-blank character is ';' (the ';' is dropped); the
// text after the last such line is a statement too. Comment lines ("--") never
// end a statement, and statements made only of blanks and comments are
// dropped.
func splitStatements(src string) []statement {
	var (
		out     []statement
		buf     []string
		first   int
		hasCode bool
	)
	flush := func() {
		if hasCode {
			text := strings.TrimSpace(strings.Join(buf, "\n"))
			text = strings.TrimSpace(strings.TrimSuffix(text, ";"))
			if text != "" {
				out = append(out, statement{text: text, line: first})
			}
		}
		buf, hasCode, first = nil, false, 0
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		isComment := strings.HasPrefix(trimmed, "--")
		if trimmed != "" && !isComment && !hasCode {
			hasCode, first = true, lineNo
		}
		if !hasCode {
			continue // blank and comment lines before the statement
		}
		buf = append(buf, line)
		if !isComment && strings.HasSuffix(trimmed, ";") {
			flush()
		}
	}
	flush()
	return out
}

func abbreviate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
