package event_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// decoded is what Decode made of a stream.
type decoded struct {
	accepted map[int]event.Event // by line
	rejected map[int]string      // by line
	list     []event.LineError
	err      error
}

func decodeForFuzz(t *testing.T, r io.Reader, f event.Format) decoded {
	d := decoded{accepted: map[int]event.Event{}, rejected: map[int]string{}}
	last := -1
	d.list, d.err = event.Decode(r, f, received, func(line int, ev event.Event) error {
		if line <= last {
			t.Fatalf("event of line %d after line %d", line, last)
		}
		last = line
		d.accepted[line] = ev
		return nil
	})
	for _, r := range d.list {
		if _, twice := d.rejected[r.Line]; twice {
			t.Fatalf("line %d reported twice: %+v", r.Line, d.list)
		}
		if _, ok := d.accepted[r.Line]; ok {
			t.Fatalf("line %d both stored and rejected: %+v", r.Line, r)
		}
		if !strings.Contains(r.Error, ": ") {
			t.Fatalf("rejection without a field: %+v", r)
		}
		d.rejected[r.Line] = r.Error
	}
	return d
}

// FuzzDecode checks, for every format (gzipped or not), that each line of
// the input is stored, rejected with its line number, or blank: none is
// dropped unsaid, none reported twice; and that what is stored is what was
// sent (no U+FFFD that was not in the input, CSV fields as encoding/csv
// reads them).
func FuzzDecode(f *testing.F) {
	for i, body := range []string{pushLikeNDJSON, pushLikeCSV} {
		f.Add([]byte(body), uint8(i*2), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, format uint8, gz bool) {
		fm := []event.Format{event.FormatNDJSON, event.FormatJSON, event.FormatCSV}[int(format)%3]
		d := decodeForFuzz(t, bytes.NewReader(data), fm)
		if gz {
			var buf bytes.Buffer
			zw := gzip.NewWriter(&buf)
			zw.Write(data)
			zw.Close()
			zr, err := gzip.NewReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			z := decodeForFuzz(t, zr, fm)
			if !reflect.DeepEqual(d.list, z.list) || len(d.accepted) != len(z.accepted) || (d.err == nil) != (z.err == nil) {
				t.Fatalf("gzipped: %+v %v, plain: %+v %v", z.list, z.err, d.list, d.err)
			}
		}
		if d.err != nil {
			// Only a CSV header can make a stream unreadable, and then
			// nothing of it was taken.
			if fm != event.FormatCSV || len(d.accepted) > 0 || len(d.list) > 0 {
				t.Fatalf("%s: %v after %d events, %+v", fm, d.err, len(d.accepted), d.list)
			}
			return
		}
		lines := bytes.Split(data, []byte("\n"))
		lines[0] = bytes.TrimPrefix(lines[0], []byte("\uFEFF"))
		switch {
		case fm == event.FormatCSV:
			checkCSVLines(t, lines, d)
		case fm == event.FormatJSON && isArrayBody(data):
			checkArrayElements(t, data, d)
		default:
			checkJSONLines(t, lines, d)
		}
		checkDecoded(t, data, fm)
	})
}

func isArrayBody(data []byte) bool {
	b := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\uFEFF")), " \t\r\n")
	return len(b) > 0 && b[0] == '['
}

// checkJSONLines: NDJSON, numbered by lines.
func checkJSONLines(t *testing.T, lines [][]byte, d decoded) {
	for n := range reportedLines(d) {
		if n < 1 || n > len(lines) {
			t.Fatalf("line %d of %d reported", n, len(lines))
		}
	}
	for i, l := range lines {
		n := i + 1
		_, acc := d.accepted[n]
		_, rej := d.rejected[n]
		if blank := len(bytes.Trim(l, " \t\r\n")) == 0; blank == (acc || rej) {
			t.Fatalf("line %d %q: blank %v, stored %v, rejected %v", n, l, blank, acc, rej)
		}
		if acc {
			checkSentText(t, d.accepted[n], l)
		}
	}
}

// checkArrayElements: a JSON array, numbered by elements.
func checkArrayElements(t *testing.T, data []byte, d decoded) {
	body := bytes.TrimPrefix(data, []byte("\uFEFF"))
	var elems []json.RawMessage
	whole := json.Valid(body) && json.Unmarshal(body, &elems) == nil
	n := len(elems)
	if !whole { // the decoder must have said where it stopped
		n = 0
		for l := range reportedLines(d) {
			n = max(n, l)
		}
		stopped := false
		for _, e := range d.rejected {
			stopped = stopped || strings.Contains(e, "was not read") || strings.Contains(e, "is not closed")
		}
		if !stopped {
			t.Fatalf("a broken array read without saying where it stopped: %+v", d.list)
		}
	} else if _, ok := d.rejected[0]; ok {
		t.Fatalf("a whole array reported as broken: %+v", d.list)
	}
	for i := 1; i <= n; i++ {
		_, acc := d.accepted[i]
		_, rej := d.rejected[i]
		if !acc && !rej {
			t.Fatalf("element %d of %d neither stored nor rejected: %+v", i, n, d.list)
		}
	}
	for l := range reportedLines(d) {
		if l > n || l < 0 {
			t.Fatalf("element %d of %d reported", l, n)
		}
	}
	for _, ev := range d.accepted {
		checkSentText(t, ev, body)
	}
}

