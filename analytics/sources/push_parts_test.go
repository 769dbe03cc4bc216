package sources_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
)

// eventLine is a valid NDJSON event with the id.
func eventLine(id string) string {
	return `{"event_id":"` + id + `","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}` + "\n"
}

// stoppedAnswer reads the answer to a push that stopped part way.
func stoppedAnswer(t *testing.T, r apptest.Response, status int) sources.PushStopped {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %.500s", r.StatusCode, status, r.Body)
	}
	var out sources.PushStopped
	r.JSON(t, &out)
	if out.Error == "" {
		t.Fatalf("no error text: %.500s", r.Body)
	}
	return out
}

// A body of several parts is stored part by part: every event once, the
// answer's counts are the whole body's, and an id repeated in a later part
// (of the same body) is one duplicate.
func TestPushOfSeveralPartsCountsTheWholeBody(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	const n = 2*sources.PushPartEvents + 1234
	var body strings.Builder
	lines := 0
	for i := range n {
		body.WriteString(eventLine(fmt.Sprintf("p%d", i)))
		lines++
		if i == sources.PushPartEvents+10 || i == 2*sources.PushPartEvents+10 { // ids of the first part again, in later parts
			body.WriteString(eventLine("p3"))
			body.WriteString(eventLine("p4"))
			lines += 2
		}
		if i == sources.PushPartEvents+500 {
			body.WriteString(`{"event_id":"bad"}` + "\n")
			lines++
		}
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body.String()))
	zw.Close()
	// In this order: the plain body first stores, the gzip one again finds duplicates.
	for _, try := range []struct {
		name string
		send func() apptest.Response
	}{
		{"plain", func() apptest.Response { return post(c, "", "application/x-ndjson", "", []byte(body.String())) }},
		{"gzip", func() apptest.Response { return post(c, "", "application/x-ndjson", "gzip", gz.Bytes()) }},
	} {
		name := try.name
		got := result(t, try.send())
		if name == "plain" {
			if got.Accepted != n || got.Duplicates != 4 || len(got.Rejected) != 1 || got.Rejected[0].Line != sources.PushPartEvents+500+4 {
				t.Fatalf("%s: %d accepted, %d duplicates, rejected %+v; want %d, 4, one at line %d", name, got.Accepted, got.Duplicates, got.Rejected, n, sources.PushPartEvents+504)
			}
		} else if got.Accepted != 0 || got.Duplicates != n+4 || len(got.Rejected) != 1 {
			t.Fatalf("%s (again): %d accepted, %d duplicates, %d rejected; want 0, %d, 1", name, got.Accepted, got.Duplicates, len(got.Rejected), n+4)
		}
	}
	if got := countEvents(t, env, "feed-a"); got != n {
		t.Fatalf("%d events stored, want %d", got, n)
	}
}

// A gzip body cut off after its first part was stored says so: 400 with
// the counts of what was stored and the line where it stopped; the lines
// before it are stored, the others not; sending the whole body again
// stores the rest.
func TestPushCutAfterAPartSaysWhatWasStored(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	c.Header.Set("Cookie", "pp_lang=en")
	const n = 2 * sources.PushPartEvents
	var body strings.Builder
	for i := range n {
		body.WriteString(eventLine(fmt.Sprintf("c%d", i)))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(body.String()))
	zw.Close()
	cut := gz.Bytes()[:gz.Len()*4/5] // about 8,000 of the 10,000 lines

	got := stoppedAnswer(t, post(c, "", "application/x-ndjson", "gzip", cut), http.StatusBadRequest)
	if !strings.Contains(got.Error, "gzip") || got.Accepted < sources.PushPartEvents || got.Accepted >= n ||
		got.Duplicates != 0 || len(got.Rejected) != 0 || got.StoppedAtLine != got.Accepted+1 {
		t.Fatalf("cut body: %+v", got)
	}
	if stored := countEvents(t, env, "feed-a"); stored != uint64(got.Accepted) {
		t.Fatalf("%d events stored, the answer says %d", stored, got.Accepted)
	}
	again := result(t, post(c, "", "application/x-ndjson", "gzip", gz.Bytes()))
	if again.Accepted != n-got.Accepted || again.Duplicates != got.Accepted {
		t.Fatalf("whole body again: %+v after %d stored", again, got.Accepted)
	}
	if stored := countEvents(t, env, "feed-a"); stored != n {
		t.Fatalf("%d events stored, want %d", stored, n)
	}
}

// A body with more rejected lines than an answer lists stops at the first
// one not listed (400): the valid events before it are stored.
func TestPushStopsAfterTooManyRejectedLines(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	var body strings.Builder
	body.WriteString(eventLine("ok1") + eventLine("ok2"))
	for range sources.MaxRejectedListed + 5 {
		body.WriteString("{}\n")
	}
	body.WriteString(eventLine("late"))
	got := stoppedAnswer(t, post(c, "", "application/x-ndjson", "", []byte(body.String())), http.StatusBadRequest)
	if got.Accepted != 2 || len(got.Rejected) != sources.MaxRejectedListed || got.Rejected[0].Line != 3 ||
		got.StoppedAtLine != sources.MaxRejectedListed+3 {
		t.Fatalf("%d accepted, %d rejected (first %+v), stopped at %d", got.Accepted, len(got.Rejected), got.Rejected[0], got.StoppedAtLine)
	}
	if stored := countEvents(t, env, "feed-a"); stored != 2 {
		t.Fatalf("%d events stored, want 2", stored)
	}
}
