package sources_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// An admin uploads a file of a few thousand events on the sources page in
// Chromium: the progress bar shows while it is sent (static/upload.js) and
// the result page shows the counts; no console error.
func TestUploadEventsInBrowser(t *testing.T) {
	env := apptest.New(t)
	env.SourceToken("mailbox")
	const n = 3000
	file := filepath.Join(t.TempDir(), "export.ndjson")
	if err := os.WriteFile(file, append(ndjson(t, n), []byte("{\"event_id\": \"x\"}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	u := env.User(auth.RoleAdmin, "")
	base := env.Listen()
	b := browsertest.New(t)
	var mu sync.Mutex
	var problems []string
	messages := chromedp.Console(b)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.HasSuffix(m.URL, "/favicon.ico") {
				mu.Lock()
				problems = append(problems, m.String())
				mu.Unlock()
			}
		}
	}()
	browsertest.SignIn(t, b, base, u.Email, apptest.Password, "/sources")
	if err := chromedp.Do(b,
		chromedp.WaitVisible(chromedp.CSS("#upload-form")),
		chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), []string{file}),
	); err != nil {
		t.Fatal(err)
	}
	// Note each state of the progress bar (the window outlives the page the
	// answer replaces).
	if _, err := chromedp.Run(b, chromedp.Evaluate[bool](`(() => {
		window.seenProgress = [];
		const bar = document.querySelector("#upload-form progress");
		new MutationObserver(() => { if (!bar.hidden) window.seenProgress.push(bar.value + "/" + bar.max); }).observe(bar, {attributes: true});
		return true;
	})()`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(b,
		chromedp.Click(chromedp.CSS("#upload-form button")),
		chromedp.WaitVisible(chromedp.CSS("#upload-result")),
	); err != nil {
		t.Fatal(err)
	}
	accepted, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#upload-accepted")))
	if err != nil {
		t.Fatal(err)
	}
	rejected, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#upload-rejected")))
	rejections, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS("#upload-rejections")))
	if accepted != formatDa(n) || rejected != "1" || !strings.Contains(rejections, "Linje "+strconv.Itoa(n+1)+":") {
		t.Errorf("result: %s accepted, %s rejected: %s", accepted, rejected, rejections)
	}
	seen, err := chromedp.Run(b, chromedp.Evaluate[[]string](`window.seenProgress`))
	if err != nil || len(seen) == 0 {
		t.Errorf("the progress bar never showed: %v %v", seen, err)
	}
	// Another upload from the result page: the script is there again.
	if ok, _ := chromedp.Run(b, chromedp.Evaluate[bool](`document.querySelector("#upload-form[data-upload-progress] progress") !== null`)); !ok {
		t.Error("the result page has no upload form with its progress bar")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(problems) > 0 {
		t.Errorf("console errors: %v", problems)
	}
}
