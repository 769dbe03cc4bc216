package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCLISources(t *testing.T) {
	dir := t.TempDir()
	// The demo feed is on loopback, which feeds reach only when allowed.
	r := runCLI(t, dir, "", "source", "add", "--name", "demo-feed", "--url", "http://127.0.0.1:9900/events", "--interval", "30s", "--limit", "200")
	if r.code != 1 || !strings.Contains(r.stderr, "url: address 127.0.0.1 is a loopback address") {
		t.Fatalf("loopback feed without PILOTPULSE_FEED_ALLOW_PRIVATE: %+v", r)
	}
	r = runCLIEnv(t, map[string]string{"PILOTPULSE_DATA_DIR": dir, "PILOTPULSE_FEED_ALLOW_PRIVATE": "loopback"}, "",
		"source", "add", "--name", "demo-feed", "--url", "http://127.0.0.1:9900/events", "--interval", "30s", "--limit", "200")
	if r.code != 0 || !strings.Contains(r.stdout, `created http-feed source "demo-feed"`) {
		t.Fatalf("source add: %+v", r)
	}
	// Folders live in the import root (default DATA_DIR/import).
	if r := runCLI(t, dir, "", "source", "add", "--name", "etc", "--kind", "directory", "--dir", "/etc"); r.code != 1 || !strings.Contains(r.stderr, "directory: must be inside the import folder "+filepath.Join(dir, "import")) {
		t.Errorf("/etc: %+v", r)
	}
	exports := filepath.Join(dir, "import", "exports")
	if err := os.MkdirAll(exports, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runCLI(t, dir, "", "source", "add", "--name", "exports", "--kind", "directory", "--dir", exports, "--disabled"); r.code != 0 {
		t.Fatalf("directory source: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "add", "--name", "demo-feed", "--url", "http://x/events"); r.code != 1 || !strings.Contains(r.stderr, "already exists") {
		t.Errorf("duplicate: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "add", "--name", "x", "--url", "ftp://x"); r.code != 1 || !strings.Contains(r.stderr, "url: must be an http") {
		t.Errorf("bad url: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "add", "--name", "x", "--url", "http://x", "--interval", "soon"); r.code != 2 {
		t.Errorf("bad interval: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "add", "--url", "http://x"); r.code != 2 {
		t.Errorf("no name: %+v", r)
	}
	if r := runCLI(t, dir, "", "source"); r.code != 2 {
		t.Errorf("no subcommand: %+v", r)
	}
	r = runCLI(t, dir, "", "source", "set", "--name", "exports", "--interval", "2m", "--enabled", "true")
	if r.code != 0 || !strings.Contains(r.stdout, "interval=120s") || !strings.Contains(r.stdout, "enabled=true") {
		t.Errorf("source set: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "set", "--name", "nope", "--interval", "2m"); r.code != 1 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("set unknown: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "set", "--name", "exports", "--enabled", "maybe"); r.code != 2 {
		t.Errorf("bad --enabled: %+v", r)
	}
	if r := runCLI(t, dir, "", "source", "poll", "--name", "demo-feed"); r.code != 0 || !strings.Contains(r.stdout, "within seconds") {
		t.Errorf("source poll: %+v", r)
	}
	r = runCLI(t, dir, "", "source", "set", "--name", "exports", "--enabled", "false")
	if r.code != 0 {
		t.Errorf("disable: %+v", r)
	}
	r = runCLI(t, dir, "", "source", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "demo-feed") || !strings.Contains(r.stdout, "30s") || !strings.Contains(r.stdout, "disabled") {
		t.Fatalf("source list: %+v", r)
	}
}

func TestCLIFeed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "demo.ndjson")
	r := runCLI(t, t.TempDir(), "", "feed", "export", "--companies", "3", "--weeks", "1", "-o", out)
	if r.code != 0 {
		t.Fatalf("feed export: %+v", r)
	}
	b, _ := os.ReadFile(out)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil || first["event_id"] == "" || len(lines) < 20 {
		t.Fatalf("export: %d lines, first %v %v", len(lines), first, err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"feed", "serve", "--addr", addr, "--companies", "3", "--weeks", "1"},
			env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }})
	}()
	var resp *http.Response
	for i := 0; i < 200; i++ {
		if resp, err = http.Get("http://" + addr + "/events?limit=5"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Events  []json.RawMessage `json:"events"`
		Next    string            `json:"next"`
		HasMore bool              `json:"has_more"`
	}
	json.NewDecoder(resp.Body).Decode(&page)
	resp.Body.Close()
	if len(page.Events) != 5 || page.Next != "5" || !page.HasMore {
		t.Errorf("page: %+v", page)
	}
	if !bytes.Equal(bytes.TrimSpace(page.Events[0]), []byte(lines[0])) {
		t.Errorf("served %s, exported %s", page.Events[0], lines[0])
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("feed serve: %v (%s)", err, stderr.String())
	}
}
