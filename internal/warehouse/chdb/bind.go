package chdb

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	chdriver "github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// clickhouse-go v2 does not export its binder, so this is a small one that
// writes the same SQL literals for the arguments the project passes. Like
// clickhouse-go on the native protocol it replaces each ? outside string
// literals, quoted identifiers and comments with the next argument (\? is a
// literal ?), ignores arguments left over and fails when arguments run out:
//
//	nil, nil pointer      NULL
//	string, []byte        'text' (\ ' and NUL escaped)
//	bool                  1 / 0
//	integers              decimal
//	float32, float64      cast(1.5, 'Float64') (nan, inf quoted inside)
//	time.Time             toDateTime('2006-01-02 15:04:05') in the server's
//	                      time zone, toDateTime('...', 'Zone') in another
//	                      named one, toDateTime('unix') for time.Local
//	slice, array          [a, b, c]
//	pointer               the value it points to
//	driver.Valuer         its Value
//	fmt.Stringer          its String, quoted
//
// Named (@name) and numbered ($1) parameters are not supported.

var errNamedArgs = errors.New("chdb: named and numbered parameters are not supported, use ?")

// bind returns query with args bound into it; tz is the server's time zone.
func bind(tz *time.Location, query string, args ...any) (string, error) {
	if len(args) == 0 {
		return query, nil
	}
	for _, a := range args {
		switch a.(type) {
		case chdriver.NamedValue, chdriver.NamedDateValue:
			return "", errNamedArgs
		}
	}
	var (
		out      strings.Builder
		next     int
		missing  int
		quote    byte // ' " or ` while inside one, else 0
		comment  byte // '-' in a line comment, '*' in a block comment
		depth    int  // nesting of block comments
		lastCopy int
	)
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case comment == '-':
			if c == '\n' {
				comment = 0
			}
			continue
		case comment == '*':
			if c == '/' && i+1 < len(query) && query[i+1] == '*' {
				depth++
				i++
			} else if c == '*' && i+1 < len(query) && query[i+1] == '/' {
				i++
				if depth--; depth == 0 {
					comment = 0
				}
			}
			continue
		case quote != 0 && c == '\\':
			if quote == '\'' && i+1 < len(query) && query[i+1] == '?' {
				out.WriteString(query[lastCopy:i])
				lastCopy = i + 1 // drop the backslash, keep the ?
			}
			i++ // an escaped character never ends the quote
			continue
		case quote != 0:
			if c == quote {
				if i+1 < len(query) && query[i+1] == quote {
					i++ // doubled delimiter
				} else {
					quote = 0
				}
			}
			continue
		}
		switch c {
		case '\'', '"', '`':
			quote = c
		case '#':
			comment = '-'
		case '-':
			if i+1 < len(query) && query[i+1] == '-' {
				comment = '-'
				i++
			}
		case '/':
			if i+1 < len(query) && query[i+1] == '*' {
				comment, depth = '*', 1
				i++
			}
		case '\\':
			if i+1 < len(query) && query[i+1] == '?' {
				out.WriteString(query[lastCopy:i])
				out.WriteByte('?')
				i++
				lastCopy = i + 1
			}
		case '?':
			out.WriteString(query[lastCopy:i])
			lastCopy = i + 1
			if next >= len(args) {
				missing++
				continue
			}
			lit, err := literal(tz, args[next], false)
			if err != nil {
				return "", err
			}
			out.WriteString(lit)
			next++
		}
	}
	if missing > 0 {
		return "", fmt.Errorf("have no arg for param ? at last %d positions", missing)
	}
	out.WriteString(query[lastCopy:])
	return out.String(), nil
}

var stringEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\x00", `\0`)

func quoteString(s string) string { return "'" + stringEscaper.Replace(s) + "'" }

// literal writes v as a SQL literal; nested is true inside a slice.
func literal(tz *time.Location, v any, nested bool) (string, error) {
	if valuer, ok := v.(driver.Valuer); ok {
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "NULL", nil
		}
		var err error
		if v, err = valuer.Value(); err != nil {
			return "", err
		}
	}
	switch v := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return quoteString(v), nil
	case []byte:
		if v == nil {
			return "NULL", nil
		}
		if !nested {
			return quoteString(string(v)), nil
		}
	case time.Time:
		return timeLiteral(tz, v)
	case *time.Time:
		if v == nil {
			return "NULL", nil
		}
		return timeLiteral(tz, *v)
	case bool:
		if v {
			return "1", nil
		}
		return "0", nil
	case float32:
		return floatLiteral(float64(v), 32), nil
	case float64:
		return floatLiteral(v, 64), nil
	case fmt.Stringer:
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
			return "NULL", nil
		}
		return quoteString(v.String()), nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return quoteString(rv.String()), nil
	case reflect.Bool:
		return literal(tz, rv.Bool(), nested)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32:
		return floatLiteral(rv.Float(), 32), nil
	case reflect.Float64:
		return floatLiteral(rv.Float(), 64), nil
	case reflect.Slice, reflect.Array:
		items := make([]string, rv.Len())
		for i := range items {
			item, err := literal(tz, rv.Index(i).Interface(), true)
			if err != nil {
				return "", err
			}
			items[i] = item
		}
		return "[" + strings.Join(items, ", ") + "]", nil
	case reflect.Pointer:
		if rv.IsNil() {
			return "NULL", nil
		}
		return literal(tz, rv.Elem().Interface(), nested)
	}
	return "", fmt.Errorf("chdb: cannot bind an argument of type %T", v)
}

func floatLiteral(f float64, bits int) string {
	typ := "Float64"
	if bits == 32 {
		typ = "Float32"
	}
	var text string
	switch {
	case math.IsNaN(f):
		text = "'nan'"
	case math.IsInf(f, 1):
		text = "'inf'"
	case math.IsInf(f, -1):
		text = "'-inf'"
	default:
		text = strconv.FormatFloat(f, 'g', -1, bits)
	}
	return "cast(" + text + ", '" + typ + "')"
}

// timeLiteral binds a time with second precision, as clickhouse-go does for
// a DateTime.
func timeLiteral(tz *time.Location, t time.Time) (string, error) {
	name := t.Location().String()
	switch {
	case name == "Local" || name == "":
		if t.Unix() == 0 {
			return "toDateTime(0)", nil
		}
		return fmt.Sprintf("toDateTime('%d')", t.Unix()), nil
	case name == tz.String():
		return t.Format("toDateTime('2006-01-02 15:04:05')"), nil
	case strings.ContainsAny(name, `'\`):
		return "", fmt.Errorf("chdb: invalid time zone %q", name)
	}
	return fmt.Sprintf("toDateTime('%s', '%s')", t.Format(time.DateTime), name), nil
}
