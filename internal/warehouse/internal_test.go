package warehouse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFindServerBinaryNoneFound(t *testing.T) {
	empty := t.TempDir()
	_, err := findServerBinaryIn(empty+string(os.PathListSeparator)+"", []string{filepath.Join(empty, "nope")})
	if err == nil {
		t.Fatal("found a server binary in an empty directory")
	}
	want := "no clickhouse-server found: install it with `apt-get install clickhouse-server` or point PILOTPULSE_CLICKHOUSE_DSN at a server (`docker compose up`)"
	if err.Error() != want {
		t.Errorf("error = %q\nwant    %q", err, want)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Error("error message is not a single line")
	}
}

func TestFindServerBinaryOrder(t *testing.T) {
	onPath, extra := t.TempDir(), t.TempDir()
	for _, d := range []string{onPath, extra} {
		if err := os.WriteFile(filepath.Join(d, ServerBinaryName), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// Not executable: must be skipped.
	notExec := t.TempDir()
	if err := os.WriteFile(filepath.Join(notExec, ServerBinaryName), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}

	got, err := findServerBinaryIn(notExec+string(os.PathListSeparator)+onPath, []string{extra})
	if err != nil || got != filepath.Join(onPath, ServerBinaryName) {
		t.Errorf("with it on PATH: got %q, %v; want the PATH one", got, err)
	}
	got, err = findServerBinaryIn(notExec, []string{extra})
	if err != nil || got != filepath.Join(extra, ServerBinaryName) {
		t.Errorf("with it only in an extra dir: got %q, %v", got, err)
	}
}

func TestSplitStatements(t *testing.T) {
	src := `-- header comment;
CREATE TABLE a (x UInt8)
ENGINE = MergeTree ORDER BY x;

-- only a comment here
;
SELECT ';' AS semi,
  1 ;   
INSERT INTO a (x) SELECT 1`
	got := splitStatements(src)
	want := []statement{
		{text: "CREATE TABLE a (x UInt8)\nENGINE = MergeTree ORDER BY x", line: 2},
		{text: "SELECT ';' AS semi,\n  1", line: 7},
		{text: "INSERT INTO a (x) SELECT 1", line: 9},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d statements %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("statement %d = %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

func TestConfigEscapesPaths(t *testing.T) {
	l := newLayout("/tmp/a&b<c>")
	cfg := string(configXML(l, 1, 2))
	if strings.Contains(cfg, "a&b<c>") || !strings.Contains(cfg, "a&amp;b&lt;c&gt;") {
		t.Errorf("paths are not XML-escaped:\n%s", cfg)
	}
	if !strings.Contains(cfg, "<yandex>") || !strings.Contains(cfg, "<listen_host>127.0.0.1</listen_host>") {
		t.Errorf("unexpected config:\n%s", cfg)
	}
}
