package reports

import (
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// XLSXContentType is the media type of a workbook (.xlsx), for every
// download of one.
const XLSXContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// Kind is what a column holds, and so its number format.
type Kind int

// The column kinds.
const (
	Text     Kind = iota // text, user text included: always a string cell
	Count                // whole numbers: 1.234
	Decimal              // one decimal: 8,5 (8.5 in English)
	Percent              // a fraction shown as a percentage: 0.085 is 8,5 %
	Date                 // a date (time.Time): 2012-11-12
	DateTime             // a date and time (time.Time, shown as its Copenhagen wall clock): 2012-11-12 09:30
	General              // a number as given (Excel's General format): 8, 7.5
)

// Column is one column of a sheet: its header (already translated) and kind.
type Column struct {
	Header string
	Kind   Kind
}

// Book is a workbook being built in memory, sheet by sheet, with the
// conventions every report follows. For exports too large for memory, see
// the streaming writer of the raw exports.
type Book struct {
	f      *excelize.File
	styles map[Kind]int
	header int
	sheets []*Sheet
}

// NewBook starts an empty workbook.
func NewBook() (*Book, error) {
	b := &Book{f: excelize.NewFile(), styles: map[Kind]int{}}
	var err error
	if b.header, err = headerStyle(b.f); err != nil {
		return nil, err
	}
	if b.styles, err = kindStyles(b.f); err != nil {
		return nil, err
	}
	return b, nil
}

// kindStyles makes the number format of each column kind in f.
func kindStyles(f *excelize.File) (map[Kind]int, error) {
	decimal, percent, dateTime := "#,##0.0", "0.0%", "yyyy-mm-dd hh:mm"
	styles := map[Kind]int{}
	for kind, st := range map[Kind]*excelize.Style{
		Count:    {NumFmt: 3},               // #,##0
		Decimal:  {CustomNumFmt: &decimal},  // 8.5
		Percent:  {CustomNumFmt: &percent},  // 8.5%
		Date:     {NumFmt: 14},              // the reader's short date
		DateTime: {CustomNumFmt: &dateTime}, // 2012-11-12 09:30
	} {
		id, err := f.NewStyle(st)
		if err != nil {
			return nil, err
		}
		styles[kind] = id
	}
	return styles, nil
}

// headerStyle is the style of a sheet's header row.
func headerStyle(f *excelize.File) (int, error) {
	return f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E8EEF4"}}})
}

// File is the underlying excelize file, for what Book does not do itself
// (charts: AddChart over a sheet's cells).
func (b *Book) File() *excelize.File { return b.f }

// Sheet is one worksheet of a Book.
type Sheet struct {
	b      *Book
	Name   string
	cols   []Column
	widths []int
	row    int // the last row written (1 is the header)
}

// Sheet adds a worksheet named name (at most 31 characters, no []:*?/\)
// with a frozen header row of cols.
func (b *Book) Sheet(name string, cols []Column) (*Sheet, error) {
	if len(b.sheets) == 0 {
		if err := b.f.SetSheetName("Sheet1", name); err != nil {
			return nil, err
		}
	} else if _, err := b.f.NewSheet(name); err != nil {
		return nil, err
	}
	s := &Sheet{b: b, Name: name, cols: cols, widths: make([]int, len(cols))}
	b.sheets = append(b.sheets, s)
	if len(cols) == 0 {
		return s, nil
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = c.Header
		s.fit(i, c.Header)
	}
	if err := s.put(1, hdr, b.header); err != nil {
		return nil, err
	}
	s.row = 1
	if err := b.f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	return s, nil
}

// Row appends a row: a value per column (nil leaves the cell empty).
// Numbers go in as numbers with their column's format; text as string cells.
func (s *Sheet) Row(values ...any) error {
	s.row++
	for i, v := range values {
		if v == nil {
			continue
		}
		cell, err := excelize.CoordinatesToCellName(i+1, s.row)
		if err != nil {
			return err
		}
		kind := Text
		if i < len(s.cols) {
			kind = s.cols[i].Kind
		}
		switch v := v.(type) {
		case string:
			err = s.b.f.SetCellStr(s.Name, cell, v) // a string cell: never a formula
			s.fit(i, v)
		case time.Time:
			err = s.b.f.SetCellValue(s.Name, cell, shownTime(kind, v))
			s.fit(i, "2012-11-12 09:30")
		default:
			err = s.b.f.SetCellValue(s.Name, cell, v)
			s.fit(i, fmt.Sprint(v)+"   ")
		}
		if err != nil {
			return err
		}
		if st, ok := s.b.styles[kind]; ok {
			if err := s.b.f.SetCellStyle(s.Name, cell, cell, st); err != nil {
				return err
			}
		}
	}
	return nil
}

// Rows is the number of rows written, the header included.
func (s *Sheet) Rows() int { return s.row }

func (s *Sheet) put(row int, values []any, style int) error {
	for i, v := range values {
		cell, err := excelize.CoordinatesToCellName(i+1, row)
		if err != nil {
			return err
		}
		if str, ok := v.(string); ok {
			err = s.b.f.SetCellStr(s.Name, cell, str)
		} else {
			err = s.b.f.SetCellValue(s.Name, cell, v)
		}
		if err != nil {
			return err
		}
		if err := s.b.f.SetCellStyle(s.Name, cell, cell, style); err != nil {
			return err
		}
	}
	return nil
}

// maxWidth is the widest a fitted column gets (in characters).
const maxWidth = 60

func (s *Sheet) fit(col int, text string) {
	for col >= len(s.widths) {
		s.widths = append(s.widths, 0)
	}
	s.widths[col] = min(max(s.widths[col], utf8.RuneCountInString(text)+2), maxWidth)
}

// Write fits the columns of every sheet and writes the workbook to w.
func (b *Book) Write(w io.Writer) error {
	for _, s := range b.sheets {
		for i, width := range s.widths {
			name, err := excelize.ColumnNumberToName(i + 1)
			if err != nil {
				return err
			}
			if err := b.f.SetColWidth(s.Name, name, name, float64(max(width, 8))); err != nil {
				return err
			}
		}
	}
	if len(b.sheets) > 0 {
		b.f.SetActiveSheet(0)
	}
	_, err := b.f.WriteTo(w)
	return err
}

// Close releases the workbook's temporary files.
func (b *Book) Close() error { return b.f.Close() }
