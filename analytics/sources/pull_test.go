package sources

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/store"
)

// fastPull are puller options for tests: quick reloads and back-off.
var fastPull = PullOptions{Reload: 50 * time.Millisecond, HTTPTimeout: 300 * time.Millisecond,
	BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond, Settle: time.Nanosecond}

// pullEnv is an app database, a ClickHouse database and an ingester over them.
type pullEnv struct {
	db      *store.DB
	ing     *ingest.Ingester
	sources *Sources
	reach   Reach // the test's folders and loopback feeds
}

func newPullEnv(t *testing.T) pullEnv {
	t.Helper()
	db := analyticstest.NewDB(t, t.TempDir())
	reach := LocalReach(t)
	return pullEnv{db: db, ing: ingest.New(db, analyticstest.NewCH(t), analyticstest.QuietLogger()), sources: NewSources(db).Within(reach), reach: reach}
}

// startPuller runs a puller until the test ends.
func (e pullEnv) startPuller(t *testing.T, opt PullOptions) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		NewPuller(NewSources(e.db).Within(e.reach), e.ing, analyticstest.QuietLogger(), opt).Run(ctx)
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
}

// waitFor polls cond until it holds or a generous deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// chCounts returns count() and uniqExact(event_id) of a source's events,
// once what the ingester acknowledged is in ClickHouse.
func chCounts(t *testing.T, ing *ingest.Ingester, source string) (n, uniq uint64) {
	t.Helper()
	if err := ing.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := ing.CH().QueryRow(context.Background(), `SELECT count(), uniqExact(event_id) FROM events WHERE source = ?`, source).Scan(&n, &uniq); err != nil {
		t.Fatal(err)
	}
	return n, uniq
}

func getSource(t *testing.T, s *Sources, id int64) Source {
	t.Helper()
	src, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func TestPullFeedSurvivesGarbageAndCatchesUp(t *testing.T) {
	env := newPullEnv(t)
	ing := env.ing
	demo := demofeed.DemoEvents(3, 6, 2)
	good := demofeed.FeedHandler(demo.Events, demofeed.FeedOptions{})

	var healthy atomic.Bool
	var mu sync.Mutex
	var requests []string
	failedMid := false
	garbage := []func(w http.ResponseWriter){
		func(w http.ResponseWriter) { w.Write([]byte("<html>Bad gateway</html>")) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"events": [], "has_more": false}`)) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"events": {}, "next": "1", "has_more": false}`)) },
		func(w http.ResponseWriter) { w.Write([]byte(`{"events": [], "next": 5, "has_more": false}`)) },
		func(w http.ResponseWriter) { w.WriteHeader(http.StatusInternalServerError); w.Write([]byte("boom")) },
		func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
		func(w http.ResponseWriter) { time.Sleep(600 * time.Millisecond) }, // longer than the timeout
	}
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests = append(requests, r.URL.RawQuery)
		n := len(requests)
		// Once, in the middle of the feed: a cut-off answer.
		mid := healthy.Load() && r.URL.Query().Get("after") == "200" && !failedMid
		if mid {
			failedMid = true
		}
		mu.Unlock()
		if !healthy.Load() {
			garbage[(n-1)%len(garbage)](w)
			return
		}
		if mid {
			w.Write([]byte(`{"events": [{"event_id": "x"`))
			return
		}
		good.ServeHTTP(w, r)
	}))
	defer upstream.Close()

	sources := env.sources
	src, err := sources.Create(context.Background(), SourceInput{Name: "upstream", Kind: KindHTTPFeed, URL: upstream.URL + "/events", IntervalSeconds: 1, BatchLimit: 100})
	if err != nil {
		t.Fatal(err)
	}
	env.startPuller(t, fastPull)

	// Garbage: every kind is reported, the cursor stays unset, nothing is stored.
	waitFor(t, "the garbage answers to be tried", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(requests) >= len(garbage)+1
	})
	st := getSource(t, sources, src.ID)
	if st.Status.Cursor != nil || st.Status.EventsPulled != 0 || st.Status.LastError == "" || st.Status.LastErrorAt == nil || !st.Status.Failing {
		t.Fatalf("after garbage: %+v", st.Status)
	}
	if st.Status.NextAttemptAt == nil || !st.Status.NextAttemptAt.After(*st.Status.LastErrorAt) {
		t.Errorf("no back-off: next attempt %v, last error %v", st.Status.NextAttemptAt, st.Status.LastErrorAt)
	}
	if n, _ := chCounts(t, ing, "upstream"); n != 0 {
		t.Fatalf("%d events stored from garbage", n)
	}
	mu.Lock()
	for _, q := range requests {
		if strings.Contains(q, "after=") {
			t.Errorf("a request before any stored page sent a cursor: %s", q)
		}
	}
	mu.Unlock()

	// Healthy: caught up to the last event, each stored once.
	healthy.Store(true)
	total := strconv.Itoa(len(demo.Events))
	waitFor(t, "the feed to be caught up", func() bool {
		s := getSource(t, sources, src.ID)
		return s.Status.Cursor != nil && *s.Status.Cursor == total && !s.Status.Failing
	})
	n, uniq := chCounts(t, ing, "upstream")
	if n != uint64(len(demo.Events)) || uniq != n {
		t.Fatalf("ClickHouse holds %d events (%d distinct), the feed has %d", n, uniq, len(demo.Events))
	}
	st = getSource(t, sources, src.ID)
	if st.Status.EventsPulled != int64(len(demo.Events)) || st.Status.EventsRejected != 0 {
		t.Errorf("status counts: %+v", st.Status)
	}
	if !strings.Contains(st.Status.LastError, "feed answer") {
		t.Errorf("last error %q does not name the broken answer", st.Status.LastError)
	}
	mu.Lock()
	if !failedMid {
		t.Error("the cut-off answer in the middle was never served")
	}
	after200 := 0
	for _, q := range requests {
		if strings.Contains(q, "after=200&") {
			after200++
		}
	}
	mu.Unlock()
	if after200 < 2 {
		t.Errorf("the page after 200 was asked %d times, want a retry from the same cursor", after200)
	}

	// Quiet feed: later rounds ask from the end and store nothing more.
	before := getSource(t, sources, src.ID).Status.LastSuccessAt
	if err := sources.PollNow(context.Background(), src.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a poll-now round", func() bool {
		s := getSource(t, sources, src.ID).Status.LastSuccessAt
		return s != nil && s.After(*before)
	})
	if n2, _ := chCounts(t, ing, "upstream"); n2 != n {
		t.Errorf("a quiet round changed the count from %d to %d", n, n2)
	}
}

