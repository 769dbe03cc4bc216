package tabular

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/tabular/tabulartest"
)

var companySpec = Spec{Accepted: []string{"cvr", "name", "kind"}, Required: []string{"cvr", "name", "kind"},
	MaxBytes: 10 << 20, MaxRows: 100_000, MaxCell: 1000}

// A workbook whose sheet and shared strings are over maxStreamedPart (so
// excelize streams them from temporary files) reads as before.
func TestReadLargeWorkbook(t *testing.T) {
	const n = 40_000
	data := tabulartest.Workbook(func(w io.Writer) {
		tabulartest.InlineRow(w, "cvr", "Name", "kind")
		for i := range n {
			fmt.Fprintf(w, `<row r="%d"><c t="s"><v>%d</v></c><c t="s"><v>%d</v></c><c t="inlineStr"><is><t>company</t></is></c></row>`, i+3, 2*i, 2*i+1)
		}
	}, func(w io.Writer) {
		for i := range n {
			fmt.Fprintf(w, "<si><t>%d</t></si><si><t>Company &amp; number %d</t></si>", 10_000_000+i, i)
		}
	})
	tb, err := Read(context.Background(), bytes.NewReader(data), "c.xlsx", companySpec)
	if err != nil {
		t.Fatal(err)
	}
	if len(tb.Records) != n {
		t.Fatalf("%d records, want %d", len(tb.Records), n)
	}
	last := tb.Records[n-1]
	if last.Row != n+2 || tb.Cell(last, "cvr") != fmt.Sprint(10_000_000+n-1) || tb.Cell(last, "name") != fmt.Sprintf("Company & number %d", n-1) || tb.Cell(last, "kind") != "company" {
		t.Fatalf("last record %+v", last)
	}
	if errs := tb.Errors(); errs != nil {
		t.Fatal(errs)
	}
}

// Hostile files are refused with an error naming the file and the limit,
// and reading each costs a bounded amount of memory.
func TestReadHostile(t *testing.T) {
	want := map[string]string{
		"sheet.xlsx":   "sheet.xlsx: the workbook unpacks to more than 100 MB; split the file",
		"strings.xlsx": "strings.xlsx: the workbook unpacks to more than 100 MB; split the file",
		"amplify.xlsx": "amplify.xlsx: the file holds more than 48 MB of cell data; split the file",
		"cell.xlsx":    "cell.xlsx: a cell or tag in the XLSX file is longer than 1024 KB",
		"commas.csv":   "commas.csv: row 2: the row has more than 1000 columns",
	}
	for name, data := range tabulartest.HostileFiles(companySpec.Accepted) {
		t.Run(name, func(t *testing.T) {
			if strings.HasSuffix(name, ".xlsx") && len(data) > 1<<20 {
				t.Fatalf("the hostile file is %d bytes", len(data))
			}
			var err error
			growth := HeapGrowth(func() {
				_, err = Read(context.Background(), bytes.NewReader(data), name, companySpec)
			})
			var ie ImportErrors
			if !errors.As(err, &ie) || err.Error() != want[name] {
				t.Errorf("error = %v, want %s", err, want[name])
			}
			t.Logf("%s (%d KB): heap grew by %d MB", name, len(data)>>10, growth>>20)
			if growth > 150<<20 {
				t.Errorf("reading %s grew the heap by %d MB", name, growth>>20)
			}
		})
	}
}

func TestReadBusy(t *testing.T) {
	csv := "cvr,name,kind\n16480894,N,company\n"
	undo := HoldSlots(time.Millisecond)
	_, err := Read(context.Background(), strings.NewReader(csv), "c.csv", companySpec)
	if !errors.Is(err, ErrBusy) {
		t.Errorf("error = %v, want ErrBusy", err)
	}
	busyWait = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Read(ctx, strings.NewReader(csv), "c.csv", companySpec)
	if !errors.Is(err, ErrBusy) || !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want ErrBusy and Canceled", err)
	}
	undo()
	if _, err := Read(context.Background(), strings.NewReader(csv), "c.csv", companySpec); err != nil {
		t.Fatal(err)
	}
	if len(slots) != 0 {
		t.Fatalf("%d slots held after Read", len(slots))
	}
}

func TestScanXML(t *testing.T) {
	long := strings.Repeat("x", maxToken)
	nested := strings.Repeat("<a>", maxDepth+1)
	tests := []struct {
		xml  string
		want string // "" for no error
	}{
		{`<?xml version="1.0"?><sst><si><t>a &gt; b</t></si><x:si/><si a="1"><t/></si></sst>`, ""},
		{`<sst><!-- x --></sst>`, "comments"},
		{`<sst><![CDATA[x]]></sst>`, "comments"},
		{`<sst><t>` + long + `</t></sst>`, "longer than"},
		{`<sst><t>` + long[:maxToken-10] + `</t></sst>`, ""},
		{`<sst><t>` + strings.Repeat("a>", maxToken/2) + `</t></sst>`, "longer than"},
		{`<c a="` + strings.Repeat("a>", maxToken/2) + `"/>`, "longer than"},
		{`<?x ` + strings.Repeat("a>", maxToken/2) + `?>`, "longer than"},
		{nested, "nests deeper"},
		{strings.Repeat("<a/>", 2*maxDepth) + strings.Repeat("<a></a>", 2*maxDepth), ""},
	}
	for i, tt := range tests {
		var s xmlScanner
		err := s.scan([]byte(tt.xml))
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("%d: error = %v, want %q", i, err, tt.want)
		}
	}
	var s xmlScanner
	if err := s.scan([]byte(`<sst><si><t>a</t></si><x:si/><si a="1"><t/></si><sis/></sst>`)); err != nil || s.strings != 3 {
		t.Errorf("%d strings, error %v", s.strings, err)
	}
	s = xmlScanner{}
	err := s.scan([]byte(strings.Repeat("<si/>", maxSharedStrings+1)))
	if err == nil || !strings.Contains(err.Error(), "more than 1000000 different texts") {
		t.Errorf("error = %v", err)
	}
}
