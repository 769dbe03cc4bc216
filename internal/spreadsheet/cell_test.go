package spreadsheet

import "testing"

func TestCSVText(t *testing.T) {
	for in, want := range map[string]string{"=1+1": "'=1+1", "+45": "'+45", "-x": "'-x", "@SUM": "'@SUM", "\tx": "'\tx", "\rx": "'\rx",
		`=HYPERLINK("http://evil.example","klik")`: `'=HYPERLINK("http://evil.example","klik")`, "-2+3": "'-2+3",
		"ok": "ok", "": "", "1+1": "1+1", "Nordsø A/S": "Nordsø A/S"} {
		if got := CSVText(in); got != want {
			t.Errorf("CSVText(%q) = %q, want %q", in, got, want)
		}
	}
}
