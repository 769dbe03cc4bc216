package reports

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/internal/spreadsheet"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The formats a Stream writes.
const (
	XLSX = "xlsx"
	CSV  = "csv"
)

// Formats lists the formats a Stream writes.
var Formats = []string{XLSX, CSV}

// MaxSheetRows is the most rows one worksheet holds, its header included
// (Excel's limit: 1,048,576). A Stream continues on a new sheet, with the
// header repeated, once a sheet is full.
const MaxSheetRows = excelize.TotalRows

// Stream writes one table of any length, row by row, as a workbook
// (excelize's StreamWriter: rows go to a temporary file, not memory) or as
// CSV (UTF-8 with a BOM, so that Excel reads it as UTF-8). It follows
// Book's conventions: a frozen, bold header row; counts, decimals,
// percentages and times as real numbers with number formats; every text a
// string cell (in CSV, risky text gets internal/spreadsheet's apostrophe).
// Column widths are set before the first row (a stream cannot look ahead):
// from the header and the column's kind.
type Stream struct {
	format string
	sheet  string
	cols   []Column
	rows   int64 // data rows written

	// XLSX
	out      io.Writer
	f        *excelize.File
	sw       *excelize.StreamWriter
	styles   map[Kind]int
	header   int
	sheets   int // sheets begun
	sheetRow int // rows written on the current sheet, the header included
	cells    []any

	// CSV
	bw  *bufio.Writer
	cw  *csv.Writer
	rec []string
}

