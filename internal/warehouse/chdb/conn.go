package chdb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Conn is a driver.Conn on the process's chDB engine, with a default
// database of its own. It is safe for concurrent use (calls are serialised).
type Conn struct {
	e        *engine
	database string
	closed   bool
}

var _ driver.Conn = (*Conn)(nil)

// Open starts the process's chDB engine on dataDir (a folder, created if
// missing) from the library at libPath, or joins it when it runs already
// (on the same folder; another folder is an error), and returns a
// connection whose default database is database (which must exist; "" is
// "default").
func Open(libPath, dataDir, database string) (*Conn, error) {
	dataDir, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("chdb: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("chdb: %w", err)
	}
	e, err := start(libPath, dataDir)
	if err != nil {
		return nil, err
	}
	if database == "" {
		database = "default"
	}
	return &Conn{e: e, database: database}, nil
}

// Database is the connection's default database.
func (c *Conn) Database() string { return c.database }

func (c *Conn) run(ctx context.Context, query, format string, data []byte) ([]byte, error) {
	if c.closed {
		return nil, errors.New("chdb: the connection is closed")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	settings, err := contextSettings(ctx)
	if err != nil {
		return nil, err
	}
	return c.e.run(c.database, settings, query, format, data)
}

// Contributors is empty: chDB is not a clickhouse-go connection.
func (c *Conn) Contributors() []string { return nil }

// ServerVersion reports the engine's ClickHouse version and time zone.
func (c *Conn) ServerVersion() (*driver.ServerVersion, error) {
	v := *c.e.version
	return &v, nil
}

// Exec runs a statement with ? arguments bound.
func (c *Conn) Exec(ctx context.Context, query string, args ...any) error {
	q, err := bind(c.e.version.Timezone, query, args...)
	if err != nil {
		return err
	}
	_, err = c.run(ctx, q, "Native", nil)
	return err
}

// AsyncInsert runs the insert at once (chDB has no asynchronous inserts).
func (c *Conn) AsyncInsert(ctx context.Context, query string, wait bool, args ...any) error {
	return c.Exec(ctx, query, args...)
}

// Query runs a query with ? arguments bound and returns its rows, read in
// whole.
func (c *Conn) Query(ctx context.Context, query string, args ...any) (driver.Rows, error) {
	q, err := bind(c.e.version.Timezone, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := c.run(ctx, q, "Native", nil)
	if err != nil {
		return nil, err
	}
	return decodeRows(out, c.e.version.Timezone, func() []string { return c.resultTypes(ctx, q) })
}

// resultTypes returns the types of query's columns, nil when DESCRIBE
// cannot tell.
func (c *Conn) resultTypes(ctx context.Context, query string) []string {
	cols, err := c.describe(ctx, "("+query+")")
	if err != nil {
		return nil
	}
	types := make([]string, len(cols))
	for i, col := range cols {
		types[i] = col.typ
	}
	return types
}

// describedColumn is a line of DESCRIBE.
type describedColumn struct {
	name, typ, defaultKind string
}

// describe runs DESCRIBE TABLE what (a table or a parenthesised query).
func (c *Conn) describe(ctx context.Context, what string) ([]describedColumn, error) {
	out, err := c.run(ctx, "DESCRIBE TABLE "+what, "TSVRaw", nil)
	if err != nil {
		return nil, err
	}
	var cols []describedColumn
	for _, line := range strings.Split(strings.TrimRight(string(out), "\n"), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			return nil, fmt.Errorf("chdb: unexpected DESCRIBE line %q", line)
		}
		cols = append(cols, describedColumn{name: f[0], typ: f[1], defaultKind: f[2]})
	}
	return cols, nil
}

// QueryRow runs Query and keeps its first row; Scan then fails with
// sql.ErrNoRows when there is none.
func (c *Conn) QueryRow(ctx context.Context, query string, args ...any) driver.Row {
	r, err := c.Query(ctx, query, args...)
	if err != nil {
		return &row{err: err}
	}
	return &row{rows: r.(*rows)}
}

// Select scans every row into dest, a pointer to a slice of structs (see
// Rows.ScanStruct).
func (c *Conn) Select(ctx context.Context, dest any, query string, args ...any) error {
	r, err := c.Query(ctx, query, args...)
	if err != nil {
		return err
	}
	return selectInto(r.(*rows), dest)
}

// QueryFormat returns the result of query in a ClickHouse format.
func (c *Conn) QueryFormat(ctx context.Context, format string, query string, args ...any) (io.ReadCloser, error) {
	q, err := bind(c.e.version.Timezone, query, args...)
	if err != nil {
		return nil, err
	}
	out, err := c.run(ctx, q, format, nil)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(out)), nil
}

// InsertFormat inserts data, encoded in format, with query (INSERT INTO t
// [(columns)], without FORMAT).
func (c *Conn) InsertFormat(ctx context.Context, format string, query string, data io.Reader) error {
	raw, err := io.ReadAll(data)
	if err != nil {
		return err
	}
	_, err = c.run(ctx, query+" FORMAT "+format, "Native", raw)
	return err
}

// Ping checks that the engine answers.
func (c *Conn) Ping(ctx context.Context) error {
	_, err := c.run(ctx, "SELECT 1", "Native", nil)
	return err
}

// Stats describes the one engine connection.
func (c *Conn) Stats() driver.Stats {
	return driver.Stats{MaxOpenConns: 1, MaxIdleConns: 1, Open: 1}
}

// Close closes this Conn; the engine stays up until the process ends.
func (c *Conn) Close() error {
	c.closed = true
	return nil
}
