// Package tabular reads import files (CSV or XLSX) as tables: a header row
// checked against the accepted columns, rows numbered as a spreadsheet
// shows them (the header is row 1), and errors that name file, row and
// column. The registry and the support-call log import through it.
package tabular

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// maxErrorsShown is how many errors ImportErrors.Error lists.
const maxErrorsShown = 20

// ImportError is one problem in an import file. Row is the 1-based
// spreadsheet row (the header is row 1, the first data row is row 2); 0
// means the problem concerns the whole file. Column is the column's header
// name (or its letter, for a column without a header); empty when the
// problem concerns the whole row or file.
type ImportError struct {
	File    string          `json:"file"`
	Row     int             `json:"row,omitempty"`
	Column  string          `json:"column,omitempty"`
	Message problem.Message `json:"-"`
}

// Error returns e.g. "companies.csv: row 3, column cvr: fails the modulus-11
// check"; the row and column parts are left out when not set.
func (e ImportError) Error() string { return e.In("en") }

// In is the error in lang, naming file, row and column as Error does.
func (e ImportError) In(lang string) string {
	var loc []string
	if e.Row > 0 {
		loc = append(loc, problem.Msg("import.row", e.Row).In(lang))
	}
	if e.Column != "" {
		loc = append(loc, problem.Msg("import.column", e.Column).In(lang))
	}
	prefix := e.File
	if len(loc) > 0 {
		if prefix != "" {
			prefix += ": "
		}
		prefix += strings.Join(loc, ", ")
	}
	if prefix == "" {
		return e.Message.In(lang)
	}
	return prefix + ": " + e.Message.In(lang)
}

// ImportErrors is every problem found in one import file, ordered by row.
type ImportErrors []ImportError

// Error lists the first 20 errors, separated by "; ", followed by
// "and N more" when there are more.
func (es ImportErrors) Error() string {
	n := min(len(es), maxErrorsShown)
	parts := make([]string, 0, n+1)
	for _, e := range es[:n] {
		parts = append(parts, e.Error())
	}
	if len(es) > n {
		parts = append(parts, fmt.Sprintf("and %d more", len(es)-n))
	}
	return strings.Join(parts, "; ")
}

// ProblemFields lists the errors as field errors (the column, or "file"
// for the whole file), each naming file, row and column in the reader's
// language, so that the web answer shows them like any invalid input.
func (es ImportErrors) ProblemFields() problem.Fields {
	fs := make(problem.Fields, len(es))
	for i, e := range es {
		field := e.Column
		if field == "" {
			field = "file"
		}
		fs[i] = problem.FieldError{Field: field, Message: problem.Msg("import.located", e.location(), e.Message)}
	}
	return fs
}

// location is the file, row and column of an error, as a message.
func (e ImportError) location() problem.Message {
	switch {
	case e.Row > 0 && e.Column != "":
		return problem.Msg("import.at_cell", e.File, e.Row, e.Column)
	case e.Row > 0:
		return problem.Msg("import.at_row", e.File, e.Row)
	}
	return problem.Msg("import.at_file", e.File)
}

// FileError is an ImportErrors holding one error about the whole file.
func FileError(file, key string, args ...any) ImportErrors {
	return ImportErrors{{File: file, Message: problem.Msg(key, args...)}}
}

// Spec says what a file may hold.
type Spec struct {
	Accepted []string          // column names, in the order errors are sorted by
	Required []string          // columns that must be present
	Aliases  map[string]string // other header names -> column name
	MaxBytes int               // input size limit
	MaxRows  int               // data rows, not counting the header and blank rows
	MaxCell  int               // characters per cell
	// RawXLSX reads XLSX cells as stored (a date is its serial number)
	// instead of as displayed.
	RawXLSX bool
}

// Record is one non-blank row.
type Record struct {
	Row   int // 1-based spreadsheet row
	Cells []string
}

// Table is an import file after its header was checked. Callers add their
// own cell errors with Add and finish with Errors.
type Table struct {
	File    string
	Records []Record
	col     map[string]int // column name -> cell index
	order   map[string]int // column name (or letter) -> position, for sorting errors
	errs    ImportErrors
	seen    map[cellKey]bool
}

type cellKey struct {
	row int
	col string
}

// Cell returns the trimmed cell of the named column ("" if the column or
// the cell is absent).
func (t *Table) Cell(rec Record, name string) string {
	i, ok := t.col[name]
	if !ok || i >= len(rec.Cells) {
		return ""
	}
	return strings.TrimSpace(rec.Cells[i])
}

// Add records an error in a cell (row 0: the whole file; col "": the whole
// row). Only the first error of each cell is kept, so one bad cell is
// reported once.
func (t *Table) Add(row int, col, key string, args ...any) {
	k := cellKey{row, col}
	if row > 0 && t.seen[k] {
		return
	}
	t.seen[k] = true
	t.errs = append(t.errs, ImportError{File: t.File, Row: row, Column: col, Message: problem.Msg(key, args...)})
}

// Errors returns the errors found so far ordered by row, then by column
// position; nil when there are none.
func (t *Table) Errors() ImportErrors {
	if len(t.errs) == 0 {
		return nil
	}
	out := slices.Clone(t.errs)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Row != out[j].Row {
			return out[i].Row < out[j].Row
		}
		return t.order[out[i].Column] < t.order[out[j].Column]
	})
	return out
}

