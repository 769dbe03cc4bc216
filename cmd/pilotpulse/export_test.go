package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// pilotpulse export writes the file synchronously (answers and calls need
// no ClickHouse); bad usage exits 2 naming the flag.
func TestCLIExport(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "calls.xlsx")
	r := runCLI(t, dir, "", "export", "calls", "--from", "2012-W40", "--to", "2012-W46", "--lang", "en", "-o", out)
	if r.code != 0 || !strings.Contains(r.stdout, "0 rows") {
		t.Fatalf("export calls: %+v", r)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Support calls")
	f.Close()
	if len(rows) != 1 || rows[0][0] != "Call no." {
		t.Errorf("the file's rows: %q", rows)
	}
	if _, err := os.Stat(out + ".part"); !os.IsNotExist(err) {
		t.Errorf("the .part file is left: %v", err)
	}
	for _, bad := range [][]string{
		{"export", "answers", "--from", "2012-W46", "--to", "2012-W40", "-o", filepath.Join(dir, "a.csv")},
		{"export", "answers", "--from", "2012-W40", "--to", "2012-W46", "-o", filepath.Join(dir, "a.pdf")},
		{"export", "calls", "--from", "2012-W40", "--to", "2012-W46", "--authority", "12345678", "-o", filepath.Join(dir, "a.csv")},
	} {
		if r := runCLI(t, dir, "", bad...); r.code != 2 {
			t.Errorf("%q: exit %d, want 2: %s", bad, r.code, r.stderr)
		}
	}
}
