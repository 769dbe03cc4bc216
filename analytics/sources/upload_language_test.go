package sources_test

import (
	"bytes"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// A rejected line is reported in the reader's language, naming its line and
// field: on the upload page (Danish by default, English for a user who
// chose it), in the answer to a push by a signed-in user; a program's token
// reads the English of docs/events.md.
func TestRejectedLinesInTheReadersLanguage(t *testing.T) {
	env := apptest.New(t)
	env.SourceToken("mailbox")
	src, err := env.App.Sources.ByName(t.Context(), "mailbox")
	if err != nil {
		t.Fatal(err)
	}
	ndjsonBody := []byte(`{"event_id":"a","occurred_at":"yesterday","type":"user.login","company_cvr":"10000017"}
{"event_id":"b","occurred_at":"2012-11-05T10:30:00Z","type":"message.sent","company_cvr":"10000017"}
`)
	csvBody := []byte("event_id,occurred_at,type,company_cvr,has_metadata\nc,2012-11-05T10:30:00Z,user.login,10000017,maybe\nd,2012-11-05T10:30:00Z,user.login,\"never closed\n")
	da := map[string]string{
		"ndjson": `Linje 1: occurred_at: er ikke et RFC 3339-tidspunkt med tidszone (som 2012-11-05T09:30:00+01:00): "yesterday"|Linje 2: authority_cvr: skal udfyldes for message.sent`,
		"csv":    `Linje 2: has_metadata: skal være true, false eller tom, ikke "maybe"|Linje 3: linje: er ikke gyldig CSV (et felt i anførselstegn lukkes ikke)`,
	}
	en := map[string]string{
		"ndjson": `Line 1: occurred_at: not an RFC 3339 time with offset (like 2012-11-05T09:30:00+01:00): "yesterday"|Line 2: authority_cvr: is required for message.sent`,
		"csv":    `Line 2: has_metadata: must be true, false or empty, not "maybe"|Line 3: line: not valid CSV (a quoted field is not closed)`,
	}
	danish := env.As(auth.RoleAdmin, "")
	u := env.User(auth.RoleAdmin, "")
	if err := env.App.Auth.SetLanguage(t.Context(), u.ID, "en"); err != nil {
		t.Fatal(err)
	}
	english := env.SignIn(u)
	for _, c := range []struct {
		client *apptest.Client
		want   map[string]string
	}{{danish, da}, {english, en}} {
		for _, f := range []struct {
			name string
			body []byte
		}{{"x.ndjson", ndjsonBody}, {"x.csv", csvBody}} {
			r := uploadEvents(c.client, src.ID, f.name, f.body)
			page := html.UnescapeString(r.Body)
			for _, want := range strings.Split(c.want[strings.TrimPrefix(f.name, "x.")], "|") {
				if r.StatusCode != http.StatusOK || !strings.Contains(page, want) {
					t.Errorf("%s: %d, want %q on the page: %s", f.name, r.StatusCode, want, rejections(page))
				}
			}
		}
	}

	// The push answer: a signed-in user reads it in their language, a token in English.
	push := func(c *apptest.Client) sources.PushResult {
		req, _ := http.NewRequest(http.MethodPost, "/api/v1/events?source=mailbox", bytes.NewReader(ndjsonBody))
		req.Header.Set("Content-Type", "application/x-ndjson")
		if c.CSRF != "" {
			req.Header.Set("X-CSRF-Token", c.CSRF)
		}
		return result(t, c.Do(req))
	}
	for _, c := range []struct {
		name   string
		client *apptest.Client
		want   string
	}{{"danish session", danish, da["ndjson"]}, {"english session", english, en["ndjson"]}, {"token", env.Bearer(env.SourceToken("mailbox")), en["ndjson"]}} {
		got := push(c.client)
		want := strings.Split(c.want, "|")
		if len(got.Rejected) != 2 || got.Rejected[0].Line != 1 || "Linje 1: "+got.Rejected[0].Error != want[0] && "Line 1: "+got.Rejected[0].Error != want[0] ||
			!strings.HasSuffix(want[1], ": "+got.Rejected[1].Error) {
			t.Errorf("%s: rejected %+v, want %q", c.name, got.Rejected, c.want)
		}
	}
}

// rejections is the list of rejected lines on an upload's result page.
func rejections(page string) string {
	if i := strings.Index(page, `id="upload-rejections"`); i >= 0 {
		page = page[i:]
		if j := strings.Index(page, "</ul>"); j >= 0 {
			return page[:j]
		}
	}
	return page
}
