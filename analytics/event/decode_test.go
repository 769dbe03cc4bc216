package event_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
)

var received = time.Date(2012, 12, 1, 12, 0, 0, 0, time.UTC)

func TestParseEventJSONValidation(t *testing.T) {
	base := map[string]any{"event_id": "e1", "occurred_at": "2012-11-05T09:30:00.5+01:00", "type": "message.sent",
		"company_cvr": "10000009", "authority_cvr": "10000025", "channel": "digital", "has_metadata": true, "has_deep_link": nil,
		"message_ref": "m1", "unknown_field": []int{1}}
	with := func(k string, v any) []byte {
		m := map[string]any{}
		for a, b := range base {
			m[a] = b
		}
		if v == "<delete>" {
			delete(m, k)
		} else {
			m[k] = v
		}
		b, _ := json.Marshal(m)
		return b
	}
	ev, err := event.ParseEventJSON(with("x", 1), received)
	if err != nil {
		t.Fatal(err)
	}
	if !ev.OccurredAt.Equal(time.Date(2012, 11, 5, 8, 30, 0, 0, time.UTC)) || ev.OccurredAt.Location() != time.UTC ||
		ev.HasMetadata == nil || !*ev.HasMetadata || ev.HasDeepLink != nil || ev.ReceivedAt != received {
		t.Fatalf("parsed %+v", ev)
	}
	cases := []struct {
		key   string
		value any
		want  string
	}{
		{"event_id", "<delete>", "event_id: is required"},
		{"event_id", 12, "event_id: must be a string"},
		{"event_id", strings.Repeat("x", 129), "event_id: longer than 128"},
		{"event_id", "a\nb", "event_id: contains a control character"},
		{"occurred_at", "<delete>", "occurred_at: is required"},
		{"occurred_at", "2012-11-05T09:30:00", "occurred_at: not an RFC 3339 time"},
		{"occurred_at", "2012-11-05 09:30:00+01:00", "occurred_at: not an RFC 3339 time"},
		{"occurred_at", "1999-12-31T23:59:59Z", "occurred_at: 1999-12-31T23:59:59Z is before 2000-01-01"},
		{"occurred_at", "2012-12-02T12:00:01Z", "occurred_at: 2012-12-02T12:00:01Z is more than 24h0m0s in the future"},
		{"type", "", "type: is required"},
		{"company_cvr", "<delete>", "company_cvr: is required"},
		{"company_cvr", "10000008", "company_cvr: fails the modulus-11 check"},
		{"company_cvr", "1000000", "company_cvr: must be 8 digits"},
		{"company_cvr", 10000009, "company_cvr: must be a string, not a number"},
		{"authority_cvr", "<delete>", "authority_cvr: is required for message.sent"},
		{"authority_cvr", "1000002X", "authority_cvr: must contain only digits"},
		{"channel", "<delete>", "channel: is required for message.sent"},
		{"channel", "paper", "channel: must be digital or remote_print"},
		{"has_metadata", "true", "has_metadata: must be true, false or null, not a string"},
		{"rights_model", "fancy", "rights_model: must be standard or extended"},
		{"folder", strings.Repeat("f", 257), "folder: longer than 256"},
	}
	for _, c := range cases {
		_, err := event.ParseEventJSON(with(c.key, c.value), received)
		var fe *event.FieldError
		if !errors.As(err, &fe) || !strings.HasPrefix(err.Error(), c.want) || fe.Field != c.key {
			t.Errorf("%s=%v: %v, want %q", c.key, c.value, err, c.want)
		}
	}
	// Unknown types are kept; without a company they need an authority.
	if _, err := event.ParseEventJSON([]byte(`{"event_id":"x","occurred_at":"2012-11-05T09:30:00Z","type":"authority.onboarded","authority_cvr":"10000025"}`), received); err != nil {
		t.Errorf("authority-only unknown type: %v", err)
	}
	if _, err := event.ParseEventJSON([]byte(`[1]`), received); err == nil || !strings.HasPrefix(err.Error(), "event: must be a JSON object") {
		t.Errorf("array: %v", err)
	}
	if _, err := event.ParseEventJSON([]byte(`{"event_id":`), received); err == nil || !strings.HasPrefix(err.Error(), "event: not valid JSON") {
		t.Errorf("broken: %v", err)
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]string{"a.ndjson": "ndjson false", "A.JSONL": "ndjson false", "x.ndjson.gz": "ndjson true",
		"x.json": "json false", "x.csv": "csv false", "x.csv.gz": "csv true"} {
		f, gz, err := event.FormatOf(name)
		if err != nil || string(f)+" "+map[bool]string{true: "true", false: "false"}[gz] != want {
			t.Errorf("%s: %s %v %v, want %s", name, f, gz, err, want)
		}
	}
	if _, _, err := event.FormatOf("x.xml"); err == nil {
		t.Error("x.xml: no error")
	}
}

