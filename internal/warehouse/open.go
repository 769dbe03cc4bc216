package warehouse

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// Connection defaults, used when the DSN does not set them
// (dial_timeout=..., read_timeout=..., max_open_conns=..., ...).
const (
	defaultDialTimeout  = 10 * time.Second
	defaultReadTimeout  = 2 * time.Minute // per read; the server sends progress packets meanwhile
	defaultMaxOpenConns = 10
	defaultMaxIdleConns = 5
	pingTimeout         = 15 * time.Second
)

// Open connects over the native protocol to the server named by dsn,
// clickhouse://user:pass@host:port/db, pings it and returns the connection.
// A database that does not exist yet is created.
//
// Only the native protocol is accepted: clickhouse-go's HTTP protocol sends
// settings that ClickHouse 18.16 rejects. Open itself sends no query settings
// (18.16 refuses settings it does not know); query parameters of the DSN that
// the driver does not recognise are passed on as settings, so only put
// settings there that every server in use knows, with integer values (18.16
// encodes settings as integers on the wire).
func Open(ctx context.Context, dsn string) (driver.Conn, error) {
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		return nil, fmt.Errorf("warehouse: parse clickhouse DSN: %w", err)
	}
	if opts.Protocol != clickhouse.Native {
		return nil, fmt.Errorf("warehouse: clickhouse DSN %s uses the HTTP protocol; use the native protocol (clickhouse://host:9000/db)", redactDSN(opts))
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = defaultDialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = defaultReadTimeout
	}
	if opts.MaxOpenConns == 0 {
		opts.MaxOpenConns = defaultMaxOpenConns
	}
	if opts.MaxIdleConns == 0 {
		opts.MaxIdleConns = defaultMaxIdleConns
	}
	if opts.MaxIdleConns > opts.MaxOpenConns {
		opts.MaxIdleConns = opts.MaxOpenConns
	}

	conn, err := connect(ctx, opts)
	var ex *clickhouse.Exception
	if err == nil || !errors.As(err, &ex) || ex.Code != codeUnknownDatabase {
		return conn, err
	}
	// The database is missing: create it, as the managed server does.
	if err := createDatabase(ctx, opts); err != nil {
		return nil, fmt.Errorf("warehouse: database %q does not exist on clickhouse %s and creating it failed: %s",
			opts.Auth.Database, redactDSN(opts), strings.Join(strings.Fields(err.Error()), " "))
	}
	return connect(ctx, opts)
}

// codeUnknownDatabase is ClickHouse's UNKNOWN_DATABASE error code.
const codeUnknownDatabase = 81

// connect opens a connection and pings it.
func connect(ctx context.Context, opts *clickhouse.Options) (driver.Conn, error) {
	conn, err := clickhouse.Open(opts)
	if err != nil {
		return nil, fmt.Errorf("warehouse: open clickhouse %s: %w", redactDSN(opts), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if err := conn.Ping(pingCtx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("warehouse: ping clickhouse %s: %w", redactDSN(opts), err)
	}
	return conn, nil
}

// createDatabase creates opts' database through a connection to the user's
// default database. CREATE DATABASE IF NOT EXISTS works on 18.16 and 24.x.
func createDatabase(ctx context.Context, opts *clickhouse.Options) error {
	o := *opts
	o.Auth.Database = ""
	o.MaxOpenConns, o.MaxIdleConns = 1, 1
	conn, err := connect(ctx, &o)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	return conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+quoteIdentifier(opts.Auth.Database))
}

// quoteIdentifier quotes a name for ClickHouse SQL with backquotes.
func quoteIdentifier(name string) string {
	return "`" + strings.NewReplacer(`\`, `\\`, "`", "\\`").Replace(name) + "`"
}

// redactDSN describes a connection without its password, for error messages.
func redactDSN(o *clickhouse.Options) string {
	user := o.Auth.Username
	if user == "" {
		user = "default"
	}
	return fmt.Sprintf("%s@%s/%s", user, strings.Join(o.Addr, ","), o.Auth.Database)
}
