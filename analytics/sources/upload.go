package sources

import (
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/audit"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// UploadChunk is how many events of an uploaded file one store (Spool)
// takes: the memory an upload holds is one chunk, and every chunk is
// durable before the next is read.
const UploadChunk = 5000

// maxShownRejections bounds the rejected lines an upload's result page lists.
const maxShownRejections = 200

// uploadWait bounds how long an upload waits for its source (held, e.g., by
// a CLI import of it) before it is answered busy.
const uploadWait = 60 * time.Second

// Stored is what storing a stream of events did.
type Stored struct {
	Accepted   int               `json:"accepted"`
	Duplicates int               `json:"duplicates"`
	Rejected   []event.LineError `json:"rejected"`
}

// SpoolStream decodes the events of r and stores them with es under
// source, chunk events at a time (each chunk stored for good before the
// next is decoded): the same validation and exactly-once storage as a
// push, in bounded memory. seen, if not nil, is told of each valid event as
// it is decoded. On an error, what it returns was stored; a failure to
// store is a storeError.
func SpoolStream(ctx context.Context, es EventStore, source string, r io.Reader, format event.Format, chunk int, seen func(line int, ev event.Event)) (Stored, error) {
	var st Stored
	batch := make([]event.Event, 0, chunk)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		acc, dup, err := es.Spool(ctx, source, batch)
		if err != nil {
			return storeError{err}
		}
		st.Accepted += acc
		st.Duplicates += dup
		batch = batch[:0]
		return nil
	}
	rejected, err := event.Decode(r, format, time.Now(), func(line int, ev event.Event) error {
		if seen != nil {
			seen(line, ev)
		}
		batch = append(batch, ev)
		if len(batch) >= chunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	st.Rejected = rejected
	return st, err
}

// uploadView is the result of an upload, on the sources page.
type uploadView struct {
	File   string
	Source string
	Stored
	RejectedCount int         // every rejected line, listed or not
	Lines         []shownLine // the rejected lines listed
	More          int         // rejected lines not listed
	Error         string      // why the file was not read to its end (translated)
}

// shownLine is a rejected line as the page lists it: why in the reader's language.
type shownLine struct {
	Line   int
	Reason string
}

// uploadForm takes an events file (NDJSON, NDJSON.gz, JSON, CSV) for a
// chosen source from the sources page and shows what was stored.
func (h *sourceHandler) uploadForm(c *fiber.Ctx) error {
	lang := web.Language(c)
	refuse := func(field, key string, args ...any) error {
		c.Status(fiber.StatusBadRequest)
		return h.renderList(c, web.PageData{Fields: problem.Fields{{Field: field, Message: problem.Msg(key, args...)}}}, nil)
	}
	id, err := strconv.ParseInt(c.FormValue("source"), 10, 64)
	if err != nil {
		return refuse("upload_source", "field.required")
	}
	src, err := h.sources.Get(c.UserContext(), id)
	if errors.Is(err, ErrSourceNotFound) {
		return refuse("upload_source", "sources.not_found")
	}
	if err != nil {
		return err
	}
	fh, err := c.FormFile("file")
	if err != nil {
		return refuse("upload_file", "sources.upload_attach")
	}
	name := filepath.Base(fh.Filename)
	format, gzipped, err := event.FormatOf(name)
	if err != nil {
		return refuse("upload_file", "sources.upload_format", name)
	}
	f, err := fh.Open()
	if err != nil {
		return refuse("upload_file", "sources.push_unreadable", err.Error())
	}
	defer f.Close()
	var r io.Reader = bufio.NewReaderSize(f, 256<<10)
	if gzipped {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return refuse("upload_file", "sources.push_bad_gzip", err.Error())
		}
		defer zr.Close()
		r = zr
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), uploadWait)
	defer cancel()
	st, err := SpoolStream(ctx, h.ingester, src.Name, &capReader{r: r, n: MaxDecompressedBytes}, format, UploadChunk, nil)
	v := &uploadView{File: name, Source: src.Name, Stored: st}
	switch {
	case err == nil:
	case errors.Is(err, ingest.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		// Nothing after the chunks stored was kept; say so with the counts.
		v.Error = web.Translate(lang, "sources.upload_store_failed")
	case errors.As(err, new(storeError)):
		return err
	case errors.Is(err, errTooLarge):
		v.Error = fmt.Sprintf(web.Translate(lang, "sources.push_too_large"), MaxDecompressedBytes>>20)
	default:
		var why any = err.Error()
		if m, ok := problem.MessageOf(err); ok { // e.g. a CSV header naming no event_id
			why = m
		}
		v.Error = problem.Msg("sources.push_unreadable", why).In(lang)
	}
	v.RejectedCount = len(v.Rejected)
	if len(v.Rejected) > maxShownRejections {
		v.More = len(v.Rejected) - maxShownRejections
	}
	h.audit.Record(c.UserContext(), audit.Entry{Actor: web.PrincipalOf(c).Email, Action: audit.Import, Target: "events " + name,
		Detail: fmt.Sprintf("source=%s accepted=%d duplicates=%d rejected=%d upload", src.Name, st.Accepted, st.Duplicates, len(st.Rejected)), IP: c.IP()})
	if v.Error != "" {
		c.Status(fiber.StatusBadRequest)
	}
	for _, le := range v.Rejected[:min(len(v.Rejected), maxShownRejections)] {
		v.Lines = append(v.Lines, shownLine{Line: le.Line, Reason: le.In(lang)})
	}
	return h.renderList(c, web.PageData{}, v)
}
