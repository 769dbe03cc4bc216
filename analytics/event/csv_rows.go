package event

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// csvRows reads CSV rows the way encoding/csv does (RFC 4180: a quoted field
// may span lines and holds "" for a quote; a line ends with \n or \r\n; blank
// lines are skipped), but it goes on after a row it cannot read: that row is
// reported at its first line and reading starts again at the line after it.
// (encoding/csv cannot resynchronise: an unclosed quote swallows the rest of
// the stream.) A row whose quoted field runs over several lines and then
// breaks is therefore read again from its second line, whose lines are rows
// of their own then; every line ends up in exactly one row or report.
//
// This costs no rescanning to speak of: a line that keeps a quoted field
// open holds an even number of quotes, so read as a row of its own it
// closes on itself (or is broken there).
type csvRows struct {
	br      *bufio.Reader
	n       int       // lines read from br
	eof     bool      // br is exhausted
	pending []csvLine // lines handed back after a broken row, read first
}

type csvLine struct {
	n    int
	text string // without its line ending; "" when long
	long bool   // longer than MaxLineBytes (its text was skipped)
}

// csvRow is one row: its first line and fields, or why it cannot be read
// (its LineError's).
type csvRow struct {
	line   int
	fields []string
	err    *FieldError
}

func newCSVRows(r io.Reader) *csvRows {
	return &csvRows{br: bufio.NewReaderSize(r, MaxLineBytes+1)}
}

// line returns the next line; ok is false at the end.
func (r *csvRows) line() (l csvLine, ok bool, err error) {
	if len(r.pending) > 0 {
		l, r.pending = r.pending[0], r.pending[1:]
		return l, true, nil
	}
	if r.eof {
		return csvLine{}, false, nil
	}
	b, err := r.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) { // skip the rest of the line
			_, err = r.br.ReadSlice('\n')
		}
		b = nil
		l.long = true
	}
	switch {
	case err == io.EOF:
		r.eof = true
		if len(b) == 0 && !l.long {
			return csvLine{}, false, nil
		}
	case err != nil:
		return csvLine{}, false, err
	}
	r.n++
	l.n = r.n
	b = trimLineEnd(b)
	if r.n == 1 {
		b = bytes.TrimPrefix(b, utf8BOM)
	}
	if len(b) > MaxLineBytes {
		l.long = true
	} else if !l.long {
		l.text = string(b)
	}
	return l, true, nil
}

// trimLineEnd drops a line's \n and one \r before it (or a last line's \r),
// as encoding/csv does.
func trimLineEnd(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}

// giveBack puts lines back to be read next, in order.
func (r *csvRows) giveBack(lines []csvLine) {
	r.pending = append(append(make([]csvLine, 0, len(lines)+len(r.pending)), lines...), r.pending...)
}

// next returns the next row; ok is false at the end. err is only for a
// failing reader.
func (r *csvRows) next() (row csvRow, ok bool, err error) {
	var first csvLine
	for {
		if first, ok, err = r.line(); !ok || err != nil {
			return csvRow{}, ok, err
		}
		if first.long {
			return csvRow{line: first.n, err: fieldErr("line", "event.line_too_long", MaxLineBytes)}, true, nil
		}
		if first.text != "" {
			break
		}
	}
	row.line = first.n
	lines := []csvLine{first} // the lines of this row
	size := len(first.text)
	text, pos := first.text, 0
	// broken reports the row at its first line and hands back the lines
	// after that one (read again as rows of their own).
	broken := func(why string) (csvRow, bool, error) {
		if len(lines) > 1 {
			why = "event.csv_unclosed"
			r.giveBack(lines[1:])
		}
		return csvRow{line: first.n, err: fieldErr("line", "event.csv", problem.Msg(why))}, true, nil
	}
	var quoted []byte
	for {
		if pos >= len(text) || text[pos] != '"' { // a field without quotes
			field := text[pos:]
			if i := strings.IndexByte(field, ','); i >= 0 {
				field = field[:i]
			}
			if strings.IndexByte(field, '"') >= 0 {
				return broken("event.csv_bare_quote") // csv.ErrBareQuote
			}
			row.fields = append(row.fields, field)
			if pos += len(field); pos >= len(text) {
				return row, true, nil
			}
			pos++ // the comma
			continue
		}
		quoted, pos = quoted[:0], pos+1
		for {
			i := strings.IndexByte(text[pos:], '"')
			if i < 0 { // the field goes on in the next line
				quoted = append(append(quoted, text[pos:]...), '\n')
				l, ok, err := r.line()
				if err != nil {
					return csvRow{}, false, err
				}
				if !ok {
					return broken("event.csv_unclosed")
				}
				lines = append(lines, l)
				if size += len(l.text) + 1; l.long || size > MaxLineBytes {
					r.giveBack(lines[1:])
					return csvRow{line: first.n, err: fieldErr("line", "event.line_too_long_quoted", MaxLineBytes)}, true, nil
				}
				text, pos = l.text, 0
				continue
			}
			quoted = append(quoted, text[pos:pos+i]...)
			pos += i + 1
			if pos < len(text) && text[pos] == '"' { // "" is a quote
				quoted = append(quoted, '"')
				pos++
				continue
			}
			if pos < len(text) && text[pos] != ',' {
				return broken("event.csv_quote") // csv.ErrQuote
			}
			row.fields = append(row.fields, string(quoted))
			if pos >= len(text) {
				return row, true, nil
			}
			pos++ // the comma
			break
		}
	}
}
