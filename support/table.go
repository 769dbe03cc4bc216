package support

// A small reader of CSV and XLSX tables for the call import, after the
// approach of registry/parse.go (header row, rows numbered as a spreadsheet
// shows them, errors naming row and column).
// TODO(lead): registry's readTable could be exported and shared; this is
// a deliberate copy until then.

import (
	"bytes"
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
)

// Import limits.
const (
	MaxImportBytes = 10 << 20
	MaxImportRows  = 50_000
	maxUnzipBytes  = 200 << 20
	maxErrorsShown = 20
)

// ImportError is one problem in an import file. Row is the spreadsheet row
// (the header is row 1); 0 means the whole file. Column is the column's
// header name (or letter); empty when the problem is the whole row.
type ImportError struct {
	File    string `json:"file"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Error is e.g. "calls.csv: row 3, column category: unknown category …".
func (e ImportError) Error() string {
	var loc []string
	if e.Row > 0 {
		loc = append(loc, "row "+strconv.Itoa(e.Row))
	}
	if e.Column != "" {
		loc = append(loc, "column "+e.Column)
	}
	prefix := e.File
	if len(loc) > 0 {
		if prefix != "" {
			prefix += ": "
		}
		prefix += strings.Join(loc, ", ")
	}
	if prefix == "" {
		return e.Message
	}
	return prefix + ": " + e.Message
}

// ImportErrors is every problem of one file, by row.
type ImportErrors []ImportError

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

type record struct {
	row   int
	cells []string
}

type table struct {
	file    string
	col     map[string]int
	order   map[string]int
	records []record
	errs    ImportErrors
	seen    map[[2]string]bool
}

func (t *table) cell(r record, name string) string {
	i, ok := t.col[name]
	if !ok || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

func (t *table) add(row int, col, format string, args ...any) {
	k := [2]string{strconv.Itoa(row), col}
	if row > 0 && t.seen[k] {
		return
	}
	t.seen[k] = true
	t.errs = append(t.errs, ImportError{File: t.file, Row: row, Column: col, Message: fmt.Sprintf(format, args...)})
}

func (t *table) sorted() ImportErrors {
	out := slices.Clone(t.errs)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Row != out[j].Row {
			return out[i].Row < out[j].Row
		}
		return t.order[out[i].Column] < t.order[out[j].Column]
	})
	return out
}

func fileError(file, format string, args ...any) ImportErrors {
	return ImportErrors{{File: file, Message: fmt.Sprintf(format, args...)}}
}

// headerName: lower case, spaces and '-' as '_'.
func headerName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(strings.TrimPrefix(s, "\ufeff")))
}

func columnLetter(i int) string {
	name, err := excelize.ColumnNumberToName(i + 1)
	if err != nil {
		return strconv.Itoa(i + 1)
	}
	return name
}

// readTable reads a .csv or .xlsx file and checks its header; aliases maps
// other accepted header names to column names.
func readTable(r io.Reader, filename string, accepted, required []string, aliases map[string]string, maxCell int) (*table, ImportErrors) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fileError(filename, "cannot read the file: %v", err)
	}
	if len(data) > MaxImportBytes {
		return nil, fileError(filename, "the file is larger than %d MB", MaxImportBytes>>20)
	}
	var rows []record
	var errs ImportErrors
	switch ext := strings.ToLower(filepath.Ext(filename)); ext {
	case ".csv":
		rows, errs = readCSV(data, filename)
	case ".xlsx":
		rows, errs = readXLSX(data, filename)
	default:
		return nil, fileError(filename, "unsupported file type %q; accepted: .csv, .xlsx", ext)
	}
	if errs != nil {
		return nil, errs
	}
	if len(rows) < 2 {
		return nil, fileError(filename, "no data rows")
	}
	hdr := rows[0]
	t := &table{file: filename, col: map[string]int{}, order: map[string]int{}, records: rows[1:], seen: map[[2]string]bool{}}
	names := make([]string, len(hdr.cells))
	for i, raw := range hdr.cells {
		shown := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		name := headerName(shown)
		if a, ok := aliases[name]; ok {
			name = a
		}
		if name == "" {
			continue
		}
		if !slices.Contains(accepted, name) {
			errs = append(errs, ImportError{File: filename, Row: hdr.row, Column: shown, Message: "unknown column; accepted columns: " + strings.Join(accepted, ", ")})
			continue
		}
		if j, dup := t.col[name]; dup {
			errs = append(errs, ImportError{File: filename, Row: hdr.row, Column: shown, Message: "column appears twice (also column " + columnLetter(j) + ")"})
			continue
		}
		t.col[name], names[i] = i, name
	}
	for _, name := range required {
		if _, ok := t.col[name]; !ok {
			errs = append(errs, ImportError{File: filename, Row: hdr.row, Column: name, Message: "required column is missing"})
		}
	}
	if errs != nil {
		return nil, errs
	}
	for i, name := range accepted {
		t.order[name] = i
	}
	for _, rec := range t.records {
		for i, v := range rec.cells {
			if i >= len(names) || names[i] == "" {
				if strings.TrimSpace(v) != "" {
					col := columnLetter(i)
					t.order[col] = len(accepted) + i
					t.add(rec.row, col, "the cell has a value but its column has no header")
				}
				continue
			}
			switch {
			case !utf8.ValidString(v):
				t.add(rec.row, names[i], "the cell is not valid UTF-8; save the file as \"CSV UTF-8\" or as .xlsx")
			case utf8.RuneCountInString(v) > maxCell:
				t.add(rec.row, names[i], "the cell is longer than %d characters", maxCell)
			}
		}
	}
	return t, nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func addRecord(rows []record, rec record, filename string) ([]record, ImportErrors) {
	if blank(rec.cells) {
		return rows, nil
	}
	if len(rows) > MaxImportRows {
		return nil, fileError(filename, "more than %d data rows; split the file", MaxImportRows)
	}
	return append(rows, rec), nil
}

// readCSV returns the non-blank rows, numbered as a spreadsheet shows them.
func readCSV(data []byte, filename string) ([]record, ImportErrors) {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, fileError(filename, "the file is not CSV text but looks like an Excel workbook; name it .xlsx")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	var rows []record
	row, endLine := 0, 0
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, ImportErrors{{File: filename, Row: row + max(pe.StartLine-endLine, 1), Message: "cannot read the CSV row: " + pe.Err.Error()}}
			}
			return nil, fileError(filename, "cannot read the CSV file: %v", err)
		}
		start, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(cells) - 1)
		row += max(start-endLine, 1)
		endLine = last + strings.Count(cells[len(cells)-1], "\n")
		var errs ImportErrors
		if rows, errs = addRecord(rows, record{row: row, cells: cells}, filename); errs != nil {
			return nil, errs
		}
	}
}

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

// readXLSX returns the non-blank rows of the first sheet, with raw cell
// values (a date cell is its serial number; see parseImportTime).
func readXLSX(data []byte, filename string) (rows []record, errs ImportErrors) {
	defer func() {
		if p := recover(); p != nil {
			rows, errs = nil, fileError(filename, "cannot read the XLSX file")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipBytes, UnzipXMLSizeLimit: maxUnzipBytes})
	if err != nil {
		return nil, fileError(filename, "cannot read the XLSX file: %v", err)
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fileError(filename, "no data rows")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, fileError(filename, "cannot read sheet %q: %v", sheets[0], err)
	}
	defer it.Close()
	for n := 1; it.Next(); n++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, ImportErrors{{File: filename, Row: n, Message: fmt.Sprintf("cannot read the row: %v", err)}}
		}
		if rows, errs = addRecord(rows, record{row: n, cells: cells}, filename); errs != nil {
			return nil, errs
		}
	}
	if err := it.Error(); err != nil {
		return nil, fileError(filename, "cannot read sheet %q: %v", sheets[0], err)
	}
	return rows, nil
}
