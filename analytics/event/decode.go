package event

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
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
// file; JSON array: the element's position, from 1) and why.
type LineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"` // like "occurred_at: not an RFC 3339 time"
}

// Decode streams events from r, validating each; valid ones go to fn in
// order; invalid ones are collected. err is only for an unreadable stream
// (or fn's error); the events passed to fn before it stay passed.
func Decode(r io.Reader, f Format, received time.Time, fn func(line int, ev Event) error) ([]LineError, error) {
	switch f {
	case FormatNDJSON:
		return decodeNDJSON(r, received, fn)
	case FormatJSON:
		return decodeJSONArray(r, received, fn)
	case FormatCSV:
		return decodeCSV(r, received, fn)
	}
	return nil, fmt.Errorf("unknown event format %q", f)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func decodeNDJSON(r io.Reader, received time.Time, fn func(int, Event) error) ([]LineError, error) {
	br := bufio.NewReaderSize(r, MaxLineBytes+1)
	var rejected []LineError
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			rejected = append(rejected, LineError{Line: line, Error: fmt.Sprintf("line: longer than %d bytes", MaxLineBytes)})
			for errors.Is(err, bufio.ErrBufferFull) { // skip the rest of the line
				_, err = br.ReadSlice('\n')
			}
			if err == io.EOF {
				return rejected, nil
			}
			if err != nil {
				return rejected, err
			}
			continue
		}
		if err != nil && err != io.EOF {
			return rejected, err
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, utf8BOM)
		}
		if t := bytes.TrimSpace(b); len(t) > 0 {
			ev, perr := ParseEventJSON(t, received)
			if perr != nil {
				rejected = append(rejected, LineError{Line: line, Error: perr.Error()})
			} else if ferr := fn(line, ev); ferr != nil {
				return rejected, ferr
			}
		}
		if err == io.EOF {
			return rejected, nil
		}
	}
}

func decodeJSONArray(r io.Reader, received time.Time, fn func(int, Event) error) ([]LineError, error) {
	br := bufio.NewReader(r)
	// Skip a BOM and blanks; a body that is not an array is read as NDJSON
	// (a single object is a one-line NDJSON stream).
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if c == 0xEF {
			if rest, _ := br.Peek(2); bytes.Equal(rest, utf8BOM[1:]) {
				br.Discard(2)
				continue
			}
		}
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' {
			continue
		}
		br.UnreadByte()
		if c != '[' {
			return decodeNDJSON(br, received, fn)
		}
		break
	}
	dec := json.NewDecoder(br)
	if _, err := dec.Token(); err != nil { // the '['
		return nil, err
	}
	var rejected []LineError
	for n := 1; dec.More(); n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			// The array itself is broken: nothing after this point can be read.
			rejected = append(rejected, LineError{Line: n, Error: jsonFieldError(err).Error() + "; the rest of the array was not read"})
			return rejected, nil
		}
		ev, perr := ParseEventJSON(raw, received)
		if perr != nil {
			rejected = append(rejected, LineError{Line: n, Error: perr.Error()})
			continue
		}
		if err := fn(n, ev); err != nil {
			return rejected, err
		}
	}
	if _, err := dec.Token(); err != nil { // the ']'
		rejected = append(rejected, LineError{Line: 0, Error: "event: the JSON array is not closed"})
	}
	return rejected, nil
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
		return fieldErr(field, "must be true, false or empty, not %q", clip(v))
	}
	*dst = &b
	return nil
}

func decodeCSV(r io.Reader, received time.Time, fn func(int, Event) error) ([]LineError, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("CSV header: %w", err)
	}
	setters := make([]func(*rawEvent, string) error, len(header))
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\uFEFF")))
		if seen[name] && csvColumns[name] != nil {
			return nil, fmt.Errorf("CSV header: column %q appears twice", name)
		}
		seen[name] = true
		setters[i] = csvColumns[name] // nil: an unknown column, ignored
	}
	if !seen["event_id"] {
		return nil, errors.New("CSV header: no event_id column (the first row must name the fields)")
	}
	var rejected []LineError
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return rejected, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && !errors.Is(pe.Err, csv.ErrFieldCount) {
				rejected = append(rejected, LineError{Line: pe.Line, Error: "line: not valid CSV (" + pe.Err.Error() + ")"})
				if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
					// The reader cannot resync after a broken quote reliably; stop here.
					return rejected, nil
				}
				continue
			}
			return rejected, err
		}
		line, _ := cr.FieldPos(0)
		size := 0
		for _, v := range rec {
			size += len(v)
		}
		if size > MaxLineBytes {
			rejected = append(rejected, LineError{Line: line, Error: fmt.Sprintf("line: longer than %d bytes", MaxLineBytes)})
			continue
		}
		var raw rawEvent
		var ferr error
		for i, v := range rec {
			if i < len(setters) && setters[i] != nil {
				if ferr = setters[i](&raw, v); ferr != nil {
					break
				}
			}
		}
		if ferr != nil {
			rejected = append(rejected, LineError{Line: line, Error: ferr.Error()})
			continue
		}
		ev, verr := raw.validate(received)
		if verr != nil {
			rejected = append(rejected, LineError{Line: line, Error: verr.Error()})
			continue
		}
		if err := fn(line, ev); err != nil {
			return rejected, err
		}
	}
}
