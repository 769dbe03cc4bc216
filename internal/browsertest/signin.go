package browsertest

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// signInWait bounds one sign-in attempt: the form, its submission and the
// page after it.
const signInWait = 45 * time.Second

// SignIn signs in through the sign-in form at base, as a person does (types
// the e-mail and password, presses Enter), and returns once the page after
// it has loaded and its main element shows: next (a local path) or, when
// next is "", the start page (loaded a second time, by chromedp.Navigate:
// see signIn).
//
// It waits for that page's load event rather than for an element: an element
// query that runs while the form's POST and its redirect replace the
// document can wait for ever (a CI run lost two minutes so). The form is
// found by CSS, not by DOM.performSearch. An attempt that does not finish
// within signInWait is logged and made once more from a fresh navigation.
func SignIn(t testing.TB, ctx context.Context, base, email, password, next string) {
	t.Helper()
	u := base + "/login"
	if next != "" {
		u += "?next=" + url.QueryEscape(next)
	}
	for try := 1; ; try++ {
		err := signIn(ctx, u, email, password)
		if err == nil {
			return
		}
		if try == 2 || ctx.Err() != nil {
			t.Fatalf("sign in as %s: %v", email, err)
		}
		t.Logf("sign in as %s: %v; trying once more", email, err)
	}
}

func signIn(ctx context.Context, u, email, password string) error {
	ctx, cancel := context.WithTimeout(ctx, signInWait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(u),
		chromedp.SendKeys(chromedp.CSS("#email"), email), chromedp.SendKeys(chromedp.CSS("#password"), password)); err != nil {
		return fmt.Errorf("filling in the sign-in form: %w", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.SendKeys(chromedp.CSS("#password"), kb.Enter))); err != nil {
		return fmt.Errorf("the page after signing in did not load: %w", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return err
	}
	if p, err := url.Parse(loc); err != nil || strings.HasPrefix(p.Path, "/login") {
		return fmt.Errorf("still on the sign-in page (%s): wrong password or throttled?", loc)
	}
	// The page is loaded once more by chromedp itself, and its main
	// element looked up: after a document replaced by the form's POST and
	// redirect, chromedp's view of the frame could lag, and an element
	// query right after (WaitVisible("h1")) waited for the rest of the
	// browser's life (a local run lost 5 minutes so). See Open.
	if err := open(ctx, loc, "main"); err != nil {
		return fmt.Errorf("loading %s again after signing in: %w", loc, err)
	}
	return nil
}