// Read reads a .csv (UTF-8, a BOM dropped, delimiter ',' or ';' as found in
// the header line) or .xlsx (the first sheet) file, chosen by the extension
// of filename, and checks its header: names are matched case-insensitively
// with spaces and '-' counting as '_'; unknown, duplicate and missing
// required columns are errors. Every cell's size and encoding is checked
// into the table's errors. An ImportErrors error means the file cannot be
// used at all.
//
// At most MaxParallel files are read at once in the process; Read waits a
// little for its turn, then fails with ErrBusy.
func Read(ctx context.Context, r io.Reader, filename string, spec Spec) (*Table, error) {
	if err := acquire(ctx); err != nil {
		return nil, err
	}
	defer release()
	t, errs := read(r, filename, spec)
	if errs != nil {
		return nil, errs
	}
	return t, nil
}

func read(r io.Reader, filename string, spec Spec) (*Table, ImportErrors) {
	data, err := io.ReadAll(io.LimitReader(r, int64(spec.MaxBytes)+1))
	if err != nil {
		return nil, FileError(filename, "import.bad_file", err.Error())
	}
	if len(data) > spec.MaxBytes {
		return nil, FileError(filename, "import.too_large", spec.MaxBytes>>20)
	}
	var rows []Record
	var errs ImportErrors
	rc := &rowCollector{filename: filename, maxRows: spec.MaxRows}
	switch ext := strings.ToLower(filepath.Ext(filename)); ext {
	case ".csv":
		rows, errs = readCSV(data, filename, rc)
	case ".xlsx":
		rows, errs = readXLSX(data, filename, rc, spec.RawXLSX)
	default:
		if ext == "" {
			return nil, FileError(filename, "import.no_extension")
		}
		return nil, FileError(filename, "import.bad_type", ext)
	}
	if errs != nil {
		return nil, errs
	}
	if len(rows) < 2 {
		return nil, FileError(filename, "import.no_rows")
	}

	hdr := rows[0]
	t := &Table{File: filename, Records: rows[1:], col: map[string]int{}, order: map[string]int{}, seen: map[cellKey]bool{}}
	names := make([]string, len(hdr.Cells))
	for i, raw := range hdr.Cells {
		shown := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		name := headerName(shown)
		if a, ok := spec.Aliases[name]; ok {
			name = a
		}
		if name == "" {
			continue
		}
		if !slices.Contains(spec.Accepted, name) {
			errs = append(errs, ImportError{File: filename, Row: hdr.Row, Column: shown,
				Message: problem.Msg("import.unknown_column", strings.Join(spec.Accepted, ", "))})
			continue
		}
		if j, dup := t.col[name]; dup {
			errs = append(errs, ImportError{File: filename, Row: hdr.Row, Column: shown,
				Message: problem.Msg("import.column_twice", columnLetter(j))})
			continue
		}
		t.col[name], names[i] = i, name
	}
	for _, name := range spec.Required {
		if _, ok := t.col[name]; !ok {
			errs = append(errs, ImportError{File: filename, Row: hdr.Row, Column: name, Message: problem.Msg("import.column_missing")})
		}
	}
	if errs != nil {
		return nil, errs
	}
	for i, name := range spec.Accepted {
		t.order[name] = i
	}
	for _, rec := range t.Records {
		for i, v := range rec.Cells {
			if i >= len(names) || names[i] == "" {
				if strings.TrimSpace(v) != "" {
					col := columnLetter(i)
					t.order[col] = len(spec.Accepted) + i
					t.Add(rec.Row, col, "import.no_header")
				}
				continue
			}
			switch {
			case !utf8.ValidString(v):
				t.Add(rec.Row, names[i], "import.not_utf8")
			case utf8.RuneCountInString(v) > spec.MaxCell:
				t.Add(rec.Row, names[i], "import.cell_too_long", spec.MaxCell)
			}
		}
	}
	return t, nil
}

// headerName turns a header cell into a column name: lower case, with
// spaces and '-' as '_' ("Contact Name" -> "contact_name").
func headerName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return unicode.ToLower(r)
	}, s)
}

// columnLetter returns the spreadsheet letter of the 0-based column i.
func columnLetter(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return name
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// readCSV returns the non-blank rows of a CSV file, numbered as a
// spreadsheet program shows them: blank lines count as rows, and a quoted
// cell spanning several lines stays in one row.
func readCSV(data []byte, filename string, rc *rowCollector) ([]Record, ImportErrors) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, FileError(filename, "import.xlsx_as_csv")
	}
	comma := sniffDelimiter(data)
	if errs := checkCSVColumns(data, filename, comma); errs != nil {
		return nil, errs
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	row, endLine := 0, 0 // last row number and last line it used
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return rc.rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, ImportErrors{{File: filename, Row: row + max(pe.StartLine-endLine, 1), Message: csvMessage(pe.Err)}}
			}
			return nil, FileError(filename, "import.bad_csv_detail", err.Error())
		}
		start, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(cells) - 1)
		row += max(start-endLine, 1) // blank lines skipped by the reader are rows too
		endLine = last + strings.Count(cells[len(cells)-1], "\n")
		if errs := rc.add(Record{Row: row, Cells: cells}); errs != nil {
			return nil, errs
		}
	}
}

func csvMessage(err error) problem.Message {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return problem.Msg("import.csv_quote")
	case errors.Is(err, csv.ErrBareQuote):
		return problem.Msg("import.csv_bare_quote")
	}
	return problem.Msg("import.bad_csv_detail", err.Error())
}

// sniffDelimiter returns ';' if the header line holds more semicolons than
// commas outside quotes, else ','.
func sniffDelimiter(data []byte) rune {
	commas, semis, quoted := 0, 0, false
	for _, b := range data {
		if b == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if b == '\n' || b == '\r' {
			break
		}
		switch b {
		case ',':
			commas++
		case ';':
			semis++
		}
	}
	if semis > commas {
		return ';'
	}
	return ','
}