// NewStream starts a table with the header cols, written to w in format
// (XLSX or CSV); sheet names its (first) worksheet. Close writes the end;
// Abort drops a table that failed.
func NewStream(w io.Writer, format, sheet string, cols []Column) (*Stream, error) {
	s := &Stream{format: format, sheet: sheet, cols: cols}
	switch format {
	case CSV:
		s.bw = bufio.NewWriterSize(w, 256<<10)
		s.bw.WriteString("\uFEFF")
		s.cw = csv.NewWriter(s.bw)
		s.rec = make([]string, len(cols))
		for i, c := range cols {
			s.rec[i] = c.Header
		}
		if err := s.cw.Write(s.rec); err != nil {
			return nil, err
		}
		return s, nil
	case XLSX:
		s.out, s.f = w, excelize.NewFile()
		var err error
		if s.header, err = headerStyle(s.f); err != nil {
			s.f.Close()
			return nil, err
		}
		if s.styles, err = kindStyles(s.f); err != nil {
			s.f.Close()
			return nil, err
		}
		s.cells = make([]any, len(cols))
		if err := s.nextSheet(); err != nil {
			s.f.Close()
			return nil, err
		}
		return s, nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

// sheetName is the name of the n-th sheet (1-based): the base name, then
// "name (2)", "name (3)" ..., within Excel's 31 characters.
func (s *Stream) sheetName(n int) string {
	if n == 1 {
		return clipName(s.sheet, 31)
	}
	suffix := fmt.Sprintf(" (%d)", n)
	return clipName(s.sheet, 31-len(suffix)) + suffix
}

func clipName(name string, n int) string {
	for len(name) > n {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}

// nextSheet flushes the current sheet and begins the next with the header.
func (s *Stream) nextSheet() error {
	if s.sw != nil {
		if err := s.sw.Flush(); err != nil {
			return err
		}
	}
	s.sheets++
	name := s.sheetName(s.sheets)
	if s.sheets == 1 {
		if err := s.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := s.f.NewSheet(name); err != nil {
		return err
	}
	sw, err := s.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	s.sw = sw
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range s.cols {
		if err := sw.SetColWidth(i+1, i+1, columnWidth(c)); err != nil {
			return err
		}
		if st, ok := s.styles[c.Kind]; ok {
			if err := sw.SetColStyle(i+1, i+1, st); err != nil {
				return err
			}
		}
	}
	hdr := make([]any, len(s.cols))
	for i, c := range s.cols {
		hdr[i] = c.Header
	}
	if err := sw.SetRow("A1", hdr, excelize.RowOpts{StyleID: s.header}); err != nil {
		return err
	}
	s.sheetRow = 1
	return nil
}

// columnWidth is a column's width (in characters) from its header and kind.
func columnWidth(c Column) float64 {
	w := map[Kind]int{Text: 18, Count: 10, Decimal: 10, Percent: 9, Date: 12, DateTime: 17}[c.Kind]
	return float64(min(max(w, utf8.RuneCountInString(c.Header)+2), maxWidth))
}

// Row appends a row: a value per column, nil for an empty cell. Strings
// are text (string cells; in CSV with the apostrophe rule), whole numbers
// and floats numbers, time.Time a date/time (its Copenhagen wall clock),
// bool yes/no as 1/0.
func (s *Stream) Row(values []any) error {
	s.rows++
	if s.format == CSV {
		return s.csvRow(values)
	}
	if s.sheetRow == MaxSheetRows {
		if err := s.nextSheet(); err != nil {
			return err
		}
	}
	s.sheetRow++
	for i, v := range values {
		if t, ok := v.(time.Time); ok {
			kind := DateTime
			if i < len(s.cols) {
				kind = s.cols[i].Kind
			}
			v = excelSerial(kind, t)
		}
		s.cells[i] = v
	}
	cell, err := excelize.CoordinatesToCellName(1, s.sheetRow)
	if err != nil {
		return err
	}
	return s.sw.SetRow(cell, s.cells[:len(values)])
}

func (s *Stream) csvRow(values []any) error {
	rec := s.rec[:len(values)]
	for i, v := range values {
		switch v := v.(type) {
		case nil:
			rec[i] = ""
		case string:
			rec[i] = spreadsheet.CSVText(v)
		case int:
			rec[i] = strconv.Itoa(v)
		case int64:
			rec[i] = strconv.FormatInt(v, 10)
		case uint64:
			rec[i] = strconv.FormatUint(v, 10)
		case float64:
			rec[i] = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			rec[i] = "0"
			if v {
				rec[i] = "1"
			}
		case time.Time:
			layout := "2006-01-02 15:04:05"
			if i < len(s.cols) && s.cols[i].Kind == Date {
				layout = time.DateOnly
			}
			rec[i] = v.In(week.Copenhagen).Format(layout)
		default:
			rec[i] = spreadsheet.CSVText(fmt.Sprint(v))
		}
	}
	return s.cw.Write(rec)
}

// Rows is the number of data rows written (headers not counted).
func (s *Stream) Rows() int64 { return s.rows }

// Sheets is the number of worksheets begun (XLSX; 0 for CSV).
func (s *Stream) Sheets() int { return s.sheets }

// Close ends the table: it writes the workbook to the writer (XLSX) or
// flushes the CSV.
func (s *Stream) Close() error {
	if s.format == CSV {
		s.cw.Flush()
		if err := s.cw.Error(); err != nil {
			return err
		}
		return s.bw.Flush()
	}
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return err
	}
	s.f.SetActiveSheet(0)
	// excelize's WriteTo builds the whole zip in memory (WriteToBuffer):
	// its zip writer goes straight to the output instead, so memory stays
	// flat to the end (the sheets are copied from their temporary files).
	s.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(s.out) })
	_, err := s.f.WriteTo(io.Discard)
	return err
}

// Abort drops a table that failed half-way (its temporary files too).
func (s *Stream) Abort() {
	if s.f != nil {
		s.f.Close()
	}
}

// wallClock is t's Copenhagen wall clock as a UTC time: what a
// spreadsheet (which knows no time zones) should show.
func wallClock(t time.Time) time.Time {
	y, m, d := t.In(week.Copenhagen).Date()
	c := t.In(week.Copenhagen)
	return time.Date(y, m, d, c.Hour(), c.Minute(), c.Second(), c.Nanosecond(), time.UTC)
}

// shownTime is what a cell of kind shows of t: a Date column its
// Copenhagen calendar day (a whole day, whether t is that day's midnight in
// Copenhagen or in UTC), any other its Copenhagen wall clock.
func shownTime(kind Kind, t time.Time) time.Time {
	if kind == Date {
		y, m, d := t.In(week.Copenhagen).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}
	return wallClock(t)
}

// excelEpoch is day 0 of Excel's 1900 date system (as it counts from
// March 1900 on).
var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// excelSerial is what a cell of kind shows of t (shownTime) as an Excel
// date serial number (days since excelEpoch), which a date or date-time
// format shows.
func excelSerial(kind Kind, t time.Time) float64 {
	return float64(shownTime(kind, t).Sub(excelEpoch)) / float64(24*time.Hour)
}
