package sources_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/analytics/demofeed"
	"github.com/pilotpulse/pilotpulse/analytics/sources"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// TestSourcesInBrowser: an admin adds a feed on the sources page; the
// running puller picks it up without a restart, the list shows it caught
// up with every event, and switching it off is one click.
func TestSourcesInBrowser(t *testing.T) {
	env := apptest.New(t, apptest.Options{Config: sources.LocalConfig(t)})
	demo := demofeed.DemoEvents(21, 4, 1)
	upstream := httptest.NewServer(demofeed.FeedHandler(demo.Events, demofeed.FeedOptions{}))
	defer upstream.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		sources.NewPuller(env.App.Sources, env.App.Ingester, env.App.Logger, sources.PullOptions{Reload: 100 * time.Millisecond}).Run(ctx)
		close(done)
	}()
	defer func() { cancel(); <-done }()

	u := env.User(auth.RoleAdmin, "")
	base := env.Listen()
	b := browsertest.New(t)
	browsertest.SignIn(t, b, base, u.Email, apptest.Password, "/sources")
	if err := chromedp.Do(b,
		chromedp.WaitVisible(chromedp.CSS("#sources")),
		chromedp.Click(chromedp.CSS("#new-source")),
		chromedp.WaitVisible(chromedp.CSS("#source-form")),
		chromedp.SendKeys(chromedp.CSS("#name"), "mailbox feed"),
		chromedp.SendKeys(chromedp.CSS("#url"), upstream.URL+"/events"),
		chromedp.SetValue(chromedp.CSS("#interval_seconds"), "1"),
		chromedp.SetValue(chromedp.CSS("#batch_limit"), "50"),
		chromedp.Submit(chromedp.CSS("#source-form")),
		chromedp.WaitVisible(chromedp.CSS("#status")),
	); err != nil {
		t.Fatal(err)
	}
	total := strconv.Itoa(len(demo.Events))
	var row string
	deadline := time.Now().Add(60 * time.Second)
	for !strings.Contains(row, total) || !strings.Contains(row, "OK") {
		if time.Now().After(deadline) {
			t.Fatalf("the list never showed the feed caught up with %s events: %q", total, row)
		}
		time.Sleep(100 * time.Millisecond)
		browsertest.Open(t, b, base+"/sources", "#sources")
		var err error
		if row, err = chromedp.Run(b, chromedp.Text(chromedp.CSS("#sources tbody tr:first-child"))); err != nil {
			t.Fatal(err)
		}
	}
	if !strings.Contains(row, "mailbox feed") {
		t.Errorf("row: %q", row)
	}
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#sources tbody tr:first-child form[action$="/disable"] button`)), chromedp.WaitVisible(chromedp.CSS("#sources"))); err != nil {
		t.Fatal(err)
	}
	// The click posts the form and the list comes back: wait for the new page.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		row, _ = chromedp.Run(b, chromedp.Text(chromedp.CSS("#sources tbody tr:first-child")))
		if strings.Contains(row, "slået fra") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after switching off: %q", row)
		}
	}
	src, err := sources.NewSources(env.App.DB).ByName(context.Background(), "mailbox feed")
	if err != nil || src.Enabled || src.Status.EventsPulled != int64(len(demo.Events)) {
		t.Errorf("stored source: %+v %v", src, err)
	}
}
