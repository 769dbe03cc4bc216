package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// run runs a command of the CLI on the env's data.
func (e demoEnv) run(args ...string) cliResult {
	var out, errb bytes.Buffer
	err := run(context.Background(), args, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: e.getenv})
	return cliResult{exitCode(err, &errb), out.String(), errb.String()}
}

// report authority and report legal-notice write their workbooks from the
// demo pilot: the authority's messages per week as the generator sent
// them; bad usage is exit 2 and a failed report leaves no file.
func TestCLIReports(t *testing.T) {
	e := newDemoEnv(t)
	if r := e.demo("--weeks", "2"); r.code != 0 {
		t.Fatalf("demo: %+v", r)
	}
	demo := demofeed.DemoEvents(1, 30, 2)
	authority := demo.Authorities[0].CVR
	perWeek := map[string]int{}
	for _, ev := range demo.Events {
		if ev.Type == event.TypeMessageSent && ev.AuthorityCVR == authority {
			at, err := time.Parse(time.RFC3339, ev.OccurredAt)
			if err != nil {
				t.Fatal(err)
			}
			perWeek[week.Of(at).String()]++
		}
	}
	if perWeek["2012-W45"]+perWeek["2012-W46"] == 0 {
		t.Fatalf("the demo's first authority sends nothing: %v", perWeek)
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "authority.xlsx")
	r := e.run("report", "authority", "--authority", authority, "--from", "2012-W45", "--to", "2012-W46", "--lang", "en", "-o", out)
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+out) {
		t.Fatalf("report authority: %+v", r)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Weeks", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"2012-W45", fmt.Sprint(perWeek["2012-W45"])}, {"2012-W46", fmt.Sprint(perWeek["2012-W46"])}, {"Total", fmt.Sprint(perWeek["2012-W45"] + perWeek["2012-W46"])}}
	if len(rows) != 4 {
		t.Fatalf("weeks: %q", rows)
	}
	for i, w := range want {
		if rows[i+1][0] != w[0] || rows[i+1][2] != w[1] {
			t.Errorf("row %d: %q, want %s with %s messages", i+2, rows[i+1], w[0], w[1])
		}
	}

	list := filepath.Join(dir, "legal-notice.xlsx")
	if r := e.run("report", "legal-notice", "--since", "2012-11-19", "--to", "2012-W46", "-o", list); r.code != 0 {
		t.Fatalf("report legal-notice: %+v", r)
	}
	g, err := excelize.OpenFile(list)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if header, _ := g.GetRows("Brevfletning"); len(header) < 2 || strings.Join(header[0], ",") != "Deltager,CVR,Kontaktperson,E-mail,Sprog,Sidste login,Dage siden" {
		t.Errorf("legal-notice list: %q", header)
	}

	for _, args := range [][]string{
		{"report"}, {"report", "weekly-typo"}, {"report", "authority", "-o", out},
		{"report", "authority", "--authority", authority, "--from", "2012-W99", "-o", out},
		{"report", "authority", "--authority", authority, "--lang", "de", "-o", out},
		{"report", "authority", "--authority", authority},
		{"report", "legal-notice", "-o", list, "extra"},
	} {
		if r := e.run(args...); r.code != 2 {
			t.Errorf("%q: exit %d, want 2: %+v", args, r.code, r)
		}
	}
	bad := filepath.Join(dir, "bad.xlsx")
	if r := e.run("report", "authority", "--authority", "12345678", "-o", bad); r.code != 1 {
		t.Errorf("a CVR failing modulus 11: %+v", r)
	}
	if r := e.run("report", "legal-notice", "--kind", "nonsense", "-o", bad); r.code != 1 {
		t.Errorf("a bad kind: %+v", r)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Errorf("failed reports left files: %v", entries)
	}
}
