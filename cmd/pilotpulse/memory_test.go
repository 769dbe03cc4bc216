package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/tabular/tabulartest"
)

// MemoryDistinctEnv makes TestServeMemoryUnderHostileRequests push distinct
// events (every one stored: millions of events, a minute or more; `make
// bench` sets it) instead of one event over and over (stored once, the
// rest duplicates: the same decoding, in seconds).
const MemoryDistinctEnv = "PILOTPULSE_MEMORY_DISTINCT"

// procMB reads a field (VmRSS, VmHWM) of /proc/PID/status in MiB.
func procMB(t *testing.T, pid int, field string) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc/%d/status: %v", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, line)
			}
			return kb >> 10
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// lastLine is the last line of a CLI's output (a token).
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// TestServeMemoryUnderHostileRequests runs the real server and sends it,
// a wave at a time, 8 parallel pushes expanding past the 64 MiB limit, 8
// parallel zip-bomb XLSX imports and 16 parallel 31 MB bodies without
// credentials (issue 13, "Done means"). Each wave must keep the serve
// process's peak resident size within 300 MB of what it was before the
// wave, and every request must get a clear answer.
func TestServeMemoryUnderHostileRequests(t *testing.T) {
	requireClickHouse(t)
	dataDir := t.TempDir()
	if r := runCLI(t, dataDir, "a-good-long-password\n", "user", "add", "--email", "mem@example.dk", "--role", "admin"); r.code != 0 {
		t.Fatalf("user add: %+v", r)
	}
	admin := lastLine(runCLI(t, dataDir, "", "token", "create", "--user", "mem@example.dk").stdout)
	pushers := make([]string, 8)
	for i := range pushers {
		pushers[i] = lastLine(runCLI(t, dataDir, "", "token", "create", "--source", fmt.Sprintf("hostile-%d", i)).stdout)
	}
	s := startServe(t, buildBinary(t), dataDir)
	pid := s.cmd.Process.Pid
	base := "http://" + s.addr

	// wave runs n requests at once and returns how far the peak resident
	// size rose above the resident size before them.
	wave := func(name string, n int, send func(i int) (status int, body string, err error), ok func(status int, body string) bool) {
		t.Helper()
		before := procMB(t, pid, "VmRSS")
		if err := os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0); err != nil { // the peak starts again from now
			t.Logf("cannot reset the peak resident size (%v): the growth is measured against the peak since start", err)
		}
		type answer struct {
			status int
			body   string
			err    error
		}
		answers := make([]answer, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				st, b, err := send(i)
				answers[i] = answer{st, b, err}
			})
		}
		wg.Wait()
		peak := procMB(t, pid, "VmHWM")
		for i, a := range answers {
			if a.err != nil || !ok(a.status, a.body) {
				t.Errorf("%s %d: %d %.300s %v", name, i, a.status, a.body, a.err)
			}
		}
		t.Logf("memory: %d parallel %s: serve's peak resident size %d MB, %d MB above the %d MB before (goal < 300 MB)", n, name, peak, peak-before, before)
		if peak-before >= 300 {
			t.Errorf("%d parallel %s grew the peak resident size by %d MB (from %d MB), want under 300 MB", n, name, peak-before, before)
		}
	}
	do := func(req *http.Request) (int, string, error) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b), err
	}
	clearError := func(body string) bool {
		var e struct{ Error string }
		return json.Unmarshal([]byte(body), &e) == nil && e.Error != ""
	}

	// Pushes: a gzip body of valid events expanding past the limit.
	distinct := os.Getenv(MemoryDistinctEnv) == "1"
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestSpeed)
	bw := bufio.NewWriterSize(zw, 1<<20)
	for i, n := 0, 0; n <= sources.MaxDecompressedBytes; i++ {
		id := "same"
		if distinct {
			id = strconv.Itoa(i)
		}
		k, _ := fmt.Fprintf(bw, `{"event_id":"e-%s","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}`+"\n", id)
		n += k
	}
	bw.Flush()
	zw.Close()
	t.Logf("push body: %d KB of gzip (distinct events: %v)", gz.Len()>>10, distinct)
	wave("pushes expanding past 64 MiB", len(pushers), func(i int) (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/events", bytes.NewReader(gz.Bytes()))
		req.Header.Set("Authorization", "Bearer "+pushers[i])
		req.Header.Set("Content-Type", "application/x-ndjson")
		req.Header.Set("Content-Encoding", "gzip")
		return do(req)
	}, func(status int, body string) bool {
		// 413, saying what was stored before the limit: every line before
		// the one it stopped at. (An overloaded ledger may make a part wait
		// too long: 503, saying what was stored before that part.)
		var got sources.PushStopped
		return (status == http.StatusRequestEntityTooLarge || status == http.StatusServiceUnavailable) &&
			json.Unmarshal([]byte(body), &got) == nil && got.Error != "" &&
			got.Accepted+got.Duplicates > 0 && got.StoppedAtLine == got.Accepted+got.Duplicates+1
	})

	// XLSX imports whose sheets unpack to hundreds of MB.
	files := tabulartest.HostileFiles([]string{"cvr", "name", "kind"})
	var names []string
	for name := range files {
		if strings.HasSuffix(name, ".xlsx") {
			names = append(names, name)
		}
	}
	wave("hostile XLSX imports", 8, func(i int) (int, string, error) {
		name := names[i%len(names)]
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(files[name])
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/companies/import", &body)
		req.Header.Set("Authorization", "Bearer "+admin)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return do(req)
	}, func(status int, body string) bool {
		return (status == http.StatusBadRequest || status == http.StatusTooManyRequests) && clearError(body)
	})

	// Large bodies without credentials, to a public and a role-bound route.
	large := bytes.Repeat([]byte("x"), 31<<20)
	wave("31 MB bodies without credentials", 16, func(i int) (int, string, error) {
		req, _ := http.NewRequest(http.MethodPost, base+[]string{"/healthz", "/api/v1/companies"}[i%2], bytes.NewReader(large))
		req.Header.Set("Content-Type", "application/json")
		return do(req)
	}, func(status int, body string) bool {
		return status == http.StatusRequestEntityTooLarge && clearError(body)
	})
}