func TestDecodeCSV(t *testing.T) {
	body := "\uFEFFevent_id,occurred_at,type,company_cvr,authority_cvr,channel,has_metadata,has_deep_link,notes\n" +
		"1,2012-11-05T10:00:00Z,message.sent,10000009,10000025,digital,true,,\"free, text\"\n" +
		"2,2012-11-05T10:00:00Z,message.sent,10000009,10000025,digital,perhaps,,\n" +
		"3,2012-11-05T10:00:00Z,user.login,10000009,,,,,\n" +
		"\"4\nwith newline\",2012-11-05T10:00:00Z,user.login,10000009,,,,,\n" +
		"5,2012-11-05T10:00:00Z,user.login,10000009\n"
	evs, rej := analyticstest.DecodeAll(t, body, event.FormatCSV)
	if len(evs) != 3 || evs[0].EventID != "1" || *evs[0].HasMetadata != true || evs[0].HasDeepLink != nil || evs[2].EventID != "5" {
		t.Fatalf("events %+v", evs)
	}
	if len(rej) != 2 || rej[0].Line != 3 || !strings.HasPrefix(rej[0].Error, "has_metadata:") || rej[1].Line != 5 || !strings.HasPrefix(rej[1].Error, "event_id: contains a control") {
		t.Fatalf("rejected %+v", rej)
	}
	if _, err := event.Decode(strings.NewReader("a,b\n1,2\n"), event.FormatCSV, received, func(int, event.Event) error { return nil }); err == nil {
		t.Fatal("a header without event_id must be an error")
	}
}

func TestDecodeJSONArrayAndSingleObject(t *testing.T) {
	arr := `[ {"event_id":"1","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"},
	 {"event_id":"2","occurred_at":"nope","type":"user.login","company_cvr":"10000009"},
	 {"event_id":"3","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"} ]`
	evs, rej := analyticstest.DecodeAll(t, arr, event.FormatJSON)
	if len(evs) != 2 || len(rej) != 1 || rej[0].Line != 2 {
		t.Fatalf("array: %+v %+v", evs, rej)
	}
	evs, rej = analyticstest.DecodeAll(t, `{"event_id":"1","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}`, event.FormatJSON)
	if len(evs) != 1 || len(rej) != 0 {
		t.Fatalf("object: %+v %+v", evs, rej)
	}
	evs, rej = analyticstest.DecodeAll(t, `[{"event_id":"1","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}, {"oops"`, event.FormatJSON)
	if len(evs) != 1 || len(rej) != 1 || rej[0].Line != 2 {
		t.Fatalf("broken array: %+v %+v", evs, rej)
	}
}

func TestDecodeNDJSONLongLineAndCRLF(t *testing.T) {
	good := `{"event_id":"1","occurred_at":"2012-11-05T10:00:00Z","type":"user.login","company_cvr":"10000009"}`
	body := "\uFEFF" + good + "\r\n" + strings.Repeat("x", 3*event.MaxLineBytes) + "\r\n\r\n" + strings.Replace(good, `"1"`, `"2"`, 1)
	evs, rej := analyticstest.DecodeAll(t, body, event.FormatNDJSON)
	if len(evs) != 2 || len(rej) != 1 || rej[0].Line != 2 || !strings.Contains(rej[0].Error, "longer than 65536 bytes") {
		t.Fatalf("%+v %+v", evs, rej)
	}
}

