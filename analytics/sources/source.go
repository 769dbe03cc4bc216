package sources

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Source kinds. Push sources are created with their token (auth.CreateSourceToken);
// http-feed and directory sources are pulled by the app (see RunPullers).
const (
	KindPush      = "push"
	KindHTTPFeed  = "http-feed"
	KindDirectory = "directory"
)

// PulledKinds are the kinds an admin creates on the sources page and CLI.
var PulledKinds = []string{KindHTTPFeed, KindDirectory}

// Bounds of a source's settings.
const (
	MinInterval       = time.Second
	MaxInterval       = 24 * time.Hour
	DefaultInterval   = 60 * time.Second
	DefaultBatchLimit = 1000
	MaxBatchLimit     = 10000
)

// Source is an ingestion source: its configuration and its pull status.
type Source struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
	// Origin is the upstream whose events the source carries (by default
	// the source itself): an event's identity is its origin and event_id,
	// so sources of one origin count an event once.
	Origin          string       `json:"origin"`
	URL             string       `json:"url,omitempty"`
	Directory       string       `json:"directory,omitempty"`
	IntervalSeconds int          `json:"interval_seconds"`
	BatchLimit      int          `json:"batch_limit"`
	Enabled         bool         `json:"enabled"`
	CreatedAt       time.Time    `json:"created_at"`
	UpdatedAt       *time.Time   `json:"updated_at"`
	Status          SourceStatus `json:"status"`
	// Overlaps warns of other origins whose events share ids with this
	// source's (counted twice); empty when none was seen.
	Overlaps []Overlap `json:"overlaps"`
}

// SourceStatus is where a pulled source stands.
type SourceStatus struct {
	// Cursor is the feed position after the last stored page; nil before the first.
	Cursor        *string    `json:"cursor"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     string     `json:"last_error,omitempty"`
	LastErrorAt   *time.Time `json:"last_error_at"`
	// EventsPulled counts the valid events taken from the source and stored
	// (new or already there); EventsDuplicate those that were there already.
	EventsPulled        int64      `json:"events_pulled"`
	EventsDuplicate     int64      `json:"events_duplicate"`
	EventsRejected      int64      `json:"events_rejected"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	NextAttemptAt       *time.Time `json:"next_attempt_at"`
	// NewestEventAt is the newest occurred_at among the events stored so far.
	NewestEventAt *time.Time `json:"newest_event_at"`
	// LagSeconds is now minus the last success, of a push source the last
	// push (nil before the first).
	LagSeconds *int64 `json:"lag_seconds"`
	// Failing is true when the last attempt failed.
	Failing bool `json:"failing"`
	// Health is waiting, ok, failing or flapping (health.go): flapping when
	// the recent rounds alternate between success and failure. Empty for
	// push sources.
	Health string `json:"health,omitempty"`
	// RecentPulls are the outcomes (ok, failed) of the last PullHistory
	// pull rounds, oldest first.
	RecentPulls []string `json:"recent_pulls,omitempty"`
	// Pushed is what pushes (POST /api/v1/events) brought the source.
	Pushed PushCounts `json:"pushed"`
}

// PushCounts add up the answers to a source's pushes: new events,
// duplicates and rejected lines, and when the last push was stored.
type PushCounts struct {
	Accepted   int64      `json:"accepted"`
	Duplicates int64      `json:"duplicates"`
	Rejected   int64      `json:"rejected"`
	LastAt     *time.Time `json:"last_at"`
}

// Interval is the source's poll interval.
func (s Source) Interval() time.Duration { return time.Duration(s.IntervalSeconds) * time.Second }

// Pulled reports whether the app pulls this source (not a push source).
func (s Source) Pulled() bool { return s.Kind == KindHTTPFeed || s.Kind == KindDirectory }

// Lag is now minus the last success (of a push source: the last push), or
// -1 before the first.
func (s Source) Lag(now time.Time) time.Duration {
	last := s.Status.LastSuccessAt
	if !s.Pulled() {
		last = s.Status.Pushed.LastAt
	}
	if last == nil {
		return -1
	}
	return now.Sub(*last)
}

// SourceInput is what an admin sets on a source. On update, zero values
// keep what is there (Enabled nil: unchanged).
type SourceInput struct {
	Name            string `json:"name"`
	Kind            string `json:"kind"`
	Origin          string `json:"origin,omitempty"`
	URL             string `json:"url,omitempty"`
	Directory       string `json:"directory,omitempty"`
	IntervalSeconds int    `json:"interval_seconds,omitempty"`
	BatchLimit      int    `json:"batch_limit,omitempty"`
	Enabled         *bool  `json:"enabled,omitempty"`
}

