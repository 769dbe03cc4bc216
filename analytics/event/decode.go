package event

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Format is the layout of a stream of events.
type Format string

// Formats Decode reads.
const (
	FormatNDJSON Format = "ndjson" // one JSON object per line
	FormatJSON   Format = "json"   // one JSON array of objects
	FormatCSV    Format = "csv"    // a header row naming the fields, then one event per row
)

// MaxLineBytes is the longest NDJSON line (or CSV row) accepted; a longer
// one is rejected on its own, the rest of the stream is read on.
const MaxLineBytes = 64 << 10

// FormatOf picks the format from a file name: .ndjson/.jsonl, .json, .csv,
// each optionally followed by .gz (then gzipped is true).
func FormatOf(filename string) (f Format, gzipped bool, err error) {
	name := strings.ToLower(filename)
	if strings.HasSuffix(name, ".gz") {
		gzipped = true
		name = strings.TrimSuffix(name, ".gz")
	}
	switch {
	case strings.HasSuffix(name, ".ndjson"), strings.HasSuffix(name, ".jsonl"):
		return FormatNDJSON, gzipped, nil
	case strings.HasSuffix(name, ".json"):
		return FormatJSON, gzipped, nil
	case strings.HasSuffix(name, ".csv"):
		return FormatCSV, gzipped, nil
	}
	return "", false, fmt.Errorf("%s: unknown file type: want .ndjson, .jsonl, .json or .csv (optionally .gz)", filename)
}

// LineError is one rejected event: its line (NDJSON, CSV: the line in the
// file; JSON array: the element's position, from 1) and why, in English
// (Error, as the push answer, the CLI and a directory source's
// .rejected.txt say it) and in the reader's language (In).
type LineError struct {
	Line    int             `json:"line"`
	Error   string          `json:"error"` // like "occurred_at: not an RFC 3339 time"
	Message problem.Message `json:"-"`     // Error as a message (i18n.go); zero when made elsewhere
}

// In is why the line was rejected, in lang: "field: reason".
func (le LineError) In(lang string) string {
	if le.Message.IsZero() {
		return le.Error
	}
	return le.Message.In(lang)
}

// rejection is line rejected for fe.
func rejection(line int, fe *FieldError) LineError {
	m := fe.ProblemMessage()
	return LineError{Line: line, Error: m.String(), Message: m}
}

// Decode streams events from r, validating each; valid ones go to fn in
// order; invalid ones are collected. err is only for an unreadable stream
// (or fn's error); the events passed to fn before it stay passed.
func Decode(r io.Reader, f Format, received time.Time, fn func(line int, ev Event) error) ([]LineError, error) {
	var rejected []LineError
	err := DecodeEach(r, f, received, fn, func(le LineError) error {
		rejected = append(rejected, le)
		return nil
	})
	return rejected, err
}

