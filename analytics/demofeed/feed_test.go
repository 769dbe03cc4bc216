package demofeed

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
	"github.com/pilotpulse/pilotpulse/registry"
)

func TestDemoEventsArePlausibleAndDeterministic(t *testing.T) {
	d := DemoEvents(1, 30, 8)
	if len(d.Companies) != 33 {
		t.Fatalf("companies = %d, want 30 companies + municipality, region, state institution", len(d.Companies))
	}
	kinds := map[string]int{}
	for _, c := range d.Companies {
		kinds[c.Kind]++
		if err := registry.CheckCVR(c.CVR); err != nil {
			t.Errorf("company %s CVR %s: %v", c.Name, c.CVR, err)
		}
	}
	if kinds[registry.KindCompany] != 30 || kinds[registry.KindMunicipality] != 1 || kinds[registry.KindRegion] != 1 || kinds[registry.KindStateInstitution] != 1 {
		t.Errorf("participant kinds = %v", kinds)
	}
	authority := map[string]bool{}
	for _, a := range d.Authorities {
		authority[a.CVR] = true
		if err := registry.CheckCVR(a.CVR); err != nil {
			t.Errorf("authority %s CVR %s: %v", a.Name, a.CVR, err)
		}
	}
	if len(d.Authorities) < 4 {
		t.Errorf("authorities = %d", len(d.Authorities))
	}
	company := map[string]bool{}
	for _, c := range d.Companies {
		company[c.CVR] = true
	}

	ids := map[string]bool{}
	types := map[string]int{}
	failed := map[string]bool{}
	var prev time.Time
	end := time.Date(2012, 12, 31, 0, 0, 0, 0, week.Copenhagen)
	for i, e := range d.Events {
		if ids[e.EventID] {
			t.Fatalf("event %d: duplicate event_id %s", i, e.EventID)
		}
		ids[e.EventID] = true
		at, err := time.Parse(time.RFC3339, e.OccurredAt)
		if err != nil {
			t.Fatalf("event %s: occurred_at %q: %v", e.EventID, e.OccurredAt, err)
		}
		if at.Before(time.Date(2012, 11, 5, 0, 0, 0, 0, week.Copenhagen)) || !at.Before(end) {
			t.Errorf("event %s at %s is outside the pilot", e.EventID, at)
		}
		if at.Before(prev) {
			t.Errorf("event %s is out of time order", e.EventID)
		}
		prev = at
		types[e.Type]++
		if !company[e.CompanyCVR] {
			t.Errorf("event %s: company %s is not a participant", e.EventID, e.CompanyCVR)
		}
		switch e.Type {
		case "message.sent":
			if !authority[e.AuthorityCVR] || (e.Channel != "digital" && e.Channel != "remote_print") || e.HasMetadata == nil || e.HasDeepLink == nil || e.MessageRef == "" {
				t.Errorf("message.sent %+v is incomplete", e)
			}
		case "mailbox.setup_failed":
			failed[e.CompanyCVR] = true
		}
	}
	if types["access.third_party_granted"] != 0 {
		t.Error("a company granted third-party access")
	}
	for _, typ := range []string{"mailbox.setup_started", "mailbox.setup_completed", "user.login", "message.sent", "message.read", "message.moved", "rule.created"} {
		if types[typ] == 0 {
			t.Errorf("no %s events", typ)
		}
	}
	if n := len(failed); n < 13 || n > 20 {
		t.Errorf("%d of 33 participants had a failed setup, want about half", n)
	}
	if types["message.sent"] < 500 {
		t.Errorf("only %d messages sent", types["message.sent"])
	}
	t.Logf("%d events: %v", len(d.Events), types)

	// The registry takes the participants and authorities as they are, and
	// every event passes the ingestion's validation.
	for _, c := range d.Companies {
		c.Normalize()
		if err := c.Validate(); err != nil {
			t.Errorf("company %s: %v", c.Name, err)
		}
	}
	for _, a := range d.Authorities {
		a.Normalize()
		if err := a.Validate(); err != nil {
			t.Errorf("authority %s: %v", a.Name, err)
		}
	}
	parsed, err := d.ParsedEvents(time.Date(2013, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil || len(parsed) != len(d.Events) {
		t.Fatalf("parsing the demo events: %d of %d, %v", len(parsed), len(d.Events), err)
	}
	for i, ev := range parsed {
		e := d.Events[i]
		if ev.EventID != e.EventID || !ev.OccurredAt.Equal(e.At()) || ev.OccurredAt.Location() != time.UTC {
			t.Fatalf("event %s: occurred_at %v, want %v in UTC", e.EventID, ev.OccurredAt, e.At())
		}
	}

	again := DemoEvents(1, 30, 8)
	if !reflect.DeepEqual(d.Events, again.Events) || !reflect.DeepEqual(d.Companies, again.Companies) {
		t.Error("the same seed gave a different pilot")
	}
	other := DemoEvents(2, 30, 8)
	if reflect.DeepEqual(d.Events, other.Events) {
		t.Error("another seed gave the same pilot")
	}
}

type feedPage struct {
	Events  []json.RawMessage `json:"events"`
	Next    *string           `json:"next"`
	HasMore *bool             `json:"has_more"`
}

func getPage(t *testing.T, base, query string) (int, feedPage) {
	t.Helper()
	resp, err := http.Get(base + "/events" + query)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var p feedPage
	if resp.StatusCode == 200 {
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatalf("page %s: %v: %s", query, err, body)
		}
		if p.Next == nil || p.HasMore == nil || p.Events == nil {
			t.Fatalf("page %s lacks next, has_more or events: %s", query, body)
		}
	}
	return resp.StatusCode, p
}

func TestFeedServerContract(t *testing.T) {
	d := DemoEvents(7, 5, 2)
	srv := httptest.NewServer(FeedHandler(d.Events, FeedOptions{DefaultLimit: 100, MaxLimit: 250}))
	defer srv.Close()

	// First page: no after.
	status, p := getPage(t, srv.URL, "")
	if status != 200 || len(p.Events) != min(100, len(d.Events)) {
		t.Fatalf("first page: status %d, %d events", status, len(p.Events))
	}
	// Paging to the end collects every event once, in order, with stable ids.
	var ids []string
	after := ""
	pages := 0
	for {
		q := "?limit=37"
		if after != "" {
			q += "&after=" + after
		}
		status, p := getPage(t, srv.URL, q)
		if status != 200 {
			t.Fatalf("page after %q: status %d", after, status)
		}
		pages++
		if len(p.Events) > 37 {
			t.Fatalf("page of %d events, limit 37", len(p.Events))
		}
		for _, raw := range p.Events {
			var e struct {
				EventID string `json:"event_id"`
			}
			json.Unmarshal(raw, &e)
			ids = append(ids, e.EventID)
		}
		after = *p.Next
		if !*p.HasMore {
			break
		}
	}
	if len(ids) != len(d.Events) {
		t.Fatalf("paged %d events, the feed has %d", len(ids), len(d.Events))
	}
	for i, id := range ids {
		if id != d.Events[i].EventID {
			t.Fatalf("event %d: id %s, want %s", i, id, d.Events[i].EventID)
		}
	}
	if want := (len(d.Events) + 36) / 37; pages != want {
		t.Errorf("pages = %d, want %d", pages, want)
	}
	// At the end: empty page, same cursor, no more.
	status, p = getPage(t, srv.URL, "?after="+strconv.Itoa(len(d.Events)))
	if status != 200 || len(p.Events) != 0 || *p.HasMore || *p.Next != strconv.Itoa(len(d.Events)) {
		t.Errorf("end page: %d %d %v %s", status, len(p.Events), *p.HasMore, *p.Next)
	}
	// Asking again from a cursor gives the same page.
	_, a := getPage(t, srv.URL, "?after=3&limit=5")
	_, b := getPage(t, srv.URL, "?after=3&limit=5")
	if !reflect.DeepEqual(a, b) {
		t.Error("the same cursor gave different pages")
	}
	// limit is capped; bad cursors and limits are refused.
	if _, p := getPage(t, srv.URL, "?limit=100000"); len(p.Events) > 250 {
		t.Errorf("limit not capped: %d", len(p.Events))
	}
	for _, q := range []string{"?after=x", "?after=-1", "?after=999999999", "?limit=0", "?limit=abc"} {
		if status, _ := getPage(t, srv.URL, q); status != 400 {
			t.Errorf("%s: status %d, want 400", q, status)
		}
	}
}
