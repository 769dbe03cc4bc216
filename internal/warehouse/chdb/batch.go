package chdb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/ClickHouse/clickhouse-go/v2/lib/proto"
)

var insertInto = regexp.MustCompile(`(?is)^\s*INSERT\s+INTO\s+([^\s(]+)\s*(?:\(([^)]*)\))?\s*(?:VALUES)?\s*;?\s*$`)

// PrepareBatch starts an insert: query is INSERT INTO table [(columns)].
// The rows are kept in clickhouse-go's columns (so Append accepts the same
// Go values as on a server) and sent by Flush and Send as one INSERT ...
// FORMAT Native each. Options are ignored.
func (c *Conn) PrepareBatch(ctx context.Context, query string, _ ...driver.PrepareBatchOption) (driver.Batch, error) {
	m := insertInto.FindStringSubmatch(query)
	if m == nil {
		return nil, fmt.Errorf("chdb: PrepareBatch takes INSERT INTO table [(columns)], not %q", query)
	}
	table := m[1]
	var names []string
	if strings.TrimSpace(m[2]) != "" {
		for _, n := range strings.Split(m[2], ",") {
			names = append(names, strings.Trim(strings.TrimSpace(n), "`\""))
		}
	}
	cols, err := c.describe(ctx, table)
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	var insertable []string
	for _, col := range cols {
		types[col.name] = col.typ
		if col.defaultKind == "" || col.defaultKind == "DEFAULT" {
			insertable = append(insertable, col.name)
		}
	}
	if names == nil {
		names = insertable
	}
	block := proto.NewBlock()
	block.ServerContext.Timezone = c.e.version.Timezone
	for _, n := range names {
		typ, ok := types[n]
		if !ok {
			return nil, fmt.Errorf("chdb: table %s has no column %s", table, n)
		}
		if err := block.AddColumn(n, column.Type(typ)); err != nil {
			return nil, err
		}
	}
	return &batch{ctx: ctx, c: c, table: table, block: block}, nil
}

type batch struct {
	ctx   context.Context
	c     *Conn
	table string
	block *proto.Block
	sent  bool
	err   error // of a column Append, reported by Send
}

var _ driver.Batch = (*batch)(nil)

var errBatchSent = errors.New("clickhouse: batch has already been sent")

func (b *batch) Append(v ...any) error {
	if b.sent {
		return errBatchSent
	}
	return b.block.Append(v...)
}

// AppendStruct appends the fields of *v (or v) named like the columns.
func (b *batch) AppendStruct(v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer {
		p := reflect.New(rv.Type())
		p.Elem().Set(rv)
		v = p.Interface()
	}
	fields, err := structFields(b.block.ColumnsNames(), v)
	if err != nil {
		return err
	}
	for i, f := range fields {
		fields[i] = reflect.ValueOf(f).Elem().Interface()
	}
	return b.Append(fields...)
}

func (b *batch) Column(i int) driver.BatchColumn {
	if i < 0 || i >= len(b.block.Columns) {
		return batchColumn{b: b, err: fmt.Errorf("chdb: batch has no column %d", i)}
	}
	return batchColumn{b: b, col: b.block.Columns[i]}
}

// Flush inserts the rows appended so far.
func (b *batch) Flush() error {
	if b.sent {
		return errBatchSent
	}
	if b.err != nil {
		return b.err
	}
	if b.block.Rows() == 0 {
		return nil
	}
	var buf chproto.Buffer
	if err := b.block.Encode(&buf, 0); err != nil {
		return err
	}
	query := "INSERT INTO " + b.table + " (" + strings.Join(quoteAll(b.block.ColumnsNames()), ", ") + ") FORMAT Native"
	if _, err := b.c.run(b.ctx, query, "Native", buf.Buf); err != nil {
		return err
	}
	b.block.Reset()
	return nil
}

func (b *batch) Send() error {
	if err := b.Flush(); err != nil {
		return err
	}
	b.sent = true
	return nil
}

func (b *batch) Abort() error {
	if b.sent {
		return errBatchSent
	}
	b.sent = true
	return nil
}

func (b *batch) Close() error {
	b.sent = true
	return nil
}

func (b *batch) IsSent() bool { return b.sent }

func (b *batch) Rows() int { return b.block.Rows() }

func (b *batch) Columns() []column.Interface {
	return append([]column.Interface(nil), b.block.Columns...)
}

type batchColumn struct {
	b   *batch
	col column.Interface
	err error
}

func (c batchColumn) Append(v any) error {
	return c.add(func() error { _, err := c.col.Append(v); return err })
}

func (c batchColumn) AppendRow(v any) error {
	return c.add(func() error { return c.col.AppendRow(v) })
}

// add runs an append; its error also fails the batch's Flush and Send.
func (c batchColumn) add(appendTo func() error) error {
	if c.err != nil {
		return c.err
	}
	if c.b.sent {
		return errBatchSent
	}
	err := appendTo()
	if err != nil && c.b.err == nil {
		c.b.err = err
	}
	return err
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdentifier(n)
	}
	return out
}
