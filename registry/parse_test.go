package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const csvHeader = "cvr,name,kind,cohort,p_numbers,contact_name,contact_email,contact_phone,contact_language\n"

func importErrs(t *testing.T, err error) ImportErrors {
	t.Helper()
	var ies ImportErrors
	if !errors.As(err, &ies) {
		t.Fatalf("error %T is not ImportErrors: %v", err, err)
	}
	return ies
}

// hasImportError reports whether errs holds an error at row and column whose
// message contains msg.
func hasImportError(errs ImportErrors, row int, column, msg string) bool {
	for _, e := range errs {
		if e.Row == row && e.Column == column && strings.Contains(e.Message.String(), msg) {
			return true
		}
	}
	return false
}

func TestParseCompaniesTestdata(t *testing.T) {
	f, err := os.Open("testdata/companies.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cs, err := ParseCompanies(f, "companies.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 5 {
		t.Fatalf("got %d companies, want 5", len(cs))
	}
	first := cs[0]
	if first.CVR != "16480894" || len(first.Contacts) != 2 || len(first.PNumbers) != 2 {
		t.Fatalf("first company not merged: %+v", first)
	}
	if first.Contacts[1].Language != "en" || cs[1].Contacts[0].Language != "da" {
		t.Fatalf("languages: %+v / %+v", first.Contacts, cs[1].Contacts)
	}
	if got := cs[3]; got.Kind != "region" || len(got.Contacts) != 0 || got.Contacts == nil {
		t.Fatalf("region row with no contact: %+v", got)
	}
	for _, c := range cs {
		if err := c.Validate(); err != nil {
			t.Fatalf("%s: %v", c.CVR, err)
		}
	}
}

func TestParseAuthoritiesTestdata(t *testing.T) {
	f, err := os.Open("testdata/authorities.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	as, err := ParseAuthorities(f, "authorities.csv")
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 3 {
		t.Fatalf("got %d authorities, want 3", len(as))
	}
	if as[0].WeeklyTarget == nil || *as[0].WeeklyTarget != 5000 || as[2].WeeklyTarget != nil {
		t.Fatalf("weekly targets: %+v", as)
	}
}

func TestParseCompaniesCSV(t *testing.T) {
	tests := []struct {
		name  string
		input string
		check func(t *testing.T, cs []Company)
	}{
		{
			name:  "comma",
			input: "cvr,name,kind\n16480894,Nordisk A/S,company\n83960310,Vestjysk ApS,company\n",
			check: func(t *testing.T, cs []Company) {
				if len(cs) != 2 || cs[1].Name != "Vestjysk ApS" {
					t.Fatalf("%+v", cs)
				}
			},
		},
		{
			name:  "semicolon, with commas in a cell",
			input: "cvr;name;kind;p_numbers\n16480894;Nordisk, Emballage A/S;company;1001234567,1001234568\n",
			check: func(t *testing.T, cs []Company) {
				if len(cs) != 1 || cs[0].Name != "Nordisk, Emballage A/S" || len(cs[0].PNumbers) != 2 {
					t.Fatalf("%+v", cs)
				}
			},
		},
		{
			name:  "quoted semicolons in the header do not fool the sniffer",
			input: "\"cvr\",\"name\",kind\n16480894,\"A;B;C;D\",company\n",
			check: func(t *testing.T, cs []Company) {
				if len(cs) != 1 || cs[0].Name != "A;B;C;D" {
					t.Fatalf("%+v", cs)
				}
			},
		},
		{
			name:  "BOM, CRLF, header case and spaces",
			input: "\xEF\xBB\xBF CVR ; Name ;KIND; Contact Email;contact-name\r\n1648 0894;Nordisk A/S;Company;Mette@Example.dk;Mette\r\n",
			check: func(t *testing.T, cs []Company) {
				want := Contact{Name: "Mette", Email: "mette@example.dk", Language: "da"}
				if len(cs) != 1 || cs[0].CVR != "16480894" || cs[0].Kind != "company" || cs[0].Contacts[0] != want {
					t.Fatalf("%+v", cs)
				}
			},
		},
		{
			name:  "p-numbers separated by spaces, semicolons and commas, deduplicated",
			input: "cvr;name;kind;p_numbers\n16480894;N;company;\"1001234567 1001234568,1001234569;1001234567\"\n",
			check: func(t *testing.T, cs []Company) {
				if got := strings.Join(cs[0].PNumbers, " "); got != "1001234567 1001234568 1001234569" {
					t.Fatalf("p-numbers %q", got)
				}
			},
		},
		{
			name: "multi-row contacts merged, blank company cells taken from other rows",
			input: csvHeader +
				"16480894,Nordisk A/S,company,pilot-2012,1001234567,Mette,mette@example.dk,,da\n" +
				"83960310,Vestjysk ApS,company,,,,,,\n" +
				"16480894,,,,,Peter,peter@example.dk,+45 1234,en\n" +
				"16480894,Nordisk A/S,company,pilot-2012,1001234567,,,,\n",
			check: func(t *testing.T, cs []Company) {
				if len(cs) != 2 || cs[0].CVR != "16480894" || cs[1].CVR != "83960310" {
					t.Fatalf("%+v", cs)
				}
				c := cs[0]
				if c.Name != "Nordisk A/S" || c.Cohort != "pilot-2012" || len(c.PNumbers) != 1 || len(c.Contacts) != 2 {
					t.Fatalf("%+v", c)
				}
				if c.Contacts[1] != (Contact{Name: "Peter", Email: "peter@example.dk", Phone: "+45 1234", Language: "en"}) {
					t.Fatalf("%+v", c.Contacts[1])
				}
			},
		},
		{
			name:  "blank lines and missing trailing cells",
			input: "cvr,name,kind,cohort\n\n16480894,Nordisk A/S,company\n,,,\n   \n",
			check: func(t *testing.T, cs []Company) {
				if len(cs) != 1 || cs[0].Cohort != "" {
					t.Fatalf("%+v", cs)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := ParseCompanies(strings.NewReader(tt.input), "companies.csv")
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				if err := c.Validate(); err != nil {
					t.Fatalf("returned company does not validate: %v", err)
				}
			}
			tt.check(t, cs)
		})
	}
}

func TestParseCompaniesErrors(t *testing.T) {
	tests := []struct {
		name     string
		filename string
		input    string
		row      int
		column   string
		msg      string
	}{
		{"unsupported extension", "companies.xls", csvHeader, 0, "", `unsupported file type ".xls"; accepted: .csv, .xlsx`},
		{"no extension", "companies", csvHeader, 0, "", "accepted: .csv, .xlsx"},
		{"empty file", "companies.csv", "", 0, "", "no data rows"},
		{"header only", "companies.csv", csvHeader, 0, "", "no data rows"},
		{"header and blank rows", "companies.csv", csvHeader + ",,,\n\n", 0, "", "no data rows"},
		{"unknown column", "companies.csv", "cvr,name,kind,cohrt\n16480894,N,company,x\n", 1, "cohrt", "unknown column"},
		{"missing column", "companies.csv", "cvr,name\n16480894,N\n", 1, "kind", "required column is missing"},
		{"duplicate column", "companies.csv", "cvr,name,kind,Name\n16480894,N,company,M\n", 1, "Name", "column appears twice (also column B)"},
		{"value without header", "companies.csv", "cvr,name,kind\n16480894,N,company,oops\n", 2, "D", "no header"},
		{"bad checksum", "companies.csv", "cvr,name,kind\n16480894,N,company\n16480895,M,company\n", 3, "cvr", "fails the modulus-11 check"},
		{"short cvr", "companies.csv", "cvr,name,kind\n1648089,N,company\n", 2, "cvr", "must be 8 digits"},
		{"missing cvr", "companies.csv", "cvr,name,kind\n,N,company\n", 2, "cvr", "is required"},
		{"bad kind", "companies.csv", "cvr,name,kind\n16480894,N,authority\n", 2, "kind", "must be one of company, municipality, region, state_institution"},
		{"bad p-number", "companies.csv", "cvr,name,kind,p_numbers\n16480894,N,company,1001234567;123\n", 2, "p_numbers", `P-number "123" must be 10 digits`},
		{"bad email", "companies.csv", csvHeader + "16480894,N,company,,,Mette,mette(at)example.dk,,\n", 2, "contact_email", "valid e-mail"},
		{"language only", "companies.csv", csvHeader + "16480894,N,company,,,,,,en\n", 2, "contact_name", "is required"},
		{"bad language", "companies.csv", csvHeader + "16480894,N,company,,,M,m@example.dk,,fr\n", 2, "contact_language", "must be one of da, en"},
		{"bad phone", "companies.csv", csvHeader + "16480894,N,company,,,M,m@example.dk,12/34,\n", 2, "contact_phone", "only digits"},
		{"conflicting name", "companies.csv", "cvr,name,kind\n16480894,Nordisk,company\n16480894,Nordic,company\n", 3, "name", `"Nordic" differs from "Nordisk" in row 2`},
		{"conflicting kind", "companies.csv", "cvr,name,kind\n16480894,N,company\n16480894,N,region\n", 3, "kind", "differs"},
		{"conflicting cohort", "companies.csv", "cvr,name,kind,cohort\n16480894,N,company,a\n83960310,M,company,\n16480894,N,company,b\n", 4, "cohort", "in row 2"},
		{"conflicting p-numbers", "companies.csv", "cvr,name,kind,p_numbers\n16480894,N,company,1001234567\n16480894,N,company,1001234568\n", 3, "p_numbers", "differs"},
		{"duplicate contact", "companies.csv", csvHeader + "16480894,N,company,,,A,a@example.dk,,\n16480894,N,company,,,B,A@example.dk,,\n", 3, "contact_email", "already a contact of this company in row 2"},
		{"p-number under two CVRs", "companies.csv", "cvr,name,kind,p_numbers\n16480894,N,company,1001234567\n83960310,M,company,1001234567\n", 3, "p_numbers", "also listed for CVR 16480894 in row 2"},
		{"long cell", "companies.csv", "cvr,name,kind,cohort\n16480894,N,company," + strings.Repeat("x", 1001) + "\n", 2, "cohort", "longer than 1000 characters"},
		{"not UTF-8", "companies.csv", "cvr;name;kind\n16480894;S\xf8nderborg;company\n", 2, "name", "not valid UTF-8"},
		{"unclosed quote", "companies.csv", "cvr,name,kind\n16480894,\"N,company\n", 2, "", "quoted cell is not closed"},
		{"bare quote", "companies.csv", "cvr,name,kind\n16480894,N \"x\",company\n", 2, "", `a " inside a cell`},
		{"xlsx named csv", "companies.csv", "PK\x03\x04rest", 0, "", "name it .xlsx"},
		{"rows counted like a spreadsheet", "companies.csv", "cvr,name,kind\n\n16480894,\"two\nlines\",company\n\n83960311,M,company\n", 5, "cvr", "fails the modulus-11 check"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cs, err := ParseCompanies(strings.NewReader(tt.input), tt.filename)
			if err == nil {
				t.Fatalf("no error; got %+v", cs)
			}
			if cs != nil {
				t.Fatalf("partial result %+v with error", cs)
			}
			errs := importErrs(t, err)
			if !hasImportError(errs, tt.row, tt.column, tt.msg) {
				t.Fatalf("want an error at row %d, column %q containing %q; got %v", tt.row, tt.column, tt.msg, err)
			}
			for _, e := range errs {
				if e.File != tt.filename {
					t.Fatalf("error %v does not name the file %q", e, tt.filename)
				}
			}
		})
	}
}

func TestParseCompaniesOneBadRow(t *testing.T) {
	input := csvHeader +
		"16480894,Nordisk A/S,company,pilot-2012,1001234567,Mette,mette@example.dk,,da\n" +
		"83960311,Vestjysk ApS,company,pilot-2012,,Anna,anna@example.dk,,da\n" +
		"66978001,Eksempel Kommune,municipality,pilot-2012,,Jens,jens@example.dk,,da\n"
	cs, err := ParseCompanies(strings.NewReader(input), "companies.csv")
	if cs != nil {
		t.Fatalf("got a partial result: %+v", cs)
	}
	want := "companies.csv: row 3, column cvr: fails the modulus-11 check"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
	errs := importErrs(t, err)
	if len(errs) != 1 || errs[0].File != "companies.csv" || errs[0].Row != 3 || errs[0].Column != "cvr" || errs[0].Message.String() != "fails the modulus-11 check" {
		t.Fatalf("errors = %#v", errs)
	}
}

func TestParseCompaniesReportsAllErrorsInOrder(t *testing.T) {
	input := "cvr,name,kind,contact_email\n" +
		"1648089x,,alien,\n" +
		"16480894,N,company,not-an-address\n"
	_, err := ParseCompanies(strings.NewReader(input), "c.csv")
	errs := importErrs(t, err)
	var got []string
	for _, e := range errs {
		got = append(got, fmt.Sprintf("%d/%s", e.Row, e.Column))
	}
	// Row 3's contact has an e-mail but no name: the name error is on the
	// contact_name column, which the file does not have.
	want := "2/cvr 2/name 2/kind 3/contact_name 3/contact_email"
	if strings.Join(got, " ") != want {
		t.Fatalf("errors %v, want %s; %v", got, want, err)
	}
}

func TestParseLimits(t *testing.T) {
	t.Run("too many rows", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("cvr,name,kind\n")
		for range MaxImportRows + 1 {
			b.WriteString("16480894,N,company\n")
		}
		_, err := ParseCompanies(strings.NewReader(b.String()), "c.csv")
		if err == nil || !strings.Contains(err.Error(), "more than 100000 data rows") {
			t.Fatalf("error = %v", err)
		}
	})
	t.Run("exactly the row limit", func(t *testing.T) {
		var b strings.Builder
		b.WriteString("cvr,name,kind\n")
		for range MaxImportRows {
			b.WriteString("16480894,N,company\n")
		}
		cs, err := ParseCompanies(strings.NewReader(b.String()), "c.csv")
		if err != nil || len(cs) != 1 {
			t.Fatalf("error = %v, %d companies", err, len(cs))
		}
	})
	t.Run("too large", func(t *testing.T) {
		big := "cvr,name,kind\n16480894,N,company\n" + strings.Repeat(" ", MaxImportBytes)
		_, err := ParseCompanies(strings.NewReader(big), "c.csv")
		if err == nil || !strings.Contains(err.Error(), "c.csv: the file is larger than 10 MB") {
			t.Fatalf("error = %v", err)
		}
	})
}

