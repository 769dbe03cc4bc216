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
// BodyLimit (32 MiB); a gzip body is decompressed as a stream and stopped
// with 413 once it passes MaxDecompressedBytes (what was stored before is
// in the answer, see PushStopped), so a gzip bomb is never expanded into
// memory.
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
	// memory their events take (each up to one part, see PushPartEvents).
	slots chan struct{}
	wait  time.Duration // PushLimits.Wait
}

// maxConcurrentPushes is the size of pushHandler.slots; more wait their turn.
const maxConcurrentPushes = 8

var errTooLarge = errors.New("decompressed body too large")

// capReader fails with errTooLarge once more than n bytes were read.
type capReader struct {
	r   io.Reader
	n   int64
	got int64 // bytes read so far
}

// read is how many bytes were read so far.
func (c *capReader) read() int64 { return c.got }

func (c *capReader) Read(p []byte) (int, error) {
	if c.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > c.n+1 {
		p = p[:c.n+1]
	}
	k, err := c.r.Read(p)
	c.n -= int64(k)
	c.got += int64(k)
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
	var body io.Reader = requestBody(c) // as sent: the frame does not decompress it
	switch enc := strings.ToLower(strings.TrimSpace(c.Get(fiber.HeaderContentEncoding))); enc {
	case "", "identity":
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
	decoded := &capReader{r: body, n: MaxDecompressedBytes}

	// The push waits at most PushLimits.Wait for its turn (a slot here),
	// then gets 503: nothing stored.
	ctx, cancel := context.WithTimeout(c.UserContext(), h.wait)
	defer cancel()
	select {
	case h.slots <- struct{}{}:
		defer func() { <-h.slots }()
	case <-ctx.Done():
		return busy(ctx.Err(), "sources.push_busy")
	}
	run := &pushRun{h: h, ctx: c.UserContext(), source: source, decoded: decoded, next: 1, res: PushResult{Rejected: []event.LineError{}},
		keepReading: readWindow(c)}
	err := event.DecodeEach(decoded, format, time.Now(), run.add, run.reject)
	if err == nil && decoded.n < 0 { // a JSON array lists the cut as its last rejected element
		err = errTooLarge
	}
	if err == nil {
		err = run.flush()
	}
	if err == nil {
		rejectedIn(c, run.res.Rejected)
		return c.JSON(run.res)
	}
	return run.stopped(c, err)
}

// rejectedIn puts the reasons of rejected lines in the language the caller
// chose (a signed-in user's, the language cookie's); a program pushing with
// a token has chosen none and reads them in English, as docs/events.md
// shows them.
func rejectedIn(c *fiber.Ctx, rejected []event.LineError) {
	lang, ok := web.LanguageChosen(c)
	if !ok {
		return
	}
	for i := range rejected {
		rejected[i].Error = rejected[i].In(lang)
	}
}

// readWindow returns a function that moves the connection's read deadline
// to the server's read time-out from now (a client that sends a part within
// it may go on).
func readWindow(c *fiber.Ctx) func() {
	conn, timeout := c.Context().Conn(), c.App().Config().ReadTimeout
	return func() {
		if conn != nil && timeout > 0 {
			conn.SetReadDeadline(time.Now().Add(timeout))
		}
	}
}

// requestBody is the request's body as a stream (the frame leaves a large
// body of known length unread), or the bytes the frame read.
func requestBody(c *fiber.Ctx) io.Reader {
	if s := c.Request().BodyStream(); s != nil {
		return s
	}
	return bytes.NewReader(c.Request().Body())
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
