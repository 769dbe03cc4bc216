package sources_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// originEvents are four valid events e1..e4 (NDJSON lines).
var originEvents = []string{
	`{"event_id":"e1","occurred_at":"2012-11-05T09:30:00Z","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":true,"has_deep_link":true}`,
	`{"event_id":"e2","occurred_at":"2012-11-05T10:30:00Z","type":"user.login","company_cvr":"10000017"}`,
	`{"event_id":"e3","occurred_at":"2012-11-06T10:30:00Z","type":"message.sent","company_cvr":"10000009","authority_cvr":"10000025","channel":"digital","has_metadata":false,"has_deep_link":false}`,
	`{"event_id":"e4","occurred_at":"2012-11-07T10:30:00Z","type":"user.login","company_cvr":"10000017"}`,
}

// sourceNamed finds a source in the API's list.
func sourceNamed(t *testing.T, admin *apptest.Client, name string) sources.Source {
	t.Helper()
	var list []sources.Source
	admin.Get("/api/v1/sources").JSON(t, &list)
	for _, s := range list {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no source %s in %+v", name, list)
	return sources.Source{}
}

// TestOriginCountsAnEventOnce: a pulled feed and a push source of one
// origin count an event once, whichever comes first, and a resend through
// either changes no figure; a push source of another origin counts the
// same events again, and both sides are warned (page and API).
func TestOriginCountsAnEventOnce(t *testing.T) {
	env := apptest.New(t, apptest.Options{Config: sources.LocalConfig(t)})
	admin := env.As(auth.RoleAdmin, "")
	ctx := context.Background()

	// The feed serves e1..e3 on one page.
	var raws []json.RawMessage
	for _, l := range originEvents[:3] {
		raws = append(raws, json.RawMessage(l))
	}
	page, _ := json.Marshal(map[string]any{"events": raws, "next": "3", "has_more": false})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(page) }))
	defer upstream.Close()
	r := admin.SendJSON("POST", "/api/v1/sources", map[string]any{"name": "mailbox-feed", "kind": "http-feed", "url": upstream.URL,
		"interval_seconds": 3600, "origin": "mailbox"})
	var feed sources.Source
	r.JSON(t, &feed)
	if r.StatusCode != 201 || feed.Origin != "mailbox" {
		t.Fatalf("create: %d %s", r.StatusCode, r.Body)
	}
	pctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sources.NewPuller(env.App.Sources, env.App.Ingester, slog.New(slog.NewTextHandler(io.Discard, nil)),
			sources.PullOptions{Reload: 50 * time.Millisecond, BackoffBase: 50 * time.Millisecond, BackoffMax: 200 * time.Millisecond}).Run(pctx)
	}()
	defer func() { stop(); <-done }()
	deadline := time.Now().Add(60 * time.Second)
	for sourceNamed(t, admin, "mailbox-feed").Status.Cursor == nil {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting for the feed to be pulled")
		}
		time.Sleep(20 * time.Millisecond)
	}

	// A push source of the same origin: its token first, then its origin.
	pusher := env.Bearer(env.SourceToken("mailbox-push"))
	id := strconv.FormatInt(sourceNamed(t, admin, "mailbox-push").ID, 10)
	r = admin.SendJSON("PUT", "/api/v1/sources/"+id, map[string]any{"origin": "mailbox"})
	if r.StatusCode != 200 || !strings.Contains(r.Body, `"origin":"mailbox"`) {
		t.Fatalf("set origin: %d %s", r.StatusCode, r.Body)
	}
	if r := admin.SendJSON("PUT", "/api/v1/sources/"+id, map[string]any{"interval_seconds": 30}); r.StatusCode != 400 {
		t.Errorf("pull settings on a push source: %d %s", r.StatusCode, r.Body)
	}
	body := []byte(strings.Join(originEvents[1:], "\n") + "\n") // e2..e4: e2, e3 were pulled
	got := result(t, post(pusher, "", "application/x-ndjson", "", body))
	if got.Accepted != 1 || got.Duplicates != 2 {
		t.Fatalf("push of the same origin: %+v, want 1 accepted, 2 duplicates", got)
	}
	total := func() uint64 {
		if err := env.App.Ingester.Flush(ctx); err != nil {
			t.Fatal(err)
		}
		var n uint64
		if err := env.App.CH.QueryRow(ctx, "SELECT count() FROM events").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := total(); n != 4 {
		t.Fatalf("%d events rows, want 4 (e1..e4 once)", n)
	}
	figs := analyticstest.ReadFigures(t, env.App.CH)
	if figs.Raw != 4 {
		t.Fatalf("figures %+v, want 4 events", figs)
	}
	// A resend through the push source changes no figure.
	all := []byte(strings.Join(originEvents, "\n") + "\n")
	if got := result(t, post(pusher, "", "application/x-ndjson", "", all)); got.Accepted != 0 || got.Duplicates != 4 {
		t.Fatalf("resend: %+v", got)
	}
	if f := analyticstest.ReadFigures(t, env.App.CH); f != figs || total() != 4 {
		t.Fatalf("after resend: %+v, want %+v", f, figs)
	}
	if s := sourceNamed(t, admin, "mailbox-feed"); len(s.Overlaps) != 0 {
		t.Fatalf("overlap within one origin: %+v", s.Overlaps)
	}

	// Another origin counts the same events again, and both sides are warned.
	other := env.Bearer(env.SourceToken("other-push"))
	if got := result(t, post(other, "", "application/x-ndjson", "", all)); got.Accepted != 4 {
		t.Fatalf("another origin: %+v, want 4 accepted", got)
	}
	if n := total(); n != 8 {
		t.Fatalf("%d events rows, want 8 (two origins)", n)
	}
	o := sourceNamed(t, admin, "other-push")
	if len(o.Overlaps) != 1 || o.Overlaps[0].OtherOrigin != "mailbox" || o.Overlaps[0].Seen != 4 || o.Overlaps[0].Sampled != 4 ||
		strings.Join(o.Overlaps[0].OtherSources, ",") != "mailbox-feed,mailbox-push" || o.Overlaps[0].LastSeenAt.IsZero() {
		t.Fatalf("overlaps of other-push: %+v", o.Overlaps)
	}
	m := sourceNamed(t, admin, "mailbox-feed")
	if len(m.Overlaps) != 1 || m.Overlaps[0].OtherOrigin != "other-push" || strings.Join(m.Overlaps[0].OtherSources, ",") != "other-push" {
		t.Fatalf("overlaps of mailbox-feed: %+v", m.Overlaps)
	}
	list := admin.Get("/sources")
	if list.StatusCode != 200 || !strings.Contains(list.Body, "Overlap med oprindelsen") || !strings.Contains(list.Body, `data-origin="mailbox"`) ||
		!strings.Contains(list.Body, `data-origin="other-push"`) {
		t.Fatalf("sources page without the warning: %s", list.Body)
	}
	if p := admin.Get("/sources/" + strconv.FormatInt(o.ID, 10)); p.StatusCode != 200 || !strings.Contains(p.Body, "4/4") || !strings.Contains(p.Body, `id="origin"`) {
		t.Fatalf("push source page: %d %s", p.StatusCode, p.Body)
	}
	// Giving other-push the origin mailbox ends the warning.
	r = admin.PostForm("/sources/"+strconv.FormatInt(o.ID, 10), map[string][]string{"origin": {"mailbox"}})
	if r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusOK {
		t.Fatalf("form: %d %s", r.StatusCode, r.Body)
	}
	if o := sourceNamed(t, admin, "other-push"); o.Origin != "mailbox" || len(o.Overlaps) != 0 {
		t.Fatalf("after the fix: %+v", o)
	}
}
