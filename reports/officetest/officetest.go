// Package officetest opens workbooks in LibreOffice (headless), as a real
// spreadsheet program would, for the report tests: what LibreOffice shows
// is what the test checks, not only what excelize reads back. make test
// installs LibreOffice Calc (scripts/deps.sh office).
package officetest

import (
	"context"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Sheets converts the workbook at path with LibreOffice into one CSV per
// sheet (UTF-8, values as LibreOffice formats them in the en-US locale) and
// returns each sheet's rows by sheet name.
func Sheets(t testing.TB, path string) map[string][][]string {
	t.Helper()
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatalf("LibreOffice (soffice) missing: run scripts/deps.sh office (make test does): %v", err)
	}
	out, profile := t.TempDir(), t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// Filter options: separator ',' (44), quote '"' (34), UTF-8 (76), from
	// line 1, en-US (1033), cells as shown (9th token: with their number
	// formats), and -1 as the 12th token: every sheet to its own file
	// (NAME-SHEET.csv).
	cmd := exec.CommandContext(ctx, soffice, "--headless", "--norestore", "-env:UserInstallation=file://"+profile,
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1",
		"--outdir", out, path)
	cmd.Env = append(os.Environ(), "HOME="+profile)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to csv %s: %v\n%s", path, err, b)
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	files, _ := filepath.Glob(filepath.Join(out, base+"*.csv"))
	if len(files) == 0 {
		t.Fatalf("LibreOffice wrote no CSV for %s", path)
	}
	sheets := map[string][][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(b), "\ufeff")))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(f), ".csv"), base)
		sheets[strings.TrimPrefix(name, "-")] = rows
	}
	return sheets
}
