package registry

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
	MaxImportBytes = 10 << 20 // 10 MB of input
	MaxImportRows  = 100_000  // data rows, not counting the header and blank rows
	MaxCellLen     = 1000     // characters per cell

	// maxUnzipBytes bounds what an XLSX file may expand to in memory.
	maxUnzipBytes = 200 << 20
	// maxErrorsShown is how many errors ImportErrors.Error lists.
	maxErrorsShown = 20
)

// Column names of the import files.
var (
	companyColumns = []string{"cvr", "name", "kind", "cohort", "p_numbers",
		"contact_name", "contact_email", "contact_phone", "contact_language"}
	companyRequired  = []string{"cvr", "name", "kind"}
	contactColumns   = []string{"contact_name", "contact_email", "contact_phone", "contact_language"}
	authorityColumns = []string{"cvr", "name", "kind", "weekly_target"}
	authorityRequire = []string{"cvr", "name", "kind"}
)

// ImportError is one problem in an import file. Row is the 1-based
// spreadsheet row (the header is row 1, the first data row is row 2); 0
// means the problem concerns the whole file. Column is the column's header
// name (or its letter, for a column without a header); empty when the
// problem concerns the whole row or file.
type ImportError struct {
	File    string `json:"file"`
	Row     int    `json:"row,omitempty"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Error returns e.g. "companies.csv: row 3, column cvr: fails the modulus-11
// check"; the row and column parts are left out when not set.
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

// ParseCompanies reads the companies of a CSV or XLSX file, chosen by the
// extension of filename (.csv or .xlsx, case-insensitive).
//
// CSV: UTF-8 (a BOM is dropped), delimiter ',' or ';' as found in the
// header line. XLSX: the first sheet. The first non-blank row is the header;
// its names are matched case-insensitively, spaces and '-' counting as '_'.
// Columns: cvr, name, kind (required), cohort, p_numbers (several in a cell,
// separated by ';', ',' or spaces), contact_name, contact_email,
// contact_phone, contact_language. Unknown columns are an error.
//
// A company may span several rows, one per contact: rows with the same CVR
// are merged into one company. A company cell left blank on one of them is
// taken from the others, but two non-blank values that differ are an error
// on the later row. A row whose contact cells are all blank adds no contact.
// Blank rows are skipped.
//
// Every company is normalized and validated. If anything is wrong the result
// is (nil, ImportErrors) listing every problem of the file; there is never a
// partial result. Companies are returned in the order of their first row.
func ParseCompanies(r io.Reader, filename string) ([]Company, error) {
	t, errs := readTable(r, filename, companyColumns, companyRequired)
	if errs != nil {
		return nil, errs
	}

	type group struct {
		c         Company
		rows      []int          // every row of the company
		src       map[string]int // row each company field was taken from
		contactAt []int          // row of each contact
	}
	var groups []*group
	byCVR := map[string]*group{}

	for _, rec := range t.records {
		rc := Company{
			CVR:      t.cell(rec, "cvr"),
			Name:     t.cell(rec, "name"),
			Kind:     t.cell(rec, "kind"),
			Cohort:   t.cell(rec, "cohort"),
			PNumbers: splitPNumbers(t.cell(rec, "p_numbers")),
		}
		hasContact := false
		for _, col := range contactColumns {
			if strings.TrimSpace(t.cell(rec, col)) != "" {
				hasContact = true
			}
		}
		if hasContact {
			rc.Contacts = []Contact{{
				Name:     t.cell(rec, "contact_name"),
				Email:    t.cell(rec, "contact_email"),
				Phone:    t.cell(rec, "contact_phone"),
				Language: t.cell(rec, "contact_language"),
			}}
		}
		rc.Normalize()

		g := byCVR[rc.CVR]
		if g == nil {
			g = &group{c: Company{CVR: rc.CVR, PNumbers: []string{}, Contacts: []Contact{}}, src: map[string]int{}}
			groups = append(groups, g)
			if rc.CVR != "" { // rows without a CVR are never merged
				byCVR[rc.CVR] = g
			}
		}
		g.rows = append(g.rows, rec.row)

		for _, f := range []struct {
			col      string
			dst      *string
			val      string
			nonBlank bool
		}{
			{"name", &g.c.Name, rc.Name, rc.Name != ""},
			{"kind", &g.c.Kind, rc.Kind, rc.Kind != ""},
			{"cohort", &g.c.Cohort, rc.Cohort, rc.Cohort != ""},
			{"p_numbers", nil, strings.Join(rc.PNumbers, ";"), len(rc.PNumbers) > 0},
		} {
			if !f.nonBlank {
				continue
			}
			from, set := g.src[f.col]
			switch {
			case !set:
				g.src[f.col] = rec.row
				if f.dst != nil {
					*f.dst = f.val
				} else {
					g.c.PNumbers = rc.PNumbers
				}
			case f.dst != nil && *f.dst != f.val:
				t.errs.add(rec.row, f.col, "%q differs from %q in row %d; rows with the same CVR must agree", f.val, *f.dst, from)
			case f.dst == nil && !sameSet(g.c.PNumbers, rc.PNumbers):
				t.errs.add(rec.row, f.col, "%q differs from %q in row %d; rows with the same CVR must agree",
					strings.Join(rc.PNumbers, ";"), strings.Join(g.c.PNumbers, ";"), from)
			}
		}

		if hasContact {
			ct := rc.Contacts[0]
			dup := -1
			for i, prev := range g.c.Contacts {
				if ct.Email != "" && prev.Email == ct.Email {
					dup = i
				}
			}
			if dup >= 0 {
				t.errs.add(rec.row, "contact_email", "the same e-mail address is already a contact of this company in row %d", g.contactAt[dup])
			} else {
				g.c.Contacts = append(g.c.Contacts, ct)
				g.contactAt = append(g.contactAt, rec.row)
			}
		}
	}

	pnumberAt := map[string]*group{}
	for _, g := range groups {
		if err := g.c.Validate(); err != nil {
			for _, fe := range err.(FieldErrors) {
				base, i, sub := splitField(fe.Field)
				switch base {
				case "cvr":
					for _, row := range g.rows {
						t.errs.add(row, "cvr", "%s", fe.Message)
					}
				case "p_numbers":
					t.errs.add(g.src["p_numbers"], "p_numbers", "P-number %q %s", g.c.PNumbers[i], fe.Message)
				case "contacts":
					t.errs.add(g.contactAt[i], "contact_"+sub, "%s", fe.Message)
				default: // name, kind, cohort
					row, ok := g.src[base]
					if !ok {
						row = g.rows[0]
					}
					t.errs.add(row, base, "%s", fe.Message)
				}
			}
		}
		if g.c.CVR == "" {
			continue
		}
		for _, p := range g.c.PNumbers {
			if other := pnumberAt[p]; other != nil && other != g {
				t.errs.add(g.src["p_numbers"], "p_numbers", "P-number %s is also listed for CVR %s in row %d", p, other.c.CVR, other.src["p_numbers"])
			} else {
				pnumberAt[p] = g
			}
		}
	}

	if len(t.errs.list) > 0 {
		return nil, t.errs.sorted(t.colOrder)
	}
	out := make([]Company, len(groups))
	for i, g := range groups {
		out[i] = g.c
	}
	return out, nil
}

// ParseAuthorities reads the authorities of a CSV or XLSX file, under the
// same rules as ParseCompanies. Columns: cvr, name, kind (required) and
// weekly_target (blank: no target; else a whole number >= 0). One row is one
// authority; a CVR appearing twice is an error naming both rows.
func ParseAuthorities(r io.Reader, filename string) ([]Authority, error) {
	t, errs := readTable(r, filename, authorityColumns, authorityRequire)
	if errs != nil {
		return nil, errs
	}
	var out []Authority
	rowOf := map[string]int{}
	for _, rec := range t.records {
		a := Authority{
			CVR:  t.cell(rec, "cvr"),
			Name: t.cell(rec, "name"),
			Kind: t.cell(rec, "kind"),
		}
		if s := strings.TrimSpace(t.cell(rec, "weekly_target")); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				t.errs.add(rec.row, "weekly_target", "must be a whole number of messages per week, e.g. 250")
			} else {
				a.WeeklyTarget = &n
			}
		}
		a.Normalize()
		if err := a.Validate(); err != nil {
			for _, fe := range err.(FieldErrors) {
				t.errs.add(rec.row, fe.Field, "%s", fe.Message)
			}
		}
		if a.CVR != "" {
			if first, ok := rowOf[a.CVR]; ok {
				t.errs.add(rec.row, "cvr", "duplicate CVR %s: also in row %d", a.CVR, first)
			} else {
				rowOf[a.CVR] = rec.row
			}
		}
		out = append(out, a)
	}
	if len(t.errs.list) > 0 {
		return nil, t.errs.sorted(t.colOrder)
	}
	return out, nil
}

// splitField splits a FieldError field such as "contacts[2].email" into
// "contacts", 2 and "email".
func splitField(field string) (base string, index int, sub string) {
	base, rest, ok := strings.Cut(field, "[")
	if !ok {
		return field, 0, ""
	}
	num, sub, _ := strings.Cut(rest, "]")
	index, _ = strconv.Atoi(num)
	return base, index, strings.TrimPrefix(sub, ".")
}

// splitPNumbers splits a p_numbers cell on ';', ',' and white space.
func splitPNumbers(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ';' || r == ',' || unicode.IsSpace(r)
	})
}

// sameSet reports whether a and b (both without duplicates) hold the same
// strings in any order.
func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, s := range a {
		if !slices.Contains(b, s) {
			return false
		}
	}
	return true
}

// record is one non-blank row of an import file.
type record struct {
	row   int // 1-based spreadsheet row
	cells []string
}

// table is an import file after its header has been checked.
type table struct {
	col      map[string]int // column name -> cell index
	colOrder map[string]int // column name (or letter) -> position, for sorting errors
	records  []record
	errs     *errCollector
}

// cell returns the cell of the named column, or "" if the column or the
// cell is absent.
func (t *table) cell(rec record, name string) string {
	i, ok := t.col[name]
	if !ok || i >= len(rec.cells) {
		return ""
	}
	return rec.cells[i]
}

// errCollector gathers ImportErrors, keeping only the first error of each
// cell so that one bad cell is reported once.
type errCollector struct {
	file string
	list ImportErrors
	seen map[errKey]bool
}

type errKey struct {
	row int
	col string
}

func newErrCollector(file string) *errCollector {
	return &errCollector{file: file, seen: map[errKey]bool{}}
}

func (c *errCollector) add(row int, col, format string, args ...any) {
	k := errKey{row, col}
	if row > 0 && c.seen[k] {
		return
	}
	c.seen[k] = true
	c.list = append(c.list, ImportError{File: c.file, Row: row, Column: col, Message: fmt.Sprintf(format, args...)})
}

// sorted returns the errors ordered by row, then by column position.
func (c *errCollector) sorted(order map[string]int) ImportErrors {
	out := slices.Clone(c.list)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Row != out[j].Row {
			return out[i].Row < out[j].Row
		}
		return order[out[i].Column] < order[out[j].Column]
	})
	return out
}

// fileError is an ImportErrors holding one error about the whole file.
func fileError(file, format string, args ...any) ImportErrors {
	return ImportErrors{{File: file, Message: fmt.Sprintf(format, args...)}}
}

// readTable reads the file, checks its header against the accepted and
// required columns and checks every cell's size and encoding. It returns
// non-nil ImportErrors when the file cannot be used at all; cell problems
// are left in t.errs so that the caller can add its own.
func readTable(r io.Reader, filename string, accepted, required []string) (*table, ImportErrors) {
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
		if ext == "" {
			return nil, fileError(filename, "the file name has no extension; accepted: .csv, .xlsx")
		}
		return nil, fileError(filename, "unsupported file type %q; accepted: .csv, .xlsx", ext)
	}
	if errs != nil {
		return nil, errs
	}
	if len(rows) < 2 {
		return nil, fileError(filename, "no data rows")
	}

	// Header.
	hdr := rows[0]
	t := &table{col: map[string]int{}, colOrder: map[string]int{}, records: rows[1:], errs: newErrCollector(filename)}
	names := make([]string, len(hdr.cells))
	for i, raw := range hdr.cells {
		shown := strings.TrimSpace(strings.TrimPrefix(raw, "\ufeff"))
		name := headerName(shown)
		if name == "" {
			continue
		}
		if !slices.Contains(accepted, name) {
			errs = append(errs, ImportError{File: filename, Row: hdr.row, Column: shown,
				Message: "unknown column; accepted columns: " + strings.Join(accepted, ", ")})
			continue
		}
		if j, dup := t.col[name]; dup {
			errs = append(errs, ImportError{File: filename, Row: hdr.row, Column: shown,
				Message: "column appears twice (also column " + columnLetter(j) + ")"})
			continue
		}
		t.col[name] = i
		names[i] = name
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
		t.colOrder[name] = i
	}

	// Cells.
	for _, rec := range t.records {
		for i, v := range rec.cells {
			if i >= len(names) || names[i] == "" {
				if strings.TrimSpace(v) != "" {
					col := columnLetter(i)
					t.colOrder[col] = len(accepted) + i
					t.errs.add(rec.row, col, "the cell has a value but its column has no header")
				}
				continue
			}
			switch {
			case !utf8.ValidString(v):
				t.errs.add(rec.row, names[i], "the cell is not valid UTF-8; save the file as \"CSV UTF-8\" or as .xlsx")
			case utf8.RuneCountInString(v) > MaxCellLen:
				t.errs.add(rec.row, names[i], "the cell is longer than %d characters", MaxCellLen)
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

// blank reports whether every cell is empty or white space.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// addRecord appends a non-blank row, failing once there are more data rows
// than allowed (the first row is the header).
func addRecord(rows []record, rec record, filename string) ([]record, ImportErrors) {
	if blank(rec.cells) {
		return rows, nil
	}
	if len(rows) > MaxImportRows {
		return nil, fileError(filename, "more than %d data rows; split the file", MaxImportRows)
	}
	return append(rows, rec), nil
}

var utf8BOM = []byte("\xEF\xBB\xBF")

// readCSV returns the non-blank rows of a CSV file, numbered as a
// spreadsheet program shows them: blank lines count as rows, and a quoted
// cell spanning several lines stays in one row.
func readCSV(data []byte, filename string) ([]record, ImportErrors) {
	data = bytes.TrimPrefix(data, utf8BOM)
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return nil, fileError(filename, "the file is not CSV text but looks like an Excel workbook; name it .xlsx")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	var rows []record
	row, endLine := 0, 0 // last row number and last line it used
	for {
		cells, err := cr.Read()
		if err == io.EOF {
			return rows, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, ImportErrors{{File: filename, Row: row + max(pe.StartLine-endLine, 1), Message: csvMessage(pe.Err)}}
			}
			return nil, fileError(filename, "cannot read the CSV file: %v", err)
		}
		start, _ := cr.FieldPos(0)
		last, _ := cr.FieldPos(len(cells) - 1)
		row += max(start-endLine, 1) // blank lines skipped by the reader are rows too
		endLine = last + strings.Count(cells[len(cells)-1], "\n")
		var errs ImportErrors
		if rows, errs = addRecord(rows, record{row: row, cells: cells}, filename); errs != nil {
			return nil, errs
		}
	}
}

func csvMessage(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote):
		return `a quoted cell is not closed, or a " inside it is not doubled ("")`
	case errors.Is(err, csv.ErrBareQuote):
		return `a " inside a cell that does not start with "; quote the cell and double the " ("")`
	}
	return "cannot read the CSV file: " + err.Error()
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

// readXLSX returns the non-blank rows of the first sheet of a workbook.
func readXLSX(data []byte, filename string) (rows []record, errs ImportErrors) {
	defer func() {
		// A malformed workbook must not take the server down.
		if p := recover(); p != nil {
			rows, errs = nil, fileError(filename, "cannot read the XLSX file")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    maxUnzipBytes,
		UnzipXMLSizeLimit: maxUnzipBytes, // keep everything in memory: no temporary files
	})
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
	for n := 1; it.Next(); n++ { // Next also steps over rows missing from the file
		cells, err := it.Columns()
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
