package sources

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// Push limits. The compressed (or plain) body is bounded by the web frame's
// BodyLimit (32 MiB); a gzip body is decompressed as a stream and refused
// with 413 once it passes MaxDecompressedBytes, so a gzip bomb is never
// expanded into memory.
const MaxDecompressedBytes = 64 << 20

// RateLimit is a token bucket: PerSecond requests on average, Burst at once.
type RateLimit struct {
	PerSecond float64
	Burst     float64
}

// PushLimits bound POST /api/v1/events (from the configuration's
// PILOTPULSE_PUSH_RATE, _BURST and _WAIT).
type PushLimits struct {
	// Rate is the limit per token (per user for sessions).
	Rate RateLimit
	// Wait bounds how long a push waits for its turn before it is answered
	// 503 with Retry-After (nothing stored).
	Wait time.Duration
}

// PushResult is the answer to a push.
type PushResult struct {
	Accepted   int               `json:"accepted"`
	Duplicates int               `json:"duplicates"`
	Rejected   []event.LineError `json:"rejected"`
}

type pushHandler struct {
	ing     *ingest.Ingester
	sources *Sources
	limiter *limiter
	counter *prometheus.CounterVec
	// slots bounds the pushes decoding and storing at once, and so the
	// memory their events take (each up to MaxDecompressedBytes of JSON).
	slots chan struct{}
	wait  time.Duration // PushLimits.Wait
}

// maxConcurrentPushes is the size of pushHandler.slots; more wait their turn.
const maxConcurrentPushes = 8

var errTooLarge = errors.New("decompressed body too large")

// capReader fails with errTooLarge once more than n bytes were read.
type capReader struct {
	r io.Reader
	n int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	if c.n < 0 {
		return k, errTooLarge
	}
	return k, err
}

func (h *pushHandler) push(c *fiber.Ctx) error {
	p := web.PrincipalOf(c)
	source := c.Query("source")
	switch p.Role {
	case auth.RoleSource:
		if source != "" && source != p.SourceName {
			return web.BadRequest("sources.push_own_source", p.SourceName)
		}
		source = p.SourceName
	case auth.RoleAdmin:
		if source == "" {
			return web.BadRequest("sources.push_name_source")
		}
		if _, err := h.sources.ByName(c.UserContext(), source); errors.Is(err, ErrSourceNotFound) {
			return problem.NotFound("sources.not_found_name", source)
		} else if err != nil {
			return err
		}
	default:
		return web.Forbidden()
	}
	key := fmt.Sprintf("user:%d", p.UserID)
	if p.Via == "token" {
		key = fmt.Sprintf("token:%d", p.TokenID)
	}
	if ok, wait := h.limiter.allow(key); !ok {
		return web.TooMany("sources.push_too_many", wait)
	}

	format := event.FormatNDJSON
	if ct := c.Get(fiber.HeaderContentType); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return unsupported("sources.push_bad_content_type", ct)
		}
		switch mt {
		case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "text/plain":
			format = event.FormatNDJSON
		case "application/json":
			format = event.FormatJSON
		case "text/csv":
			format = event.FormatCSV
		default:
			return unsupported("sources.push_content_type", mt)
		}
	}
	raw := c.Request().Body() // as sent: the frame does not decompress it
	var body io.Reader = bytes.NewReader(raw)
	var events []event.Event
	switch enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding))); enc {
	case "", "identity":
		if format == event.FormatNDJSON {
			events = make([]event.Event, 0, bytes.Count(raw, []byte{'\n'})+1)
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return web.BadRequest("sources.push_bad_gzip", err.Error())
		}
		defer zr.Close()
		body = zr
	default:
		return unsupported("sources.push_content_encoding", enc)
	}
	body = &capReader{r: body, n: MaxDecompressedBytes}

	// The push waits at most PushLimits.Wait for its turn (a slot here, and its
	// source, which a CLI import may hold), then gets 503: nothing stored.
	ctx, cancel := context.WithTimeout(c.UserContext(), h.wait)
	defer cancel()
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return busy(ctx.Err(), "sources.push_busy")
	}
	received := time.Now()
	rejected, err := event.Decode(body, format, received, func(_ int, ev event.Event) error {
		events = append(events, ev)
		return nil
	})
	switch {
	case errors.Is(err, errTooLarge):
		return &web.Error{Status: fiber.StatusRequestEntityTooLarge, Text: problem.Msg("sources.push_too_large", MaxDecompressedBytes>>20), Err: err}
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, io.ErrUnexpectedEOF):
		return web.BadRequest("sources.push_gzip_cut", err.Error())
	case err != nil:
		return web.BadRequest("sources.push_unreadable", err.Error())
	}
	accepted, dups, err := h.ing.Spool(ctx, source, events)
	switch {
	case errors.Is(err, ingest.ErrUnavailable): // an outage: 503
		return err
	case errors.Is(err, context.DeadlineExceeded): // waited PushLimits.Wait for the source
		return busy(err, "sources.push_source_busy", source)
	case err != nil:
		return err
	}
	if rejected == nil {
		rejected = []event.LineError{}
	}
	h.counter.WithLabelValues("accepted").Add(float64(accepted))
	h.counter.WithLabelValues("duplicate").Add(float64(dups))
	h.counter.WithLabelValues("rejected").Add(float64(len(rejected)))
	return c.JSON(PushResult{Accepted: accepted, Duplicates: dups, Rejected: rejected})
}

// unsupported is a 415 saying what is not accepted.
func unsupported(key string, args ...any) *web.Error {
	return &web.Error{Status: fiber.StatusUnsupportedMediaType, Text: problem.Msg(key, args...)}
}

// busy is an outage (503 with Retry-After) of a push that waited its turn
// too long; nothing of it is stored.
func busy(err error, key string, args ...any) error {
	return &problem.Error{Kind: problem.ErrUnavailable, Message: problem.Msg(key, args...), Err: err}
}

// limiter is a token bucket per key.
type limiter struct {
	rate    RateLimit
	mu      sync.Mutex
	buckets map[string]*bucket
	now     func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(r RateLimit) *limiter {
	return &limiter{rate: r, buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes one token for key; when none is left it says how many
// seconds until one is.
func (l *limiter) allow(key string) (bool, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.rate.Burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.rate.Burst, b.tokens+now.Sub(b.at).Seconds()*l.rate.PerSecond)
	b.at = now
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := int(math.Ceil((1 - b.tokens) / l.rate.PerSecond))
	return false, max(wait, 1)
}
