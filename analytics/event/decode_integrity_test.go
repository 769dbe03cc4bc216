package event_test

import (
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
)

// integrityFields is a valid message.sent with every string field set.
var integrityFields = [][2]string{{"event_id", "e2"}, {"occurred_at", "2012-11-05T10:00:00Z"}, {"type", "message.sent"},
	{"company_cvr", "10000009"}, {"authority_cvr", "10000025"}, {"channel", "digital"}, {"message_ref", "m-1"},
	{"user_ref", "u-1"}, {"rights_model", "standard"}, {"reason", "r"}, {"folder", "Indbakke"}, {"role", "admin"}}

// integrityBody renders three events (ids e1, e2, e3) in a format; the
// middle one gets bad appended to the field named field. slow adds a number
// field, which sends a JSON line past the fast path.
func integrityBody(f event.Format, field, bad string, slow bool) string {
	var rows []string
	for _, id := range []string{"e1", "e2", "e3"} {
		var names, values, pairs []string
		for _, kv := range integrityFields {
			v := kv[1]
			if kv[0] == "event_id" {
				v = id
			}
			if id == "e2" && kv[0] == field {
				v += bad
			}
			names = append(names, kv[0])
			values = append(values, v)
			pairs = append(pairs, `"`+kv[0]+`":"`+v+`"`)
		}
		if slow {
			pairs = append(pairs, `"n":1`)
		}
		switch f {
		case event.FormatCSV:
			if len(rows) == 0 {
				rows = append(rows, strings.Join(names, ","))
			}
			rows = append(rows, strings.Join(values, ","))
		default:
			rows = append(rows, "{"+strings.Join(pairs, ",")+"}")
		}
	}
	if f == event.FormatJSON {
		return "[" + strings.Join(rows, ",\n") + "]"
	}
	return strings.Join(rows, "\n") + "\n"
}

// Bytes that are not UTF-8 are rejected naming the field, in every format;
// before, JSON replaced them with U+FFFD (so two different ids became one).
func TestDecodeRejectsInvalidUTF8(t *testing.T) {
	for _, c := range []struct {
		name string
		f    event.Format
		slow bool
		line int
	}{{"ndjson", event.FormatNDJSON, false, 2}, {"ndjson slow path", event.FormatNDJSON, true, 2},
		{"json array", event.FormatJSON, false, 2}, {"json array slow path", event.FormatJSON, true, 2}, {"csv", event.FormatCSV, false, 3}} {
		for _, kv := range integrityFields {
			for _, bad := range []string{"\xff", "\xc3", "\xed\xa0\x80"} {
				body := integrityBody(c.f, kv[0], bad, c.slow)
				evs, rej := analyticstest.DecodeAll(t, body, c.f)
				if len(evs) != 2 || evs[0].EventID != "e1" || evs[1].EventID != "e3" || len(rej) != 1 || rej[0].Line != c.line ||
					rej[0].Error != kv[0]+": not valid UTF-8" {
					t.Errorf("%s, %s+%q: events %d, rejected %+v; want line %d %q", c.name, kv[0], bad, len(evs), rej, c.line, kv[0]+": not valid UTF-8")
				}
			}
		}
	}
	// The finding: two ids differing only in bytes that are not UTF-8.
	line := func(id string) string {
		return `{"event_id":"` + id + `","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}`
	}
	evs, rej := analyticstest.DecodeAll(t, line("a\xff")+"\n"+line("a\xfe")+"\n", event.FormatNDJSON)
	if len(evs) != 0 || len(rej) != 2 || rej[0].Line != 1 || rej[1].Line != 2 || rej[0].Error != "event_id: not valid UTF-8" {
		t.Fatalf("ids a\\xff, a\\xfe: events %+v, rejected %+v", evs, rej)
	}
	// A lone surrogate escape would become U+FFFD just the same.
	for _, esc := range []string{`a\ud800`, `a\udc00b`, `\ud800\u0041`, `\uDBFF`} {
		evs, rej = analyticstest.DecodeAll(t, line(esc), event.FormatNDJSON)
		if len(evs) != 0 || len(rej) != 1 || !strings.HasPrefix(rej[0].Error, "event_id: not valid UTF-8") {
			t.Errorf("id %s: events %+v, rejected %+v", esc, evs, rej)
		}
	}
	// A surrogate pair and an escaped U+FFFD are text like any other.
	evs, rej = analyticstest.DecodeAll(t, line(`a\ud83d\ude00`)+"\n"+line(`b\ufffd`)+"\n", event.FormatNDJSON)
	if len(evs) != 2 || len(rej) != 0 || evs[0].EventID != "a\U0001F600" || evs[1].EventID != "b\uFFFD" {
		t.Fatalf("pair and U+FFFD: %+v %+v", evs, rej)
	}
	// Not UTF-8 in a field name or an ignored field rejects the event too:
	// JSON text is UTF-8, and the event would be read differently than sent.
	for body, want := range map[string]string{
		`{"event_id":"x","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009","notes":["` + "\xff" + `"]}`: "notes: not valid UTF-8",
		`{"event_id":"x","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009","n` + "\xff" + `otes":"x"}`:  "event: a field name is not valid UTF-8",
		`{"Event_ID":"x` + "\xff" + `","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}`:              "event_id: not valid UTF-8",
		"event_id,occurred_at,type,company_cvr,notes\nx,2012-11-05T10:00:00Z,user.login,10000009,caf\xe9\n":                             "notes: not valid UTF-8",
		"event_id,occurred_at,type,company_cvr,has_metadata\nx,2012-11-05T10:00:00Z,user.login,10000009,\xff\n":                         "has_metadata: not valid UTF-8",
		`{"event_id":"x","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009","has_metadata":1}`:           "has_metadata: must be true, false or null, not a number",
	} {
		f := event.FormatNDJSON
		if strings.HasPrefix(body, "event_id,") {
			f = event.FormatCSV
		}
		evs, rej := analyticstest.DecodeAll(t, body, f)
		if len(evs) != 0 || len(rej) != 1 || rej[0].Error != want {
			t.Errorf("%q: events %+v, rejected %+v, want %q", body, evs, rej, want)
		}
	}
}

