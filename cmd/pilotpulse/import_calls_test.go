package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLIImportCalls(t *testing.T) {
	dir := t.TempDir()
	companies, _ := filepath.Abs("../../registry/testdata/companies.csv")
	if r := runCLI(t, dir, "", "import", "companies", companies); r.code != 0 {
		t.Fatalf("import companies: %+v", r)
	}
	good := filepath.Join(dir, "calls.csv")
	os.WriteFile(good, []byte("company;caller_name;received_at;desk;channel;category;description;resolution\n"+
		"16480894;Anna;2026-11-10 09:15;portal;phone;other;Kan ikke logge ind;resolved\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("company;caller_name;received_at;desk;channel;category;description;resolution\n"+
		"16480894;Bo;2026-11-10 10:15;portal;phone;printer;x;resolved\n"), 0o600)

	r := runCLI(t, dir, "", "import", "calls", good)
	if r.code != 0 || !strings.Contains(r.stdout, "1 calls created, 0 already imported") {
		t.Fatalf("import calls: %+v", r)
	}
	if r = runCLI(t, dir, "", "import", "calls", good); r.code != 0 || !strings.Contains(r.stdout, "0 calls created, 1 already imported") {
		t.Fatalf("import calls again: %+v", r)
	}
	r = runCLI(t, dir, "", "import", "calls", bad)
	if r.code != 1 || !strings.Contains(r.stderr, "bad.csv: row 2, column category: unknown category") {
		t.Fatalf("bad file: %+v", r)
	}
	if r = runCLI(t, dir, "", "import", "calls"); r.code != 2 {
		t.Fatalf("no file: %+v", r)
	}
}
