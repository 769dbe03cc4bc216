package browsertest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// openWait bounds one attempt to load a page and see its ready element.
// Under CI's load a page with charts took about ten seconds; an attempt
// that takes six times that is stuck, not slow.
const openWait = time.Minute

// Open loads url in the tab and waits until an element matching the CSS
// selector ready is visible. An attempt that does not finish within
// openWait is logged and made once more from a fresh navigation; the
// test fails when that one does not finish either.
//
// Why: four CI and local runs lost a browser's whole life (5 minutes) in
// an element query right after a navigation, each time after the sign-in
// form's POST and redirect. The last one waited in WaitVisible("h1") right
// after SignIn had found the page's main element by CSS: a plain-string
// selector is looked up by DOM.performSearch, whose node IDs chromedp may
// never learn of (its copy of the document is rebuilt on
// DOM.documentUpdated), and the query retries until its context ends.
// Every selector in this repository is therefore chromedp.CSS
// (DOM.querySelector; TestSelectorsAreCSS keeps it so), and a page load is
// bounded and tried once more from a fresh navigation, which makes
// chromedp fetch the document again.
func Open(t testing.TB, ctx context.Context, url, ready string) {
	t.Helper()
	for try := 1; ; try++ {
		err := open(ctx, url, ready)
		if err == nil {
			return
		}
		if try == 2 || ctx.Err() != nil {
			t.Fatalf("opening %s (waiting for %s): %v", url, ready, err)
		}
		t.Logf("opening %s (waiting for %s): %v; trying once more", url, ready, err)
	}
}

func open(ctx context.Context, url, ready string) error {
	ctx, cancel := context.WithTimeout(ctx, openWait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("loading the page: %w", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(ready))); err != nil {
		return fmt.Errorf("the page has no visible %s: %w", ready, err)
	}
	return nil
}