const csvHeader = "event_id,occurred_at,type,company_cvr,reason\n"

func csvRow(id, reason string) string {
	return id + ",2012-11-05T10:00:00Z,user.login,10000009," + reason + "\n"
}

// A broken quote in a CSV row rejects that row; the rows after it are read
// on (before, they were dropped without a word).
func TestDecodeCSVBrokenQuoteReadsOn(t *testing.T) {
	for _, c := range []struct {
		name, bad string
		want      string
	}{
		{"unclosed quote", csvRow("2", `"never closed`), `line: not valid CSV (a quoted field is not closed)`},
		{"text after a closing quote", csvRow("2", `"closed"then text`), `line: not valid CSV (extraneous or missing " in quoted-field)`},
		{"quote inside a field", csvRow("2", `in "quotes"`), `line: not valid CSV (bare " in non-quoted-field)`},
		{"unclosed quote, multi-line row after", csvRow("2", `"never closed`) + csvRow("2b", "\"two\nlines\""), `line: not valid CSV (a quoted field is not closed)`},
	} {
		body := csvHeader + csvRow("1", "") + c.bad + csvRow("3", "") + "\n" + csvRow("4", `"a ""quoted"", fine"`)
		evs, rej := analyticstest.DecodeAll(t, body, event.FormatCSV)
		var ids []string
		for _, ev := range evs {
			ids = append(ids, ev.EventID)
		}
		wantIDs := "1 3 4"
		if len(rej) == 0 || rej[0].Line != 3 || rej[0].Error != c.want || strings.Join(ids, " ") != wantIDs {
			t.Errorf("%s: events %v, rejected %+v; want %s and line 3 %q", c.name, ids, rej, wantIDs, c.want)
			continue
		}
		if c.name == "unclosed quote, multi-line row after" {
			// Row 2b's quoted field (lines 4-5) is read as one row after
			// row 2 on line 3 is rejected (its newline is then rejected).
			if len(rej) != 2 || rej[1].Line != 4 || rej[1].Error != "reason: contains a control character" {
				t.Errorf("%s: rejected %+v", c.name, rej)
			}
		} else if len(rej) != 1 {
			t.Errorf("%s: rejected %+v", c.name, rej)
		}
	}
	// A row whose quoted field legally spans lines is one row.
	evs, rej := analyticstest.DecodeAll(t, csvHeader+csvRow("1", "\"a, b\r\nc\"")+csvRow("2", ""), event.FormatCSV)
	if len(evs) != 1 || evs[0].EventID != "2" || len(rej) != 1 || rej[0].Line != 2 || rej[0].Error != "reason: contains a control character" {
		t.Fatalf("multi-line row: %+v %+v", evs, rej)
	}
	// A row over the limit is rejected on its own, also an unclosed one.
	long := strings.Repeat("x", event.MaxLineBytes)
	evs, rej = analyticstest.DecodeAll(t, csvHeader+csvRow("1", long)+csvRow("2", `"`+long)+csvRow("3", ""), event.FormatCSV)
	if len(evs) != 1 || evs[0].EventID != "3" || len(rej) != 2 || rej[0].Line != 2 || rej[1].Line != 3 ||
		!strings.HasPrefix(rej[0].Error, "line: longer than 65536 bytes") || !strings.HasPrefix(rej[1].Error, "line: longer than 65536 bytes") {
		t.Fatalf("long rows: %+v %+v", evs, rej)
	}
}

