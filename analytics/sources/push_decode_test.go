package sources_test

import (
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
)

// Through the push route, every line of a body is stored, a duplicate or
// reported by its line: a broken CSV quote no longer drops the rest of the
// body, and ids that are not UTF-8 are rejected instead of becoming one
// (U+FFFD) and the second a duplicate.
func TestPushDecodersDropNothing(t *testing.T) {
	env := apptest.New(t)
	c := env.Bearer(env.SourceToken("feed-a"))
	row := func(id, reason string) string {
		return id + ",2012-11-05T10:30:00Z,user.login,10000017," + reason + "\n"
	}
	body := "event_id,occurred_at,type,company_cvr,reason\n" + row("c1", "") + row("c2", `"never closed`) + row("c3", "") +
		row("c4", `in "quotes"`) + row("c1", "") + row("c5", `"two`) + "lines\"\n"
	got := result(t, post(c, "", "text/csv", "", []byte(body)))
	if got.Accepted != 2 || got.Duplicates != 1 || len(got.Rejected) != 3 ||
		got.Rejected[0].Line != 3 || got.Rejected[0].Error != "line: not valid CSV (a quoted field is not closed)" ||
		got.Rejected[1].Line != 5 || !strings.HasPrefix(got.Rejected[1].Error, "line: not valid CSV (bare") ||
		got.Rejected[2].Line != 7 || got.Rejected[2].Error != "reason: contains a control character" {
		t.Fatalf("CSV: %+v", got)
	}
	line := func(id string) string {
		return `{"event_id":"` + id + `","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}` + "\n"
	}
	got = result(t, post(c, "", "application/x-ndjson", "", []byte(line("n\xff")+line("n\xfe")+line(`n\ud800`)+line("n1"))))
	if got.Accepted != 1 || got.Duplicates != 0 || len(got.Rejected) != 3 || got.Rejected[0].Line != 1 ||
		got.Rejected[0].Error != "event_id: not valid UTF-8" || got.Rejected[1].Line != 2 || got.Rejected[2].Line != 3 {
		t.Fatalf("NDJSON: %+v", got)
	}
	if n := countEvents(t, env, "feed-a"); n != 3 {
		t.Fatalf("%d events stored, want 3", n)
	}
}
