package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// filler is a request body of n bytes made as it is read, so the test
// process holds none of it.
type filler struct{ n int64 }

func (f *filler) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > f.n {
		p = p[:f.n]
	}
	for i := range p {
		p[i] = 'x'
	}
	f.n -= int64(len(p))
	return len(p), nil
}

// procStatusKB reads a field (VmRSS, VmHWM) of /proc/self/status in KiB.
func procStatusKB(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, line)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// Large bodies sent without credentials are refused before they are read
// into memory: 16 parallel 31 MB posts (with a length and chunked) to a
// public route and a role-bound API route each get a 413 in the API's error
// shape, and the process's peak resident memory grows by far less than
// the 500 MB they add up to.
func TestLargeUnauthenticatedBodiesAreNotBuffered(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	base := env.Listen()
	if r := env.Anonymous().Get("/healthz"); r.StatusCode != 200 { // warm up
		t.Fatalf("healthz %d", r.StatusCode)
	}
	runtime.GC()
	debug.FreeOSMemory()
	// Reset the peak (VmHWM) to the current resident size.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak resident size: %v", err)
	}
	before := procStatusKB(t, "VmRSS")

	const size = 31 << 20
	type result struct {
		path    string
		chunked bool
		status  int
		body    string
		err     error
	}
	results := make([]result, 16)
	var wg sync.WaitGroup
	for i := range results {
		path := []string{"/healthz", "/api/v1/companies"}[i%2]
		chunked := i%4 >= 2
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, base+path, &filler{n: size})
			req.Header.Set("Content-Type", "application/json")
			if !chunked {
				req.ContentLength = size
			}
			res := result{path: path, chunked: chunked}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				res.err = err
			} else {
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				res.status, res.body = resp.StatusCode, string(b)
			}
			results[i] = res
		})
	}
	wg.Wait()
	peak := procStatusKB(t, "VmHWM")
	for _, r := range results {
		if r.err != nil {
			t.Errorf("POST %s (chunked %v): no answer: %v", r.path, r.chunked, r.err)
			continue
		}
		var body web.ErrorBody
		if r.status != http.StatusRequestEntityTooLarge || json.Unmarshal([]byte(r.body), &body) != nil || body.Error == "" {
			t.Errorf("POST %s (chunked %v): %d %.200s, want 413 with the JSON error shape", r.path, r.chunked, r.status, r.body)
		}
	}
	t.Logf("peak resident size grew by %d MB", (peak-before)>>10)
	if grew := (peak - before) >> 10; grew > 300 {
		t.Errorf("16 large unauthenticated bodies grew the peak resident size by %d MB (from %d MB), want under 300 MB", grew, before>>10)
	}
}

// Ordinary routes take small bodies; the upload and push routes take large
// ones, but only from a caller whose role the route allows.
func TestLargeBodiesOnlyOnUploadRoutesAfterTheRoleCheck(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	base := env.Listen()
	token := env.TokenFor(env.User(auth.RoleAdmin, ""))
	big := 6 << 20 // above the ordinary limit, below the upload limit
	post := func(path, bearer string, n int, chunked bool) (int, string) {
		t.Helper()
		var body bytes.Buffer
		body.WriteString("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"firms.csv\"\r\nContent-Type: text/csv\r\n\r\n")
		body.WriteString("cvr,name,kind\n")
		body.WriteString(strings.Repeat("12345678,N,company\n", n/19))
		body.WriteString("\r\n--b--\r\n")
		req, _ := http.NewRequest(http.MethodPost, base+path, io.MultiReader(&body))
		if !chunked {
			req.ContentLength = int64(body.Len())
		}
		req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
		if bearer != "" {
			req.Header.Set("Authorization", "Bearer "+bearer)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, chunked := range []bool{false, true} {
		name := fmt.Sprintf("chunked %v", chunked)
		// An upload route reads the large file (and finds its rows wrong).
		if code, body := post("/api/v1/companies/import", token, big, chunked); code != http.StatusBadRequest || !strings.Contains(body, "firms.csv") {
			t.Errorf("%s: admin import of 6 MB: %d %.300s, want 400 about the file's rows", name, code, body)
		}
		// Without credentials the upload route answers 401, not reading the body.
		if code, _ := post("/api/v1/companies/import", "", big, chunked); code != http.StatusUnauthorized {
			t.Errorf("%s: anonymous import: %d, want 401", name, code)
		}
		// An ordinary API route refuses the same body even from an admin.
		if code, body := post("/api/v1/companies", token, big, chunked); code != http.StatusRequestEntityTooLarge || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: 6 MB to an ordinary route: %d %.300s, want 413", name, code, body)
		}
		// The upload route has its limit too.
		if code, _ := post("/api/v1/companies/import", token, 40<<20, chunked); code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: admin import of 40 MB: %d, want 413", name, code)
		}
	}
	// The HTML pages answer an over-large form with the error page.
	req, _ := http.NewRequest(http.MethodPost, base+"/login", &filler{n: 6 << 20})
	req.ContentLength = 6 << 20
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "<html") {
		t.Errorf("large sign-in form: %d %.300s, want the 413 page", resp.StatusCode, b)
	}
}
