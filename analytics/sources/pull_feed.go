package sources

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// feedPageAnswer is an http-feed answer, checked strictly: every field must
// be there with its type.
type feedPageAnswer struct {
	Events  []json.RawMessage
	Next    string
	HasMore bool
}

// feedURL is the source URL with after (when there is a cursor) and limit.
func feedURL(base string, cursor *string, limit int) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	q := u.Query()
	if cursor != nil {
		q.Set("after", *cursor)
	}
	q.Set("limit", strconv.Itoa(limit))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// fetchPage asks the feed for the page after cursor.
func (p *Puller) fetchPage(ctx context.Context, src Source, cursor *string) (feedPageAnswer, error) {
	var page feedPageAnswer
	u, err := feedURL(src.URL, cursor, src.BatchLimit)
	if err != nil {
		return page, fmt.Errorf("feed URL: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, p.opt.HTTPTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return page, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "pilotpulse-puller")
	resp, err := p.opt.Client.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return page, fmt.Errorf("feed did not answer within %s", p.opt.HTTPTimeout)
		}
		return page, fmt.Errorf("feed request: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.opt.MaxPageBytes+1))
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return page, fmt.Errorf("feed did not answer within %s", p.opt.HTTPTimeout)
		}
		return page, fmt.Errorf("reading the feed answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		err := fmt.Errorf("feed answered %s: %s", resp.Status, snippet(body))
		if secs, perr := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); perr == nil && secs > 0 {
			return page, retryAfterError{err: err, after: time.Duration(min(secs, 3600)) * time.Second}
		}
		return page, err
	}
	if int64(len(body)) > p.opt.MaxPageBytes {
		return page, fmt.Errorf("feed answer larger than %d bytes: ask for smaller pages (batch limit)", p.opt.MaxPageBytes)
	}
	return parseFeedPage(body)
}

// retryAfterError is a feed's refusal that names when to come back
// (Retry-After in seconds on any non-200 answer, e.g. 429 or 503).
type retryAfterError struct {
	err   error
	after time.Duration
}

func (e retryAfterError) Error() string { return e.err.Error() }
func (e retryAfterError) Unwrap() error { return e.err }

// parseFeedPage checks an answer against the contract
// {"events": […], "next": "CURSOR", "has_more": bool}.
func parseFeedPage(body []byte) (feedPageAnswer, error) {
	var page feedPageAnswer
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return page, fmt.Errorf("feed answer is not a JSON object: %s", snippet(body))
	}
	field := func(name string, v any, want string) error {
		b, ok := raw[name]
		if !ok {
			return fmt.Errorf("feed answer has no %q", name)
		}
		if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
			return fmt.Errorf("feed answer: %q is null, want %s", name, want)
		}
		if err := json.Unmarshal(b, v); err != nil {
			return fmt.Errorf("feed answer: %q is not %s", name, want)
		}
		return nil
	}
	if err := field("events", &page.Events, "an array"); err != nil {
		return page, err
	}
	if err := field("next", &page.Next, "a string"); err != nil {
		return page, err
	}
	if err := field("has_more", &page.HasMore, "true or false"); err != nil {
		return page, err
	}
	if page.Next == "" && (len(page.Events) > 0 || page.HasMore) {
		return page, errors.New(`feed answer: "next" is empty`)
	}
	return page, nil
}

// snippet is the start of a body, for error messages.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 120 {
		s = s[:120]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	if s == "" {
		return "(empty)"
	}
	// Shown as it reads (no escaped quotes), on one line: control
	// characters, newlines included, become spaces.
	return "“" + strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s) + "”"
}

// pullFeed pulls pages until the feed has no more (or the source changes,
// or is switched off while it is pulled).
// Each page's events are stored before the cursor moves past them.
func (p *Puller) pullFeed(ctx context.Context, src Source) error {
	cursor := src.Status.Cursor
	for pages := 0; ctx.Err() == nil; pages++ {
		if pages > 0 { // a long catch-up notices an edit or a disable
			cur, err := p.sources.Get(ctx, src.ID)
			if err != nil {
				return err
			}
			if (src.Enabled && !cur.Enabled) || cur.URL != src.URL || cur.Name != src.Name {
				return nil
			}
			src = cur
			cursor = cur.Status.Cursor
		}
		page, err := p.fetchPage(ctx, src, cursor)
		if err != nil {
			return err
		}
		received := time.Now().UTC()
		events := make([]event.Event, 0, len(page.Events))
		rejected := 0
		for i, raw := range page.Events {
			ev, err := event.ParseEventJSON(raw, received)
			if err != nil {
				rejected++
				if rejected <= 5 {
					p.log.Warn("pull: event rejected", "source", src.Name, "after", deref(cursor), "position", i+1, "err", err)
				}
				continue
			}
			events = append(events, ev)
		}
		if rejected > 5 {
			p.log.Warn("pull: events rejected", "source", src.Name, "after", deref(cursor), "rejected", rejected)
		}
		if page.HasMore && cursor != nil && page.Next == *cursor {
			return fmt.Errorf("feed says has_more but its cursor does not move from %q", page.Next)
		}
		// An empty feed may answer next "": the cursor stays as it is.
		pr, err := p.storeBatch(ctx, src, events, rejected, page.Next != "", page.Next)
		if err != nil {
			return err
		}
		if pr.Accepted+pr.Duplicates+pr.Rejected > 0 {
			p.log.Info("pulled", "source", src.Name, "accepted", pr.Accepted, "duplicates", pr.Duplicates, "rejected", pr.Rejected, "next", page.Next, "has_more", page.HasMore)
		}
		if page.Next != "" {
			next := page.Next
			cursor = &next
		}
		if !page.HasMore {
			return nil
		}
	}
	return ctx.Err()
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
