package main

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportEvents runs `import events` twice on NDJSON, NDJSON.gz and CSV
// files (with a private ClickHouse the command starts in the data dir): bad
// lines are listed as FILE:LINE and make the exit status 1, good ones are
// stored once, and the second run finds only duplicates.
func TestImportEvents(t *testing.T) {
	if os.Getenv("PILOTPULSE_TEST_ALLOW_NO_CLICKHOUSE") == "1" {
		if _, err := os.Stat("/usr/bin/clickhouse-server"); err != nil {
			t.Skip("no clickhouse-server")
		}
	}
	dir := t.TempDir()
	nd := filepath.Join(dir, "a.ndjson")
	os.WriteFile(nd, []byte(`{"event_id":"1","occurred_at":"2012-11-05T10:00:00+01:00","type":"user.login","company_cvr":"10000009"}
{"event_id":"2","occurred_at":"2012-11-05T10:00:00+01:00","type":"user.login","company_cvr":"10000008"}
{"event_id":"1","occurred_at":"2012-11-05T10:00:00+01:00","type":"user.login","company_cvr":"10000009"}
`), 0o600)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"event_id":"3","occurred_at":"2012-11-05T10:00:00Z","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital"}` + "\n"))
	zw.Close()
	gzPath := filepath.Join(dir, "b.ndjson.gz")
	os.WriteFile(gzPath, gz.Bytes(), 0o600)
	csvPath := filepath.Join(dir, "c.csv")
	os.WriteFile(csvPath, []byte("event_id,occurred_at,type,company_cvr,authority_cvr,channel,has_metadata,extra\n"+
		"4,2012-11-06T10:00:00Z,message.sent,10000009,10000025,remote_print,true,x\n"+
		"5,2012-11-06T10:00:00Z,message.sent,10000009,10000025,remote_print,maybe,x\n"), 0o600)

	data := filepath.Join(dir, "data")
	r := runCLI(t, data, "", "import", "events", "--source", "legacy", nd, gzPath, csvPath)
	if r.code != 1 {
		t.Fatalf("want exit 1 (two lines rejected): %+v", r)
	}
	for _, want := range []string{nd + ":2: company_cvr: ", csvPath + ":3: has_metadata: "} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, r.stderr)
		}
	}
	for _, want := range []string{nd + ": 1 accepted, 1 duplicates, 1 rejected", gzPath + ": 1 accepted, 0 duplicates, 0 rejected",
		csvPath + ": 1 accepted, 0 duplicates, 1 rejected", "total: 3 accepted, 1 duplicates, 2 rejected"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q: %s", want, r.stdout)
		}
	}
	r = runCLI(t, data, "", "import", "events", "--source", "legacy", gzPath, csvPath)
	if r.code != 1 || !strings.Contains(r.stdout, "total: 0 accepted, 2 duplicates, 1 rejected") {
		t.Fatalf("second run: %+v", r)
	}
	r = runCLI(t, data, "", "import", "events", gzPath)
	if r.code != 0 || !strings.Contains(r.stdout, gzPath+": 1 accepted, 0 duplicates, 0 rejected") {
		t.Fatalf("default source: %+v", r)
	}
	if r := runCLI(t, data, "", "import", "events", filepath.Join(dir, "x.txt")); r.code != 2 {
		t.Fatalf("unknown file type: %+v", r)
	}
}