// Errors of the source store. Invalid input is a problem.Fields naming
// the fields.
var (
	// ErrSourceNotFound: no source has the id or name (404).
	ErrSourceNotFound = problem.NotFound("sources.not_found")
)

// nameTaken is the error of a name another source has.
func nameTaken() error {
	return problem.Fields{{Field: "name", Message: problem.Msg("sources.name_taken")}}
}

// normalize trims the input and fills in defaults (a relative folder is
// in the import root); validate checks it against the reach.
func (in *SourceInput) normalize(reach Reach) {
	in.Name = strings.TrimSpace(in.Name)
	in.Kind = strings.TrimSpace(in.Kind)
	in.Origin = strings.TrimSpace(in.Origin)
	in.URL = strings.TrimSpace(in.URL)
	in.Directory = strings.TrimSpace(in.Directory)
	if in.IntervalSeconds == 0 {
		in.IntervalSeconds = int(DefaultInterval / time.Second)
	}
	if in.BatchLimit == 0 {
		in.BatchLimit = DefaultBatchLimit
	}
	if in.Kind != KindHTTPFeed {
		in.URL = ""
	}
	if in.Kind != KindDirectory {
		in.Directory = ""
	}
	if in.Directory != "" {
		if abs, err := filepath.Abs(reach.resolveDir(in.Directory)); err == nil {
			in.Directory = abs
		}
	}
}

func (in SourceInput) validate(reach Reach) error {
	var fs problem.Fields
	switch n := utf8.RuneCountInString(in.Name); {
	case n == 0:
		fs.Add("name", "field.required")
	case n > 100:
		fs.Add("name", "field.too_long", 100)
	case strings.ContainsAny(in.Name, "\x00\r\n\t"):
		fs.Add("name", "field.control_chars")
	}
	checkOrigin(&fs, in.Origin)
	switch in.Kind {
	case KindHTTPFeed:
		if checkFeedURL(&fs, in.URL) {
			reach.checkFeedReach(&fs, in.URL)
		}
	case KindDirectory:
		reach.checkDirectory(&fs, in.Directory)
	case "":
		fs.Add("kind", "field.one_of", strings.Join(PulledKinds, ", "))
	default:
		fs.Add("kind", "field.must_be_one_of", strings.Join(PulledKinds, ", "))
	}
	iv := time.Duration(in.IntervalSeconds) * time.Second
	if iv < MinInterval || iv > MaxInterval {
		fs.Add("interval_seconds", "sources.interval_range", int(MinInterval/time.Second), int(MaxInterval/time.Second))
	}
	if in.BatchLimit < 1 || in.BatchLimit > MaxBatchLimit {
		fs.Add("batch_limit", "sources.batch_limit_range", MaxBatchLimit)
	}
	return fs.Err()
}

// checkOrigin checks an origin ("" is the source's own name).
func checkOrigin(fs *problem.Fields, s string) {
	switch {
	case utf8.RuneCountInString(s) > 100:
		fs.Add("origin", "field.too_long", 100)
	case strings.ContainsAny(s, "\x00\r\n\t"):
		fs.Add("origin", "field.control_chars")
	}
}

// storedOrigin is how an origin is kept: "" when it is the source's own
// name (the default, 0007_origins.sql).
func storedOrigin(name, origin string) string {
	if origin == name {
		return ""
	}
	return origin
}

// checkFeedURL adds the field errors of a feed URL; it reports whether
// there were none.
func checkFeedURL(fs *problem.Fields, s string) bool {
	if s == "" {
		fs.Add("url", "field.required")
		return false
	}
	if len(s) > 2000 {
		fs.Add("url", "field.too_long", 2000)
		return false
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		fs.Add("url", "sources.url_scheme")
	case u.User != nil:
		fs.Add("url", "sources.url_user")
	case u.Fragment != "":
		fs.Add("url", "sources.url_fragment")
	case u.Query().Has("after") || u.Query().Has("limit"):
		fs.Add("url", "sources.url_paging")
	default:
		return true
	}
	return false
}

// ParseInterval reads an interval like "30s", "5m" or a number of seconds.
func ParseInterval(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		var n int
		if _, err2 := fmt.Sscanf(s, "%d", &n); err2 != nil || fmt.Sprint(n) != s {
			return 0, fmt.Errorf("not a duration like 30s or 5m: %q", s)
		}
		d = time.Duration(n) * time.Second
	}
	if d%time.Second != 0 {
		return 0, fmt.Errorf("whole seconds please: %q", s)
	}
	return int(d / time.Second), nil
}
