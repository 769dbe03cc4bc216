package chdb

import (
	"bytes"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	chproto "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// block is one block of a result: its columns, decoded by clickhouse-go.
type block struct {
	names   []string
	columns []column.Interface
}

func (b *block) rows() int {
	if len(b.columns) == 0 {
		return 0
	}
	return b.columns[0].Rows()
}

// decodeBlocks reads ClickHouse's Native format as a server writes it for a
// client of revision 0: blocks without block info, each column its name, its
// type and its data, decoded by clickhouse-go's column code. A server drops
// the time zone of DateTime types for such a client (older clients did not
// know it), so types(), when the result has a DateTime column, gives the
// result's full types, in column order; nil keeps those of the data.
func decodeBlocks(out []byte, tz *time.Location, types func() []string) ([]*block, error) {
	reader := chproto.NewReader(bytes.NewReader(out))
	sc := &column.ServerContext{Timezone: tz}
	var (
		blocks []*block
		full   []string
		asked  bool
	)
	for {
		numCols, err := reader.UVarInt()
		if errors.Is(err, io.EOF) {
			return blocks, nil // the end, before a block
		}
		if err != nil {
			return nil, err
		}
		numRows, err := reader.UVarInt()
		if err != nil {
			return nil, err
		}
		b := &block{}
		for i := 0; i < int(numCols); i++ {
			name, err := reader.Str()
			if err != nil {
				return nil, err
			}
			typ, err := reader.Str()
			if err != nil {
				return nil, err
			}
			if strings.Contains(typ, "DateTime") && !asked {
				full, asked = types(), true
			}
			if len(full) == int(numCols) && strings.Contains(typ, "DateTime") {
				typ = full[i]
			}
			c, err := column.Type(typ).Column(name, sc)
			if err != nil {
				return nil, err
			}
			if numRows > 0 {
				if custom, ok := c.(column.CustomSerialization); ok {
					if err := custom.ReadStatePrefix(reader); err != nil {
						return nil, fmt.Errorf("column %s: %w", name, err)
					}
				}
				if err := c.Decode(reader, int(numRows)); err != nil {
					return nil, fmt.Errorf("column %s: %w", name, err)
				}
			}
			b.names, b.columns = append(b.names, name), append(b.columns, c)
		}
		blocks = append(blocks, b)
	}
}

// rows is a whole result, block by block.
type rows struct {
	blocks []*block
	block  int // index in blocks
	row    int // 1-based row in blocks[block]; 0 before the first Next
	err    error
}

var _ driver.Rows = (*rows)(nil)

func decodeRows(out []byte, tz *time.Location, types func() []string) (*rows, error) {
	blocks, err := decodeBlocks(out, tz, types)
	if err != nil {
		return nil, fmt.Errorf("chdb: decode result: %w", err)
	}
	return &rows{blocks: blocks}, nil
}

func (r *rows) current() *block {
	if r.block < len(r.blocks) {
		return r.blocks[r.block]
	}
	return nil
}

func (r *rows) Next() bool {
	for r.block < len(r.blocks) {
		if r.row < r.blocks[r.block].rows() {
			r.row++
			return true
		}
		r.block++
		r.row = 0
	}
	return false
}

func (r *rows) Scan(dest ...any) error {
	b := r.current()
	if b == nil || r.row == 0 {
		return io.EOF
	}
	if len(b.columns) != len(dest) {
		return &clickhouse.OpError{Op: "Scan", Err: fmt.Errorf("expected %d destination arguments in Scan, not %d", len(b.columns), len(dest))}
	}
	for i, d := range dest {
		if err := b.columns[i].ScanRow(d, r.row-1); err != nil {
			return &clickhouse.OpError{Err: err, ColumnName: b.names[i]}
		}
	}
	return nil
}

func (r *rows) ScanStruct(dest any) error {
	values, err := structFields(r.Columns(), dest)
	if err != nil {
		return err
	}
	return r.Scan(values...)
}

func (r *rows) Totals(dest ...any) error { return sql.ErrNoRows }

func (r *rows) Columns() []string {
	if len(r.blocks) == 0 {
		return nil
	}
	return r.blocks[0].names
}

func (r *rows) ColumnTypes() []driver.ColumnType {
	if len(r.blocks) == 0 {
		return nil
	}
	var out []driver.ColumnType
	for _, c := range r.blocks[0].columns {
		out = append(out, columnType{c})
	}
	return out
}

func (r *rows) Close() error { return nil }

func (r *rows) Err() error { return r.err }

func (r *rows) HasData() bool {
	for i := r.block; i < len(r.blocks); i++ {
		if r.blocks[i].rows() > 0 && (i > r.block || r.row < r.blocks[i].rows()) {
			return true
		}
	}
	return false
}

type columnType struct{ c column.Interface }

func (t columnType) Name() string             { return t.c.Name() }
func (t columnType) Nullable() bool           { _, ok := t.c.(*column.Nullable); return ok }
func (t columnType) ScanType() reflect.Type   { return t.c.ScanType() }
func (t columnType) DatabaseTypeName() string { return string(t.c.Type()) }

// row is the first row of a result, for QueryRow.
type row struct {
	rows *rows
	err  error
}

func (r *row) Err() error { return r.err }

func (r *row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	if !r.rows.Next() {
		return sql.ErrNoRows
	}
	return r.rows.Scan(dest...)
}

func (r *row) ScanStruct(dest any) error {
	if r.err != nil {
		return r.err
	}
	if !r.rows.Next() {
		return sql.ErrNoRows
	}
	return r.rows.ScanStruct(dest)
}

// structFields returns pointers to the fields of *dest named like columns:
// by the field's `ch` tag, else by its name.
func structFields(columns []string, dest any) ([]any, error) {
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("chdb: ScanStruct needs a pointer to a struct, not %T", dest)
	}
	v = v.Elem()
	byName := map[string]int{}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, ok := f.Tag.Lookup("ch"); ok {
			if tag == "-" {
				continue
			}
			name = tag
		}
		byName[name] = i
	}
	values := make([]any, len(columns))
	for i, name := range columns {
		field, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("chdb: ScanStruct: no field of %T for column %s", dest, name)
		}
		values[i] = v.Field(field).Addr().Interface()
	}
	return values, nil
}

// selectInto scans every row into dest, a pointer to a slice of structs.
func selectInto(r *rows, dest any) error {
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Slice {
		return fmt.Errorf("chdb: Select needs a pointer to a slice, not %T", dest)
	}
	slice := v.Elem()
	slice.Set(slice.Slice(0, 0))
	for r.Next() {
		elem := reflect.New(slice.Type().Elem())
		if err := r.ScanStruct(elem.Interface()); err != nil {
			return err
		}
		slice.Set(reflect.Append(slice, elem.Elem()))
	}
	return r.Err()
}