// writeXLSX writes rows (header first) to the first sheet of a new workbook
// in a temporary directory and returns its path.
func writeXLSX(t *testing.T, sheet string, rows [][]any) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "Sheet1" {
		if err := f.SetSheetName("Sheet1", sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, row := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	// A second sheet that must be ignored.
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Notes", "A1", "not an import"); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "companies.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestParseCompaniesXLSX(t *testing.T) {
	path := writeXLSX(t, "Virksomheder", [][]any{
		{"CVR", "Name", "Kind", "Cohort", "P_Numbers", "Contact_Name", "Contact_Email", "Contact_Phone", "Contact_Language"},
		{16480894, "Nordisk Emballage A/S", "company", "pilot-2012", 1001234567, "Mette Jensen", "mette@example.dk", "+45 12 34 56 78", "da"},
		{"16480894", "Nordisk Emballage A/S", "company", "pilot-2012", "1001234567", "Peter Holm", "peter@example.dk", nil, "EN"},
		{}, // blank row
		{83960310, "Vestjysk Transport ApS", "company", nil, nil, nil, nil, nil, nil},
	})
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cs, err := ParseCompanies(f, "Companies.XLSX")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 {
		t.Fatalf("got %+v", cs)
	}
	c := cs[0]
	if c.CVR != "16480894" || len(c.PNumbers) != 1 || c.PNumbers[0] != "1001234567" || len(c.Contacts) != 2 || c.Contacts[1].Language != "en" {
		t.Fatalf("got %+v", c)
	}
	if cs[1].CVR != "83960310" || len(cs[1].Contacts) != 0 {
		t.Fatalf("got %+v", cs[1])
	}
}

func TestParseXLSXErrors(t *testing.T) {
	path := writeXLSX(t, "Sheet1", [][]any{
		{"cvr", "name", "kind"},
		{16480894, "N", "company"},
		{},
		{16480895, "M", "company"},
	})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ParseCompanies(bytes.NewReader(data), "c.xlsx")
	if err == nil || err.Error() != "c.xlsx: row 4, column cvr: fails the modulus-11 check" {
		t.Fatalf("error = %v", err)
	}

	_, err = ParseCompanies(strings.NewReader("cvr,name,kind\n"), "c.xlsx")
	if err == nil || !strings.Contains(err.Error(), "c.xlsx: cannot read the XLSX file") {
		t.Fatalf("error = %v", err)
	}
}

func TestParseAuthorities(t *testing.T) {
	t.Run("valid", func(t *testing.T) {
		in := "CVR;Name;Kind;Weekly_Target\n48646352;Styrelsen;State;0\n66978001; Eksempel Kommune ;municipality; 250 \n"
		as, err := ParseAuthorities(strings.NewReader(in), "authorities.csv")
		if err != nil {
			t.Fatal(err)
		}
		if len(as) != 2 || *as[0].WeeklyTarget != 0 || *as[1].WeeklyTarget != 250 || as[1].Name != "Eksempel Kommune" || as[0].Kind != "state" {
			t.Fatalf("%+v", as)
		}
	})
	t.Run("without weekly_target column", func(t *testing.T) {
		as, err := ParseAuthorities(strings.NewReader("cvr,name,kind\n48646352,S,state\n"), "a.csv")
		if err != nil || len(as) != 1 || as[0].WeeklyTarget != nil {
			t.Fatalf("%+v, %v", as, err)
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		path := writeXLSX(t, "Sheet1", [][]any{{"cvr", "name", "kind", "weekly_target"}, {48646352, "S", "state", 100}})
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		as, err := ParseAuthorities(f, "a.xlsx")
		if err != nil || len(as) != 1 || *as[0].WeeklyTarget != 100 {
			t.Fatalf("%+v, %v", as, err)
		}
	})

	errTests := []struct {
		name   string
		input  string
		row    int
		column string
		msg    string
	}{
		{"negative target", "cvr,name,kind,weekly_target\n48646352,S,state,-5\n", 2, "weekly_target", "must not be negative"},
		{"fractional target", "cvr,name,kind,weekly_target\n48646352,S,state,2.5\n", 2, "weekly_target", "whole number"},
		{"text target", "cvr,name,kind,weekly_target\n48646352,S,state,many\n", 2, "weekly_target", "whole number"},
		{"duplicate cvr", "cvr,name,kind\n48646352,S,state\n66978001,K,municipality\n4864 6352,T,state\n", 4, "cvr", "duplicate CVR 48646352: also in row 2"},
		{"company kind", "cvr,name,kind\n48646352,S,company\n", 2, "kind", "must be one of state, municipality, region"},
		{"bad cvr", "cvr,name,kind\n4864635,S,state\n", 2, "cvr", "must be 8 digits"},
		{"unknown column", "cvr,name,kind,target\n48646352,S,state,1\n", 1, "target", "unknown column; accepted columns: cvr, name, kind, weekly_target"},
		{"missing column", "cvr,kind\n48646352,state\n", 1, "name", "required column is missing"},
		{"header only", "cvr,name,kind\n", 0, "", "no data rows"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			as, err := ParseAuthorities(strings.NewReader(tt.input), "authorities.csv")
			if as != nil || err == nil {
				t.Fatalf("got %+v, %v", as, err)
			}
			if errs := importErrs(t, err); !hasImportError(errs, tt.row, tt.column, tt.msg) {
				t.Fatalf("want an error at row %d, column %q containing %q; got %v", tt.row, tt.column, tt.msg, err)
			}
		})
	}
}

func FuzzParseCompanies(f *testing.F) {
	for _, name := range []string{"testdata/companies.csv", "testdata/authorities.csv"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
	}
	f.Add([]byte(csvHeader+"16480894,N,company,,,M,m@example.dk,,\n16480894,,,,,P,p@example.dk,,en\n"), false)
	f.Add([]byte("\xEF\xBB\xBFcvr;name;kind\n\"1648 0894\";\"a\nb\";company\n"), false)
	f.Add([]byte("cvr,name,kind\n,,\n16480894,\"x\"\"y\",company,extra\n"), false)
	xf := excelize.NewFile()
	_ = xf.SetSheetRow("Sheet1", "A1", &[]any{"cvr", "name", "kind"})
	_ = xf.SetSheetRow("Sheet1", "A2", &[]any{16480894, "N", "company"})
	var buf bytes.Buffer
	if _, err := xf.WriteTo(&buf); err != nil {
		f.Fatal(err)
	}
	xf.Close()
	f.Add(buf.Bytes(), true)

	f.Fuzz(func(t *testing.T, data []byte, xlsx bool) {
		name := "fuzz.csv"
		if xlsx {
			name = "fuzz.xlsx"
		}
		cs, err := ParseCompanies(bytes.NewReader(data), name)
		if err != nil {
			if cs != nil {
				t.Fatalf("partial result with error %v", err)
			}
			var ies ImportErrors
			if !errors.As(err, &ies) || len(ies) == 0 {
				t.Fatalf("error %T is not a non-empty ImportErrors", err)
			}
			return
		}
		if len(cs) == 0 {
			t.Fatal("no error and no companies")
		}
		seen := map[string]bool{}
		for _, c := range cs {
			if err := c.Validate(); err != nil {
				t.Fatalf("returned company %+v does not validate: %v", c, err)
			}
			if seen[c.CVR] {
				t.Fatalf("CVR %s returned twice", c.CVR)
			}
			seen[c.CVR] = true
		}
	})
}