// A JSON array is read to its end; what cannot be read is said.
func TestDecodeJSONArrayReportsWhatItDoesNotRead(t *testing.T) {
	ev := func(id string) string {
		return `{"event_id":"` + id + `","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}`
	}
	for _, c := range []struct {
		body string
		line int
		want string // the prefix of the one rejection; "" for none
	}{
		{"[" + ev("1") + "," + ev("2") + "]" + ev("3"), 0, "event: text after the JSON array was not read"},
		{"[" + ev("1") + "," + ev("2") + "]\n[" + ev("3") + "]", 0, "event: text after the JSON array was not read"},
		{"[" + ev("1") + "," + ev("2") + "]\n\t \n", 0, ""},
		{"[" + ev("1") + "," + ev("2") + " " + ev("3") + "]", 3, "event: not valid JSON ("},
		{"[" + ev("1") + "," + ev("2") + ",", 3, "event: not valid JSON (unexpected end of the body); the rest of the array was not read"},
		{"[" + ev("1") + "," + ev("2"), 0, "event: the JSON array is not closed"},
	} {
		evs, rej := analyticstest.DecodeAll(t, c.body, event.FormatJSON)
		if len(evs) != 2 || (c.want == "") != (len(rej) == 0) || len(rej) > 1 ||
			(len(rej) == 1 && (rej[0].Line != c.line || !strings.HasPrefix(rej[0].Error, c.want) || !strings.Contains(rej[0].Error, " not "))) {
			t.Errorf("%s: %d events, rejected %+v, want line %d %q", c.body, len(evs), rej, c.line, c.want)
		}
	}
	// A body that is not an array is NDJSON, numbered by its lines.
	evs, rej := analyticstest.DecodeAll(t, "\n\r\n"+ev("1")+"\nnope\n", event.FormatJSON)
	if len(evs) != 1 || len(rej) != 1 || rej[0].Line != 4 {
		t.Fatalf("NDJSON after blank lines: %+v %+v", evs, rej)
	}
}

// Each NDJSON line stands on its own: lines after a bad one are read, and a
// line is blank only if it holds nothing but JSON white space.
func TestDecodeNDJSONEveryLineCounts(t *testing.T) {
	good := `{"event_id":"1","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}`
	body := good + "\n{\"event_id\":\n" + strings.Replace(good, `"1"`, `"2"`, 1) + "\n\f\n\u00a0\n \t\r\n" + strings.Replace(good, `"1"`, `"3"`, 1)
	evs, rej := analyticstest.DecodeAll(t, body, event.FormatNDJSON)
	if len(evs) != 3 || len(rej) != 3 || rej[0].Line != 2 || rej[1].Line != 4 || rej[2].Line != 5 {
		t.Fatalf("%+v %+v", evs, rej)
	}
}