// TestPullFeedRejectsInvalidEvents: invalid events are counted and skipped,
// the cursor moves on.
func TestPullFeedRejectsInvalidEvents(t *testing.T) {
	env := newPullEnv(t)
	ing := env.ing
	demo := demofeed.DemoEvents(4, 3, 1)
	evs := demo.Events[:20]
	page := map[string]any{"next": "20", "has_more": false}
	var raws []json.RawMessage
	for i, e := range evs {
		if i == 5 {
			e.CompanyCVR = "12345678" // fails modulus 11
		}
		if i == 6 {
			e.OccurredAt = "yesterday"
		}
		b, _ := json.Marshal(e)
		raws = append(raws, b)
	}
	page["events"] = raws
	body, _ := json.Marshal(page)
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer upstream.Close()
	sources := env.sources
	src, err := sources.Create(context.Background(), SourceInput{Name: "partly-bad", Kind: KindHTTPFeed, URL: upstream.URL, IntervalSeconds: 3600})
	if err != nil {
		t.Fatal(err)
	}
	env.startPuller(t, fastPull)
	waitFor(t, "the page to be stored", func() bool { return getSource(t, sources, src.ID).Status.Cursor != nil })
	st := getSource(t, sources, src.ID).Status
	if *st.Cursor != "20" || st.EventsPulled != 18 || st.EventsRejected != 2 || st.Failing {
		t.Fatalf("status: cursor %s, pulled %d, rejected %d, failing %v", *st.Cursor, st.EventsPulled, st.EventsRejected, st.Failing)
	}
	if n, _ := chCounts(t, ing, "partly-bad"); n != 18 {
		t.Fatalf("stored %d, want 18", n)
	}
}

