package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// sheetRows reads every sheet of a workbook: raw cell values by sheet.
func sheetRows(t *testing.T, raw []byte) map[string][][]string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not a workbook: %v", err)
	}
	defer f.Close()
	out := map[string][][]string{}
	for _, name := range f.GetSheetList() {
		if out[name], err = f.GetRows(name, excelize.Options{RawCellValue: true}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// `report weekly` writes the weekly workbook of the demo pilot's newest
// week (the default) or of the week asked for, in Danish or English: the
// same sheets as the dashboards' Reader (behind the route) writes for a
// manager; it is audited; bad flags are usage errors.
func TestReportWeekly(t *testing.T) {
	e := newDemoEnv(t)
	if r := e.demo("--weeks", "3"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	run := func(args ...string) cliResult {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"report", "weekly"}, args...), env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: e.getenv})
		return cliResult{exitCode(err, &errb), out.String(), errb.String()}
	}
	path := filepath.Join(e.dir, "uge.xlsx")
	r := run("-o", path)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+path+" (week ") {
		t.Fatalf("report weekly: %+v", r)
	}
	latest := r.stdout[strings.Index(r.stdout, "(week ")+len("(week ") : strings.Index(r.stdout, ", language")]
	enPath := filepath.Join(e.dir, "week.xlsx")
	if r := run("--week", latest, "--lang", "en", "-o", enPath); r.code != 0 {
		t.Fatalf("report weekly --lang en: %+v", r)
	}
	for _, bad := range [][]string{{"--week", "2012-W99", "-o", path}, {"--lang", "de", "-o", path}, {}, {"-o", path, "extra"}} {
		if r := run(bad...); r.code != 2 {
			t.Errorf("report weekly %q: exit %d, want 2 (%s)", bad, r.code, r.stderr)
		}
	}

	a := e.open(t)
	reader := dashboards.NewReader(a.DashboardDeps())
	for _, c := range []struct{ path, lang string }{{path, "da"}, {enPath, "en"}} {
		raw, err := os.ReadFile(c.path)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if _, err := reader.WeeklyWorkbook(context.Background(), &auth.Principal{Role: auth.RoleManager}, week.MustParse(latest), c.lang, &want); err != nil {
			t.Fatal(err)
		}
		got, exp := sheetRows(t, raw), sheetRows(t, want.Bytes())
		if len(got) != 9 || fmt.Sprint(got) != fmt.Sprint(exp) {
			t.Errorf("%s: the CLI's workbook differs from the Reader's: %d sheets", c.lang, len(got))
		}
		if c.lang == "en" && got["Summary"][0][1] != "Week "+latest {
			t.Errorf("English header %q", got["Summary"][0])
		}
		if c.lang == "da" && len(got["Oversigt"]) < 5 {
			t.Errorf("the summary is nearly empty: %q", got["Oversigt"])
		}
	}
	entries, err := a.Audit.List(context.Background(), audit.Filter{Action: audit.Export})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, en := range entries {
		if en.Target == "weekly workbook" && en.Actor == "system (cli)" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d CLI exports audited, want 2", n)
	}
}
