package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/reports/officetest"
)

// A table longer than a sheet continues on the next sheet with the header
// repeated: 1,048,575 data rows fill the first sheet (with its header,
// Excel's 1,048,576 rows), the rest go to the second.
func TestStreamContinuesOnTheNextSheetPastExcelsRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cols := []Column{{"Nr.", Count}, {"Navn", Text}, {"Tid", DateTime}}
	s, err := NewStream(out, XLSX, "Hændelser", cols)
	if err != nil {
		t.Fatal(err)
	}
	const total = MaxSheetRows - 1 + 25
	at := time.Date(2012, 11, 13, 9, 30, 0, 0, time.UTC)
	row := make([]any, 3)
	for n := 1; n <= total; n++ {
		row[0], row[1], row[2] = n, "x", at
		if err := s.Row(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	if s.Sheets() != 2 || s.Rows() != total {
		t.Fatalf("%d sheets, %d rows", s.Sheets(), s.Rows())
	}

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "Hændelser" || got[1] != "Hændelser (2)" {
		t.Fatalf("sheets %q", got)
	}
	// The first sheet: the header, then rows 1 .. 1,048,575 (read as a stream).
	rows, err := f.Rows("Hændelser")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var last []string
	for rows.Next() {
		n++
		if n == 1 || n == MaxSheetRows {
			if last, err = rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
				t.Fatal(err)
			}
			if n == 1 && last[0] != "Nr." {
				t.Errorf("first sheet's header %q", last)
			}
		}
	}
	rows.Close()
	if n != MaxSheetRows || last[0] != strconv.Itoa(MaxSheetRows-1) {
		t.Errorf("first sheet: %d rows, the last %q; want %d rows ending with %d", n, last, MaxSheetRows, MaxSheetRows-1)
	}
	second, err := f.GetRows("Hændelser (2)", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(second) != 26 || second[0][0] != "Nr." || second[0][2] != "Tid" || second[1][0] != strconv.Itoa(MaxSheetRows) || second[25][0] != strconv.Itoa(total) {
		t.Errorf("second sheet: %d rows, header %q, first %q, last %q", len(second), second[0], second[1], second[len(second)-1])
	}
	if shown, _ := f.GetCellValue("Hændelser (2)", "C26"); shown != "2012-11-13 10:30" {
		t.Errorf("time shows %q, want the Copenhagen wall clock 2012-11-13 10:30", shown)
	}
	if panes, err := f.GetPanes("Hændelser (2)"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("second sheet's header not frozen: %+v %v", panes, err)
	}
	if typ, _ := f.GetCellType("Hændelser (2)", "A26"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("the count is a cell of type %v", typ)
	}
}

// What LibreOffice shows of a streamed workbook (written by the zip writer
// that goes straight to the output): risky text as written, counts and
// times formatted as numbers; and the same table as CSV.
func TestStreamOpensInLibreOffice(t *testing.T) {
	cols := []Column{{"Navn", Text}, {"Antal", Count}, {"Tid", DateTime}}
	at := time.Date(2012, 11, 13, 9, 30, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "stream.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewStream(out, XLSX, "Data", cols)
	if err != nil {
		t.Fatal(err)
	}
	for n, text := range risky {
		if err := s.Row([]any{text, 1000 + n, at}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out.Close()
	rows := officetest.Sheets(t, path)["Data"]
	if len(rows) != len(risky)+1 || rows[0][0] != "Navn" {
		t.Fatalf("LibreOffice shows %q", rows)
	}
	for n, text := range risky {
		if got := rows[n+1]; got[0] != text || got[1] != "1,"+fmt.Sprintf("%03d", n) || got[2] != "2012-11-13 10:30" {
			t.Errorf("LibreOffice shows %q for %q", got, text)
		}
	}
}