func ndjsonOf(t *testing.T, evs []demofeed.FeedEvent) []byte {
	t.Helper()
	var b bytes.Buffer
	for _, e := range evs {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

func gzipped(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

func csvOf(evs []demofeed.FeedEvent) []byte {
	var b strings.Builder
	b.WriteString("event_id,occurred_at,type,company_cvr,authority_cvr,channel,has_metadata,has_deep_link,message_ref,user_ref\n")
	bs := func(p *bool) string {
		if p == nil {
			return ""
		}
		return strconv.FormatBool(*p)
	}
	for _, e := range evs {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", e.EventID, e.OccurredAt, e.Type, e.CompanyCVR, e.AuthorityCVR, e.Channel,
			bs(e.HasMetadata), bs(e.HasDeepLink), e.MessageRef, e.UserRef)
	}
	return []byte(b.String())
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestPullDirectoryTakesEachFileOnce(t *testing.T) {
	env := newPullEnv(t)
	ing := env.ing
	dir := t.TempDir()
	demo := demofeed.DemoEvents(5, 6, 2)
	evs := demo.Events
	third := len(evs) / 3
	a := append(ndjsonOf(t, evs[:third]), []byte("{\"event_id\": \"broken\"}\n")...) // one rejected line
	b := gzipped(t, ndjsonOf(t, evs[third:2*third]))
	c := csvOf(evs[2*third:])
	os.WriteFile(filepath.Join(dir, "a.ndjson"), a, 0o644)
	os.WriteFile(filepath.Join(dir, "b.ndjson.gz"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "c.csv"), c, 0o644)
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("not an export"), 0o644)

	sources := env.sources
	src, err := sources.Create(context.Background(), SourceInput{Name: "exports", Kind: KindDirectory, Directory: dir, IntervalSeconds: 1, BatchLimit: 250})
	if err != nil {
		t.Fatal(err)
	}
	env.startPuller(t, fastPull)
	waitFor(t, "the three files to be done", func() bool {
		return exists(filepath.Join(dir, "done", "a.ndjson")) && exists(filepath.Join(dir, "done", "b.ndjson.gz")) && exists(filepath.Join(dir, "done", "c.csv"))
	})
	n, uniq := chCounts(t, ing, "exports")
	if n != uint64(len(evs)) || uniq != n {
		t.Fatalf("stored %d (%d distinct), want %d", n, uniq, len(evs))
	}
	if !exists(filepath.Join(dir, "notes.txt")) {
		t.Error("a file that is no export was touched")
	}
	rej, err := os.ReadFile(filepath.Join(dir, "done", "a.ndjson.rejected.txt"))
	if err != nil || !strings.Contains(string(rej), fmt.Sprintf("line %d:", third+1)) {
		t.Errorf("rejected list: %q %v", rej, err)
	}
	st := getSource(t, sources, src.ID).Status
	if st.EventsPulled != int64(len(evs)) || st.EventsRejected != 1 {
		t.Errorf("status: pulled %d, rejected %d", st.EventsPulled, st.EventsRejected)
	}

	// The same content again, under another name: recognised, moved, not counted.
	os.WriteFile(filepath.Join(dir, "a-again.ndjson"), a, 0o644)
	// And a file that is not gzip at all: moved to failed/ with the reason.
	os.WriteFile(filepath.Join(dir, "bad.ndjson.gz"), []byte("this is not gzip"), 0o644)
	waitFor(t, "the copy and the bad file to be handled", func() bool {
		return exists(filepath.Join(dir, "done", "a-again.ndjson")) && exists(filepath.Join(dir, "failed", "bad.ndjson.gz.error.txt"))
	})
	if n2, _ := chCounts(t, ing, "exports"); n2 != n {
		t.Errorf("the copy changed the count from %d to %d", n, n2)
	}
	files, err := sources.Files(context.Background(), src.ID, 10)
	if err != nil || len(files) != 3 {
		t.Fatalf("files recorded: %+v %v", files, err)
	}
	waitFor(t, "the failed file to show as the last error", func() bool {
		return strings.Contains(getSource(t, sources, src.ID).Status.LastError, "bad.ndjson.gz")
	})
	st = getSource(t, sources, src.ID).Status
	if st.EventsPulled != int64(len(evs)) || st.Failing {
		t.Errorf("after the copy: pulled %d, failing %v", st.EventsPulled, st.Failing)
	}
}

// TestPullDirectoryWaitsForFilesBeingWritten: a freshly written file is
// left alone until it has settled.
func TestPullDirectoryWaitsForFilesBeingWritten(t *testing.T) {
	env := newPullEnv(t)
	ing := env.ing
	dir := t.TempDir()
	demo := demofeed.DemoEvents(6, 2, 1)
	path := filepath.Join(dir, "fresh.ndjson")
	os.WriteFile(path, ndjsonOf(t, demo.Events[:10]), 0o644)
	sources := env.sources
	src, err := sources.Create(context.Background(), SourceInput{Name: "slow-writer", Kind: KindDirectory, Directory: dir, IntervalSeconds: 1})
	if err != nil {
		t.Fatal(err)
	}
	opt := fastPull
	opt.Settle = time.Hour
	env.startPuller(t, opt)
	waitFor(t, "two rounds", func() bool {
		s := getSource(t, sources, src.ID).Status
		return s.LastSuccessAt != nil && s.LastSuccessAt.Sub(src.CreatedAt) > time.Second
	})
	if !exists(path) {
		t.Fatal("a file still being written was taken")
	}
	// Once settled (modified long ago), it is taken.
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(path, old, old)
	sources.PollNow(context.Background(), src.ID)
	waitFor(t, "the settled file", func() bool { return exists(filepath.Join(dir, "done", "fresh.ndjson")) })
	if n, _ := chCounts(t, ing, "slow-writer"); n != 10 {
		t.Errorf("stored %d, want 10", n)
	}
}
