package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/reports/officetest"
)

// The formula-injection cases of issue 11: text from users that a
// spreadsheet program could read as a formula.
var risky = []string{`=HYPERLINK("http://evil.example","klik")`, "+1+1", "@SUM(A1)", "-2+3", "\t=1+1", "\r=1+1"}

func TestBookWritesRiskyTextAsTextAndNumbersAsNumbers(t *testing.T) {
	b, err := NewBook()
	if err != nil {
		t.Fatal(err)
	}
	s, err := b.Sheet("Data", []Column{{"Navn", Text}, {"Antal", Count}, {"Andel", Percent}})
	if err != nil {
		t.Fatal(err)
	}
	for n, text := range risky {
		if err := s.Row(text, 1000+n, 0.085); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "book.xlsx")
	out, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Write(out); err != nil {
		t.Fatal(err)
	}
	out.Close()

	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if panes, err := f.GetPanes("Data"); err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header row not frozen: %+v %v", panes, err)
	}
	for n, text := range risky {
		row := n + 2
		name, _ := excelize.CoordinatesToCellName(1, row)
		if formula, _ := f.GetCellFormula("Data", name); formula != "" {
			t.Errorf("%q became the formula %q", text, formula)
		}
		if typ, _ := f.GetCellType("Data", name); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%q is a cell of type %v, want a string", text, typ)
		}
		count, _ := excelize.CoordinatesToCellName(2, row)
		if typ, _ := f.GetCellType("Data", count); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("count in row %d is of type %v, want a number", row, typ)
		}
		if v, _ := f.GetCellValue("Data", count, excelize.Options{RawCellValue: true}); v != strconv.Itoa(1000+n) {
			t.Errorf("count in row %d is %q", row, v)
		}
	}

	// What LibreOffice shows: the texts as written, never evaluated (+1+1
	// is not 2), the numbers formatted as numbers.
	rows := officetest.Sheets(t, path)["Data"]
	if len(rows) != len(risky)+1 {
		t.Fatalf("LibreOffice shows %d rows: %q", len(rows), rows)
	}
	for n, text := range risky {
		got := rows[n+1]
		if got[0] != text {
			t.Errorf("LibreOffice shows %q for %q", got[0], text)
		}
		if got[1] != fmt.Sprintf("1,%03d", n) { // #,##0 in en-US
			t.Errorf("LibreOffice shows the count as %q", got[1])
		}
		if got[2] != "8.5%" {
			t.Errorf("LibreOffice shows the share as %q, want 8.5%%", got[2])
		}
	}
}