// checkCSVLines: each reported line starts a row; the lines up to the next
// reported one are that row (as encoding/csv reads it) and blank lines, or
// only blank lines when the row could not be read; before the first is the
// header.
func checkCSVLines(t *testing.T, lines [][]byte, d decoded) {
	reported := slices.Sorted(func(yield func(int) bool) {
		for l := range reportedLines(d) {
			if !yield(l) {
				return
			}
		}
	})
	if len(reported) > 0 && (reported[0] < 2 || reported[len(reported)-1] > len(lines)) {
		t.Fatalf("lines %v reported of %d", reported, len(lines))
	}
	segment := func(from, to int) []byte { return bytes.Join(lines[from-1:to-1], []byte("\n")) }
	first := len(lines) + 1
	if len(reported) > 0 {
		first = reported[0]
	}
	head := csvRecords(t, segment(1, first))
	if len(head) > 1 || (len(head) == 0 && len(reported) > 0) {
		t.Fatalf("%d rows before line %d, want the header", len(head), first)
	}
	var header []string
	if len(head) == 1 {
		header = head[0]
	}
	for i, s := range reported {
		end := len(lines) + 1
		if i+1 < len(reported) {
			end = reported[i+1]
		}
		e := d.rejected[s]
		if strings.HasPrefix(e, "line: not valid CSV") {
			// encoding/csv cannot read that row either.
			cr := csv.NewReader(bytes.NewReader(segment(s, len(lines)+1)))
			cr.FieldsPerRecord = -1
			if rec, err := cr.Read(); err == nil {
				t.Fatalf("line %d rejected (%s), encoding/csv reads %q", s, e, rec)
			}
		}
		if strings.HasPrefix(e, "line: not valid CSV") || strings.HasPrefix(e, "line: longer than") {
			for n := s + 1; n < end; n++ {
				if len(trimCSVLineEnd(lines[n-1])) > 0 {
					t.Fatalf("line %d %q after the broken row of line %d neither stored nor reported", n, lines[n-1], s)
				}
			}
			continue
		}
		recs := csvRecords(t, segment(s, end))
		if len(recs) != 1 {
			t.Fatalf("lines %d-%d: %d rows, want 1 (%+v)", s, end-1, len(recs), d.list)
		}
		if ev, ok := d.accepted[s]; ok {
			checkCSVFields(t, s, ev, header, recs[0])
		}
	}
}

func csvRecords(t *testing.T, b []byte) [][]string {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatalf("%q: %v", b, err)
	}
	return recs
}

func trimCSVLineEnd(b []byte) []byte {
	return bytes.TrimSuffix(b, []byte("\r"))
}

// checkCSVFields: the stored text fields are the row's cells.
func checkCSVFields(t *testing.T, line int, ev event.Event, header, rec []string) {
	got := map[string]string{"event_id": ev.EventID, "type": ev.Type, "company_cvr": ev.CompanyCVR, "authority_cvr": ev.AuthorityCVR,
		"channel": ev.Channel, "message_ref": ev.MessageRef, "user_ref": ev.UserRef, "rights_model": ev.RightsModel,
		"reason": ev.Reason, "folder": ev.Folder, "role": ev.Role}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		v, known := got[name]
		if !known {
			continue
		}
		cell := ""
		if i < len(rec) {
			cell = rec[i]
		}
		if v != cell {
			t.Fatalf("line %d: %s stored as %q, the row has %q", line, name, v, cell)
		}
	}
}

// checkSentText: a stored JSON text field is in the input (when the input
// has no escapes), and holds U+FFFD only if the input does.
func checkSentText(t *testing.T, ev event.Event, in []byte) {
	for _, v := range []string{ev.EventID, ev.Type, ev.CompanyCVR, ev.AuthorityCVR, ev.Channel, ev.MessageRef, ev.UserRef,
		ev.RightsModel, ev.Reason, ev.Folder, ev.Role} {
		if strings.ContainsRune(v, '\uFFFD') && !bytes.Contains(in, []byte("\uFFFD")) && !bytes.Contains(bytes.ToLower(in), []byte(`\ufffd`)) {
			t.Fatalf("%q stored from %q: U+FFFD that was not sent", v, in)
		}
		if !bytes.ContainsRune(in, '\\') && !bytes.Contains(in, []byte(v)) {
			t.Fatalf("%q stored from %q, which does not hold it", v, in)
		}
	}
}

func reportedLines(d decoded) func(func(int) bool) {
	return func(yield func(int) bool) {
		for l := range d.accepted {
			if !yield(l) {
				return
			}
		}
		for l := range d.rejected {
			if !yield(l) {
				return
			}
		}
	}
}

const pushLikeNDJSON = `{"event_id":"e1","occurred_at":"2012-11-05T09:30:00+01:00","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":true}
{"event_id":"e2","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017","x":1}

{"event_id":"e3","occurred_at":"yesterday","type":"user.login","company_cvr":"10000017"}
`

const pushLikeCSV = "event_id,occurred_at,type,company_cvr,authority_cvr,channel,has_metadata,message_ref\n" +
	"e1,2012-11-05T09:30:00+01:00,message.sent,10000009,10000025,digital,true,\"m, 1\"\n" +
	"e2,2012-11-05T10:30:00Z,user.login,10000017,,,,\n\n" +
	"e3,yesterday,user.login,10000017,,,,\n"