// checkDecoded holds for whatever a decoder lets through.
func checkDecoded(t *testing.T, data []byte, f event.Format) {
	lines := bytes.Count(data, []byte("\n")) + 1
	last := 0
	var evs []event.Event
	rej, err := event.Decode(bytes.NewReader(data), f, received, func(line int, ev event.Event) error {
		if line <= last {
			t.Fatalf("line %d after %d", line, last)
		}
		last = line
		evs = append(evs, ev)
		return nil
	})
	if err != nil {
		return // an unreadable stream (a CSV without a usable header) is an error, not a panic
	}
	if f != event.FormatJSON && len(evs)+len(rej) > lines {
		t.Fatalf("%d events and %d rejections from %d lines", len(evs), len(rej), lines)
	}
	for _, ev := range evs {
		if ev.EventID == "" || ev.Type == "" || ev.OccurredAt.Location() != time.UTC || ev.OccurredAt.Before(event.Earliest) ||
			ev.OccurredAt.After(received.Add(event.MaxFuture)) || ev.OccurredAt.Nanosecond() != 0 || (ev.CompanyCVR == "" && ev.AuthorityCVR == "") {
			t.Fatalf("invalid event let through: %+v", ev)
		}
		// A valid event survives a round trip through JSON unchanged.
		raw, _ := json.Marshal(map[string]any{"event_id": ev.EventID, "occurred_at": ev.OccurredAt.Format(time.RFC3339), "type": ev.Type,
			"company_cvr": ev.CompanyCVR, "authority_cvr": ev.AuthorityCVR, "channel": ev.Channel, "has_metadata": ev.HasMetadata,
			"has_deep_link": ev.HasDeepLink, "by_rule": ev.ByRule, "message_ref": ev.MessageRef, "user_ref": ev.UserRef,
			"rights_model": ev.RightsModel, "reason": ev.Reason, "folder": ev.Folder, "role": ev.Role})
		again, err := event.ParseEventJSON(raw, received)
		if err != nil {
			t.Fatalf("round trip of %+v: %v", ev, err)
		}
		if !sameEvent(ev, again) {
			t.Fatalf("round trip changed %+v into %+v", ev, again)
		}
	}
	for _, r := range rej {
		if r.Error == "" || !strings.Contains(r.Error, ": ") {
			t.Fatalf("rejection without a field: %+v", r)
		}
	}
}

func sameEvent(a, b event.Event) bool {
	eq := func(x, y *bool) bool { return (x == nil) == (y == nil) && (x == nil || *x == *y) }
	return eq(a.HasMetadata, b.HasMetadata) && eq(a.HasDeepLink, b.HasDeepLink) && eq(a.ByRule, b.ByRule) &&
		a.EventID == b.EventID && a.OccurredAt.Equal(b.OccurredAt) && a.Type == b.Type && a.CompanyCVR == b.CompanyCVR &&
		a.AuthorityCVR == b.AuthorityCVR && a.Channel == b.Channel && a.MessageRef == b.MessageRef && a.UserRef == b.UserRef &&
		a.RightsModel == b.RightsModel && a.Reason == b.Reason && a.Folder == b.Folder && a.Role == b.Role
}

func FuzzDecodeNDJSON(f *testing.F) {
	f.Add([]byte(analyticstest.MixedNDJSON()))
	f.Add([]byte(`{"event_id":"1","occurred_at":"2012-11-05T10:00:00.999999999-02:30","type":"x","authority_cvr":"10000025"}`))
	f.Add([]byte("\xef\xbb\xbf{}\r\n[]\n\"s\"\nnull\n{\"event_id\":null}"))
	f.Add([]byte(`{"Event_ID":"1","event_id":"2","has_metadata":true,"has_metadata":null,"type":"a","type":null,"x":{"y":[1]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data, event.FormatNDJSON)
		checkDecoded(t, data, event.FormatJSON)
		// The fast path agrees with encoding/json wherever it answers.
		for _, line := range bytes.Split(data, []byte("\n")) {
			var fast, slow event.RawEvent
			if !event.ParseFast(line, &fast) {
				continue
			}
			if err := json.Unmarshal(line, &slow); err != nil {
				t.Fatalf("fast path accepted %q, encoding/json: %v", line, err)
			}
			a, _ := json.Marshal(fast)
			b, _ := json.Marshal(slow)
			if !bytes.Equal(a, b) {
				t.Fatalf("%q: fast %s, encoding/json %s", line, a, b)
			}
		}
	})
}

func FuzzDecodeCSV(f *testing.F) {
	f.Add([]byte("event_id,occurred_at,type,company_cvr,authority_cvr,channel,has_metadata\n1,2012-11-05T10:00:00Z,message.sent,10000009,10000025,digital,1\n"))
	f.Add([]byte("event_id,occurred_at,type,company_cvr\n\"a\"\"b\",2012-11-05T10:00:00+01:00,user.login,10000009\n2,\"x\n"))
	f.Add([]byte("EVENT_ID;occurred_at\n1;2"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecoded(t, data, event.FormatCSV)
	})
}
