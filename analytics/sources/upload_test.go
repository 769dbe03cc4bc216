package sources_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// uploadEvents posts an events file for a source as the sources page's form does.
func uploadEvents(c *apptest.Client, source int64, name string, content []byte) apptest.Response {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField("_csrf", c.CSRF)
	w.WriteField("source", strconv.FormatInt(source, 10))
	fw, _ := w.CreateFormFile("file", name)
	fw.Write(content)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, "/sources/upload", &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return c.Do(req)
}

// ndjson is n demo events as NDJSON.
func ndjson(t *testing.T, n int) []byte {
	t.Helper()
	events := demofeed.DemoEvents(4, 30, 20).Events
	if len(events) < n {
		t.Fatalf("the demo has %d events, want %d", len(events), n)
	}
	return sources.NDJSONOf(t, events[:n])
}

// An admin uploads events files on the sources page: stored exactly once
// in chunks (a second upload finds duplicates), each rejected line listed
// by number in the reader's language, audited; others may not upload.
func TestUploadEventsOnTheSourcesPage(t *testing.T) {
	env := apptest.New(t)
	admin := env.As(auth.RoleAdmin, "")
	env.SourceToken("mailbox")
	src, err := env.App.Sources.ByName(t.Context(), "mailbox")
	if err != nil {
		t.Fatal(err)
	}
	if page := admin.Get("/sources"); !strings.Contains(page.Body, `action="/sources/upload"`) || !strings.Contains(page.Body, `/static/upload.js`) {
		t.Fatalf("no upload form: %s", page.Body)
	}
	n := sources.UploadChunk + 17 // two chunks
	good := ndjson(t, n)
	body := append(append([]byte{}, good[:bytes.IndexByte(good, '\n')+1]...), []byte("{\"event_id\": \"x\", \"occurred_at\": \"yesterday\"}\n")...)
	body = append(body, good[bytes.IndexByte(good, '\n')+1:]...)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(body)
	zw.Close()

	r := uploadEvents(admin, src.ID, "export.ndjson.gz", gz.Bytes())
	if r.StatusCode != 200 || !strings.Contains(r.Body, `id="upload-accepted">`+formatDa(n)+`<`) || !strings.Contains(r.Body, `id="upload-rejected">1<`) ||
		!strings.Contains(r.Body, "Linje 2: occurred_at") {
		t.Fatalf("first upload: %d %s", r.StatusCode, r.Body)
	}
	r = uploadEvents(admin, src.ID, "again.ndjson", body)
	if r.StatusCode != 200 || !strings.Contains(r.Body, `id="upload-accepted">0<`) || !strings.Contains(r.Body, `id="upload-duplicates">`+formatDa(n)+`<`) {
		t.Fatalf("second upload: %d %s", r.StatusCode, r.Body)
	}
	if err := env.App.Ingester.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	var stored uint64
	if err := env.App.CH.QueryRow(context.Background(), `SELECT count() FROM events WHERE source = 'mailbox'`).Scan(&stored); err != nil || stored != uint64(n) {
		t.Errorf("ClickHouse holds %d events of the source, want %d (%v)", stored, n, err)
	}

	if r := uploadEvents(admin, src.ID, "notes.txt", []byte("x")); r.StatusCode != 400 || !strings.Contains(r.Body, "notes.txt er ikke en hændelsesfil") {
		t.Errorf("a file that is no events file: %d %s", r.StatusCode, r.Body)
	}
	if r := uploadEvents(admin, 999, "a.ndjson", good); r.StatusCode != 400 || !strings.Contains(r.Body, "Kilden findes ikke") {
		t.Errorf("a missing source: %d", r.StatusCode)
	}
	for _, role := range []auth.Role{auth.RoleSupport, auth.RoleManager} {
		if r := uploadEvents(env.As(role, ""), src.ID, "a.ndjson", good); r.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d", role, r.StatusCode)
		}
	}
	entries, err := env.App.Audit.List(t.Context(), audit.Filter{Action: audit.Import})
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range entries {
		details = append(details, e.Target+" "+e.Detail)
	}
	all := strings.Join(details, "\n")
	if !strings.Contains(all, "events export.ndjson.gz source=mailbox accepted="+strconv.Itoa(n)+" duplicates=0 rejected=1") ||
		!strings.Contains(all, "events again.ndjson source=mailbox accepted=0 duplicates="+strconv.Itoa(n)) {
		t.Errorf("audit: %s", all)
	}
}

// formatDa writes a count as a Danish page does (10.017).
func formatDa(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "." + s[i:]
	}
	return s
}
