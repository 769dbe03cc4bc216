package sources

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/config"
)

// NDJSONOf writes demo events as NDJSON.
var NDJSONOf = ndjsonOf

// LocalReach lets a test's sources reach its temporary folders (those of
// t.TempDir share a parent) and its loopback feeds (httptest servers).
func LocalReach(t testing.TB) Reach {
	return Reach{ImportRoot: filepath.Dir(t.TempDir()), Allow: []string{AddrLoopback}}
}

// LocalConfig sets an apptest configuration to LocalReach.
func LocalConfig(t testing.TB) func(*config.Config) {
	r := LocalReach(t)
	return func(c *config.Config) { c.ImportRoot, c.FeedAllowPrivate = r.ImportRoot, r.Allow }
}

// RecordRounds records pull rounds on a source as the puller does, one per
// byte of outcomes, oldest first: '+' a success, '-' a failure.
func RecordRounds(ctx context.Context, s *Sources, id int64, outcomes string) error {
	for _, o := range []byte(outcomes) {
		now := time.Now()
		var err error
		if o == pullFailed {
			_, err = s.recordFailure(ctx, id, "feed answered 502 Bad Gateway", func(int) time.Duration { return time.Second })
		} else {
			err = s.recordRound(ctx, id, now, now.Add(time.Minute), "")
		}
		if err != nil {
			return err
		}
	}
	return nil
}
