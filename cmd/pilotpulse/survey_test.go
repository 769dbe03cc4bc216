package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLISurvey(t *testing.T) {
	dir := t.TempDir()
	r := runCLI(t, dir, "", "survey", "export", "yaml")
	if r.code != 0 || !strings.Contains(r.stdout, "key: setup_problem") {
		t.Fatalf("export: %+v", r)
	}
	file := filepath.Join(dir, "q.yaml")
	os.WriteFile(file, []byte(strings.Replace(r.stdout, "Kommentarer", "Bemærkninger", 1)), 0o600)
	if r := runCLI(t, dir, "", "survey", "publish", file); r.code != 0 || !strings.Contains(r.stdout, "published weekly version 2") {
		t.Fatalf("publish: %+v", r)
	}
	if r := runCLI(t, dir, "", "survey", "publish", file); r.code != 0 || !strings.Contains(r.stdout, "unchanged") {
		t.Fatalf("publish again: %+v", r)
	}
	os.WriteFile(file, []byte("slug: weekly\nquestions: []\n"), 0o600)
	if r := runCLI(t, dir, "", "survey", "publish", file); r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Fatalf("bad file: want exit 1 and one line, got %+v", r)
	}
	if r := runCLI(t, dir, "", "survey", "wave", "2012-W46"); r.code != 0 || !strings.Contains(r.stdout, "wave 2012-W46: opens 2012-11-12 09:00") {
		t.Fatalf("wave: %+v", r)
	}
	if r := runCLI(t, dir, "", "survey", "wave", "2012-W46"); r.code != 1 || !strings.Contains(r.stderr, "never overwritten") {
		t.Fatalf("second wave: %+v", r)
	}
	if r := runCLI(t, dir, "", "survey", "tick"); r.code != 0 || !strings.Contains(r.stdout, `"reminders"`) {
		t.Fatalf("tick: %+v", r)
	}
	for _, args := range [][]string{{"survey"}, {"survey", "bogus"}, {"survey", "wave"}, {"survey", "export", "xml"}} {
		if r := runCLI(t, dir, "", args...); r.code != 2 {
			t.Errorf("%v: want exit 2, got %+v", args, r)
		}
	}
}
