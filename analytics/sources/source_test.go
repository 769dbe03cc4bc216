package sources

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/internal/problem"
)

func TestSourceValidation(t *testing.T) {
	db := analyticstest.NewDB(t, t.TempDir())
	s := NewSources(db).Within(LocalReach(t))
	ctx := context.Background()
	dir := t.TempDir()
	file := filepath.Join(dir, "file.txt")
	os.WriteFile(file, nil, 0o644)
	bad := []struct {
		in    SourceInput
		field string
	}{
		{SourceInput{Kind: KindHTTPFeed, URL: "http://x/events"}, "name"},
		{SourceInput{Name: "a", Kind: "push"}, "kind"},
		{SourceInput{Name: "a", Kind: "ftp"}, "kind"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed}, "url"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "ftp://x/events"}, "url"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "/events"}, "url"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "http://u:p@x/events"}, "url"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "http://x/events?after=3"}, "url"},
		{SourceInput{Name: "a", Kind: KindDirectory, Directory: filepath.Join(dir, "missing")}, "directory"},
		{SourceInput{Name: "a", Kind: KindDirectory, Directory: file}, "directory"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "http://x", IntervalSeconds: -1}, "interval_seconds"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "http://x", IntervalSeconds: 86401}, "interval_seconds"},
		{SourceInput{Name: "a", Kind: KindHTTPFeed, URL: "http://x", BatchLimit: MaxBatchLimit + 1}, "batch_limit"},
	}
	for _, c := range bad {
		_, err := s.Create(ctx, c.in)
		if fs, ok := problem.AsFields(err); !ok || !fs.Has(c.field) {
			t.Errorf("%+v: error %v, want one on %s", c.in, err, c.field)
		}
	}

	feed, err := s.Create(ctx, SourceInput{Name: " feed ", Kind: KindHTTPFeed, URL: "https://upstream.example/events?tenant=7"})
	if err != nil {
		t.Fatal(err)
	}
	if feed.Name != "feed" || !feed.Enabled || feed.IntervalSeconds != 60 || feed.BatchLimit != DefaultBatchLimit || feed.Status.Cursor != nil {
		t.Errorf("created: %+v", feed)
	}
	if u, _ := feedURL(feed.URL, nil, 50); u != "https://upstream.example/events?limit=50&tenant=7" {
		t.Errorf("first URL %s", u)
	}
	c := "a b&c"
	if u, _ := feedURL(feed.URL, &c, 50); u != "https://upstream.example/events?after=a+b%26c&limit=50&tenant=7" {
		t.Errorf("next URL %s", u)
	}
	if _, err := s.Create(ctx, SourceInput{Name: "feed", Kind: KindDirectory, Directory: dir}); err == nil {
		t.Error("a second source of the same name was created")
	}
	folder, err := s.Create(ctx, SourceInput{Name: "folder", Kind: KindDirectory, Directory: dir, IntervalSeconds: 5})
	if err != nil || folder.Directory != dir || folder.URL != "" {
		t.Fatalf("directory source: %+v %v", folder, err)
	}

	// Updates: settings change, name and kind stay; a new URL restarts the feed.
	cur := "42"
	if err := s.recordStored(ctx, feed.ID, true, cur, progress{Accepted: 42}); err != nil {
		t.Fatal(err)
	}
	upd, err := s.Update(ctx, feed.ID, SourceInput{IntervalSeconds: 30, BatchLimit: 200})
	if err != nil || upd.IntervalSeconds != 30 || upd.BatchLimit != 200 || upd.Status.Cursor == nil || *upd.Status.Cursor != "42" {
		t.Fatalf("update: %+v %v", upd, err)
	}
	if _, err := s.Update(ctx, feed.ID, SourceInput{Name: "renamed"}); err == nil {
		t.Error("renamed a source")
	}
	if _, err := s.Update(ctx, feed.ID, SourceInput{Kind: KindDirectory, Directory: dir}); err == nil {
		t.Error("changed the kind")
	}
	upd, err = s.Update(ctx, feed.ID, SourceInput{URL: "http://other.example/feed"})
	if err != nil || upd.Status.Cursor != nil {
		t.Fatalf("new URL kept the cursor: %+v %v", upd, err)
	}
	off, err := s.SetEnabled(ctx, feed.ID, false)
	if err != nil || off.Enabled {
		t.Fatalf("disable: %+v %v", off, err)
	}
	pulled, err := s.pulled(ctx)
	if err != nil || len(pulled) != 1 || pulled[0].ID != folder.ID {
		t.Errorf("enabled pulled sources: %+v %v", pulled, err)
	}
	if err := s.PollNow(ctx, 9999); !errors.Is(err, ErrSourceNotFound) {
		t.Errorf("poll now of a missing source: %v", err)
	}

	// Failures back off and are kept with their time after a later success.
	p := NewPuller(NewSources(db).Within(LocalReach(t)), nil, analyticstest.QuietLogger(), PullOptions{BackoffBase: time.Second, BackoffMax: 10 * time.Second})
	for i, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 10 * time.Second, 10 * time.Second} {
		if got := p.backoff(i + 1); got != want {
			t.Errorf("backoff(%d) = %s, want %s", i+1, got, want)
		}
	}
	n, err := s.recordFailure(ctx, folder.ID, "folder gone", p.backoff)
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	n, _ = s.recordFailure(ctx, folder.ID, "folder still gone", p.backoff)
	st := getSource(t, s, folder.ID).Status
	if n != 2 || !st.Failing || st.LastError != "folder still gone" || st.NextAttemptAt.Sub(*st.LastErrorAt) != 2*time.Second {
		t.Errorf("after two failures: %+v", st)
	}
	start := time.Now()
	if err := s.recordRound(ctx, folder.ID, start, start.Add(time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	st = getSource(t, s, folder.ID).Status
	if st.Failing || st.LastError != "folder still gone" || st.LastSuccessAt == nil || st.LagSeconds == nil {
		t.Errorf("after success: %+v", st)
	}
}

// The newest event a source delivered is the newest of every stored page,
// not of the last one (a page of older events does not move it back).
func TestNewestEventIsTheNewestStored(t *testing.T) {
	s, src := newFeedSource(t)
	ctx := context.Background()
	newer := time.Date(2012, 12, 20, 10, 30, 0, 500_000_000, time.UTC)
	older := time.Date(2012, 11, 5, 9, 0, 0, 0, time.UTC)
	for _, p := range []progress{{Accepted: 2, Newest: newer}, {Accepted: 1, Newest: older}, {Duplicates: 3}} {
		if err := s.recordStored(ctx, src.ID, true, "c", p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Get(ctx, src.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.NewestEventAt == nil || !got.Status.NewestEventAt.Equal(newer) {
		t.Fatalf("newest event %v, want %v", got.Status.NewestEventAt, newer)
	}
}

// newFeedSource is a source store on a fresh app database with one feed.
func newFeedSource(t *testing.T) (*Sources, Source) {
	t.Helper()
	s := NewSources(analyticstest.NewDB(t, t.TempDir()))
	src, err := s.Create(context.Background(), SourceInput{Name: "feed", Kind: KindHTTPFeed, URL: "https://upstream.example/events"})
	if err != nil {
		t.Fatal(err)
	}
	return s, src
}
