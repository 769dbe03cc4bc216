package sources

import (
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// A push body is decoded as a stream and stored part by part: a part is
// stored for good (durable in the ledger) before the next one is decoded,
// so a push holds at most one part's events, whatever the size of its body.
const (
	// PushPartEvents and PushPartBytes bound a part: it is stored once it
	// has PushPartEvents valid events or PushPartBytes of the decoded
	// (decompressed) body were read for it, whichever comes first.
	PushPartEvents = 5000
	PushPartBytes  = 4 << 20
	// MaxRejectedListed bounds the rejected lines one answer lists: the
	// push stops at the next rejected line (400, saying where).
	MaxRejectedListed = 10_000
)

// PushStopped is the answer to a push that stopped part way (413 over the
// size limit, 400 for a body cut short or too many rejected lines, 503
// when storing failed after an earlier part was stored): the error, what
// was stored before it (the counts are of the whole body up to there) and
// StoppedAtLine, the first line not stored. Every line before it was
// stored, a duplicate or rejected; sending the whole body again is safe.
type PushStopped struct {
	Error string `json:"error"`
	PushResult
	StoppedAtLine int `json:"stopped_at_line"`
}

var errTooManyRejected = errors.New("too many rejected lines")

// stopError stops a push at line. storing: storing the part from line on
// failed (else the decoding stopped there).
type stopError struct {
	err     error
	line    int
	storing bool
}

func (e *stopError) Error() string { return e.err.Error() }
func (e *stopError) Unwrap() error { return e.err }

// pushRun is one push being decoded and stored part by part.
type pushRun struct {
	h       *pushHandler
	ctx     context.Context
	source  string
	decoded *capReader
	res     PushResult // of the whole body so far

	part       []event.Event // decoded, not yet stored
	partLine   int           // the line of the part's first event
	partStart  int64         // decoded bytes read before the part
	newest     time.Time     // the newest event of the part
	next       int           // the line after the last one decoded
	unrecorded int           // rejected lines of the part
	uncounted  progress      // stored, not yet added to the source's counts
	// keepReading gives the rest of the body a new read time-out: the
	// server's covers reading the request, and a large body is read only as
	// fast as its parts are stored.
	keepReading func()
}

// add takes a valid event; a full part is stored.
func (r *pushRun) add(line int, ev event.Event) error {
	if len(r.part) == 0 {
		r.partLine = line
		if r.part == nil {
			r.part = make([]event.Event, 0, PushPartEvents)
		}
	}
	r.part = append(r.part, ev)
	if ev.OccurredAt.After(r.newest) {
		r.newest = ev.OccurredAt
	}
	r.next = line + 1
	if len(r.part) >= PushPartEvents || r.decoded.read()-r.partStart >= PushPartBytes {
		return r.flush()
	}
	return nil
}

// reject lists a rejected line, up to MaxRejectedListed; the next one
// stops the push.
func (r *pushRun) reject(le event.LineError) error {
	if len(r.res.Rejected) >= MaxRejectedListed {
		return &stopError{err: errTooManyRejected, line: le.Line}
	}
	r.res.Rejected = append(r.res.Rejected, le)
	r.unrecorded++
	if le.Line > 0 {
		r.next = le.Line + 1
	}
	return nil
}

// flush stores the part (waiting at most PushLimits.Wait for the source)
// and adds its counts to the answer and to the source's push counts.
func (r *pushRun) flush() error {
	if len(r.part) == 0 && r.unrecorded == 0 {
		return nil
	}
	var accepted, dups int
	if len(r.part) > 0 {
		ctx, cancel := context.WithTimeout(r.ctx, r.h.wait)
		var err error
		accepted, dups, err = r.h.ing.Spool(ctx, r.source, r.part)
		cancel()
		if err != nil {
			return &stopError{err: err, line: r.partLine, storing: true}
		}
	}
	r.res.Accepted += accepted
	r.res.Duplicates += dups
	r.h.counter.WithLabelValues("accepted").Add(float64(accepted))
	r.h.counter.WithLabelValues("duplicate").Add(float64(dups))
	r.h.counter.WithLabelValues("rejected").Add(float64(r.unrecorded))
	p := &r.uncounted
	p.Accepted, p.Duplicates, p.Rejected = p.Accepted+accepted, p.Duplicates+dups, p.Rejected+r.unrecorded
	if r.newest.After(p.Newest) {
		p.Newest = r.newest
	}
	// The part's memory is reused for the next part: Spool keeps nothing of
	// the events it was given.
	r.part, r.newest, r.unrecorded, r.partStart = r.part[:0], time.Time{}, 0, r.decoded.read()
	r.keepReading()
	// The source's counts are a status figure: failing to add them does not
	// fail the push (its events are stored); they are added with the next part's.
	if err := r.h.sources.recordPush(context.WithoutCancel(r.ctx), r.source, *p); err != nil {
		slog.Warn("push: the source's counts could not be noted", "source", r.source, "err", err)
	} else {
		*p = progress{}
	}
	return nil
}

// stopped answers a push that stopped with err: what was decoded before
// is stored first, then the answer says what was stored and where it
// stopped. A push whose storing failed before anything of it was stored
// gets the plain error (503: nothing was kept).
func (r *pushRun) stopped(c *fiber.Ctx, err error) error {
	stop, cause := r.next, err
	var se *stopError
	if errors.As(err, &se) {
		stop, cause = se.line, se.err
	}
	if se == nil || !se.storing {
		if ferr := r.flush(); errors.As(ferr, &se) {
			stop, cause = se.line, se.err
		}
	}
	var answer error
	if se != nil && se.storing {
		answer = r.storeProblem(cause)
		if r.res.Accepted+r.res.Duplicates == 0 {
			return answer
		}
	} else {
		answer = decodeProblem(cause)
	}
	status, body, retry := web.Problem(answer, web.Language(c))
	if retry > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
	}
	rejectedIn(c, r.res.Rejected)
	return c.Status(status).JSON(PushStopped{Error: body.Error, PushResult: r.res, StoppedAtLine: stop})
}

// storeProblem is the answer to a failed Spool.
func (r *pushRun) storeProblem(err error) error {
	switch {
	case errors.Is(err, ingest.ErrUnavailable): // an outage: 503
		return err
	case errors.Is(err, context.DeadlineExceeded): // waited PushLimits.Wait for the source
		return busy(err, "sources.push_source_busy", r.source)
	}
	return err
}

// decodeProblem is the answer to a body whose decoding stopped.
func decodeProblem(err error) error {
	switch {
	case errors.Is(err, errTooLarge):
		return &web.Error{Status: fiber.StatusRequestEntityTooLarge, Text: problem.Msg("sources.push_too_large", MaxDecompressedBytes>>20), Err: err}
	case errors.Is(err, errTooManyRejected):
		return web.BadRequest("sources.push_too_many_rejected", MaxRejectedListed)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.Is(err, io.ErrUnexpectedEOF):
		return web.BadRequest("sources.push_gzip_cut", err.Error())
	}
	if m, ok := problem.MessageOf(err); ok { // e.g. a CSV header naming no event_id
		return web.BadRequest("sources.push_unreadable", m)
	}
	return web.BadRequest("sources.push_unreadable", err.Error())
}