// DecodeEach is Decode handing each invalid event to reject as it is found
// (in order with the valid ones) instead of collecting them, so a caller
// can bound what it keeps: an error of fn or reject stops the stream and
// is returned.
func DecodeEach(r io.Reader, f Format, received time.Time, fn func(line int, ev Event) error, reject func(LineError) error) error {
	switch f {
	case FormatNDJSON:
		return decodeNDJSON(r, 1, received, fn, reject)
	case FormatJSON:
		return decodeJSONArray(r, received, fn, reject)
	case FormatCSV:
		return decodeCSV(r, received, fn, reject)
	}
	return fmt.Errorf("unknown event format %q", f)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// isJSONSpace reports whether c is white space to JSON (a line of nothing
// else is blank; anything else on a line is an event or an error).
func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// decodeNDJSON reads lines, the first of which is line first.
func decodeNDJSON(r io.Reader, first int, received time.Time, fn func(int, Event) error, reject func(LineError) error) error {
	br := bufio.NewReaderSize(r, MaxLineBytes+1)
	var arena textArena
	for line := first; ; line++ {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if rerr := reject(rejection(line, fieldErr("line", "event.line_too_long", MaxLineBytes))); rerr != nil {
				return rerr
			}
			for errors.Is(err, bufio.ErrBufferFull) { // skip the rest of the line
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			continue
		}
		if err != nil && err != io.EOF {
			return err
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if t := bytes.TrimFunc(b, func(r rune) bool { return r < utf8.RuneSelf && isJSONSpace(byte(r)) }); len(t) > 0 {
			ev, perr := parseEventText(t, arena.text(t), received)
			if perr != nil {
				if rerr := reject(rejection(line, asFieldError(perr))); rerr != nil {
					return rerr
				}
			} else if ferr := fn(line, ev); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

func decodeJSONArray(r io.Reader, received time.Time, fn func(int, Event) error, reject func(LineError) error) error {
	br := bufio.NewReader(r)
	// Skip a BOM and blanks; a body that is not an array is read as NDJSON
	// (a single object is a one-line NDJSON stream), numbered from the
	// line it starts on.
	if b, _ := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		br.Discard(len(utf8BOM))
	}
	newlines, c, err := skipJSONSpace(br)
	if err == io.EOF {
		return nil
	}
	if err != nil {
		return err
	}
	if c != '[' {
		return decodeNDJSON(br, 1+newlines, received, fn, reject)
	}
	dec := json.NewDecoder(br)
	if _, err := dec.Token(); err != nil { // the '['
		return err
	}
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// The array itself is broken: nothing after this point can be read.
			fe := fieldErr("event", "event.body_ended")
			if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
				fe = jsonFieldError(err)
			}
			fe.Message = problem.Msg("event.rest_not_read", fe.Message)
			return reject(rejection(n, fe))
		}
		ev, perr := ParseEventJSON(raw, received)
		if perr != nil {
			if rerr := reject(rejection(n, asFieldError(perr))); rerr != nil {
				return rerr
			}
			continue
		}
		if err := fn(n, ev); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the ']'
		return reject(rejection(0, fieldErr("event", "event.array_not_closed")))
	}
	// Only white space may follow the array.
	switch _, _, err := skipJSONSpace(bufio.NewReader(io.MultiReader(dec.Buffered(), br))); {
	case err == io.EOF:
		return nil
	case err != nil:
		return err
	}
	return reject(rejection(0, fieldErr("event", "event.text_after_array")))
}

// skipJSONSpace reads past white space, counting the newlines in it, and
// returns the next byte, left unread; err is io.EOF when there is none.
func skipJSONSpace(br *bufio.Reader) (newlines int, next byte, err error) {
	for {
		c, err := br.ReadByte()
		if err != nil {
			return newlines, 0, err
		}
		if !isJSONSpace(c) {
			return newlines, c, br.UnreadByte()
		}
		if c == '\n' {
			newlines++
		}
	}
}

// csvColumns maps header names to the field setters.
var csvColumns = map[string]func(r *rawEvent, v string) error{
	"event_id":      func(r *rawEvent, v string) error { r.EventID = v; return nil },
	"occurred_at":   func(r *rawEvent, v string) error { r.OccurredAt = v; return nil },
	"type":          func(r *rawEvent, v string) error { r.Type = v; return nil },
	"company_cvr":   func(r *rawEvent, v string) error { r.CompanyCVR = v; return nil },
	"authority_cvr": func(r *rawEvent, v string) error { r.AuthorityCVR = v; return nil },
	"channel":       func(r *rawEvent, v string) error { r.Channel = v; return nil },
	"has_metadata":  func(r *rawEvent, v string) error { return csvBool(&r.HasMetadata, "has_metadata", v) },
	"has_deep_link": func(r *rawEvent, v string) error { return csvBool(&r.HasDeepLink, "has_deep_link", v) },
	"by_rule":       func(r *rawEvent, v string) error { return csvBool(&r.ByRule, "by_rule", v) },
	"message_ref":   func(r *rawEvent, v string) error { r.MessageRef = v; return nil },
	"user_ref":      func(r *rawEvent, v string) error { r.UserRef = v; return nil },
	"rights_model":  func(r *rawEvent, v string) error { r.RightsModel = v; return nil },
	"reason":        func(r *rawEvent, v string) error { r.Reason = v; return nil },
	"folder":        func(r *rawEvent, v string) error { r.Folder = v; return nil },
	"role":          func(r *rawEvent, v string) error { r.Role = v; return nil },
}

func csvBool(dst **bool, field, v string) error {
	var b bool
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "":
		*dst = nil
		return nil
	case "true", "1", "yes":
		b = true
	case "false", "0", "no":
		b = false
	default:
		return fieldErr(field, "event.bool_csv", clip(v))
	}
	*dst = &b
	return nil
}

func decodeCSV(r io.Reader, received time.Time, fn func(int, Event) error, reject func(LineError) error) error {
	rows := newCSVRows(r)
	header, ok, err := rows.next()
	if !ok || err != nil {
		return err
	}
	if header.err != nil {
		return problem.Reason("event.csv_header_line", header.line, header.err.Message)
	}
	names := make([]string, len(header.fields))
	setters := make([]func(*rawEvent, string) error, len(header.fields))
	seen := map[string]bool{}
	for i, h := range header.fields {
		name := strings.ToLower(strings.TrimSpace(h))
		if seen[name] && csvColumns[name] != nil {
			return problem.Reason("event.csv_header_twice", name)
		}
		seen[name] = true
		names[i] = name
		setters[i] = csvColumns[name] // nil: an unknown column, ignored
	}
	if !seen["event_id"] {
		return problem.Reason("event.csv_no_event_id")
	}
	for {
		row, ok, err := rows.next()
		if !ok || err != nil {
			return err
		}
		if row.err != nil {
			if err := reject(rejection(row.line, row.err)); err != nil {
				return err
			}
			continue
		}
		ev, fe := csvEvent(row.fields, names, setters, received)
		if fe != nil {
			if err := reject(rejection(row.line, fe)); err != nil {
				return err
			}
			continue
		}
		if err := fn(row.line, ev); err != nil {
			return err
		}
	}
}

// csvEvent validates one CSV row. Text that is not UTF-8 rejects it, in any
// column (an unknown one too: the file is then not in the encoding it must
// be in).
func csvEvent(fields, names []string, setters []func(*rawEvent, string) error, received time.Time) (Event, *FieldError) {
	for i, v := range fields {
		if i < len(names) && !utf8.ValidString(v) {
			name := names[i]
			if !utf8.ValidString(name) || name == "" {
				fe := fieldErr(fmt.Sprintf("column %d", i+1), "event.not_utf8")
				fe.label = problem.Msg("event.part_column", i+1)
				return Event{}, fe
			}
			return Event{}, fieldErr(clip(name), "event.not_utf8")
		}
	}
	var raw rawEvent
	for i, v := range fields {
		if i < len(setters) && setters[i] != nil {
			if err := setters[i](&raw, v); err != nil {
				return Event{}, asFieldError(err)
			}
		}
	}
	return parseValidated(&raw, received)
}
