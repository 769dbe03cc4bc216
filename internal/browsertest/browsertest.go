// Package browsertest drives Debian's headless Chromium from Go tests
// through chromedp. Chromium runs with --no-sandbox (CI runs as root) and
// --disable-background-networking (the machine has no network).
//
// chromedp v0.23 has a typed API: chromedp.Do(ctx, actions...) runs actions
// that return nothing (Navigate, Click, SendKeys, WaitVisible);
// v, err := chromedp.Run(ctx, action) runs one that returns a value
// (Text, Title, Evaluate...).
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Binary finds the Chromium executable (env CHROMIUM_BIN wins).
func Binary() (string, error) {
	if b := os.Getenv("CHROMIUM_BIN"); b != "" {
		return b, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", exec.ErrNotFound
}

// browserLife bounds one browser's whole session. It is generous because
// under load (CI's 2 cores running every package's tests at once) a session
// of a dozen pages with charts and axe-core checks took over two minutes
// without anything being stuck; a stuck step is bounded more tightly where
// it is known to happen (SignIn).
const browserLife = 5 * time.Minute

// New starts a headless Chromium for the test and returns a browser tab
// context, cancelled (and the browser stopped) when the test ends. Without
// Chromium the test fails, unless PILOTPULSE_TEST_ALLOW_NO_BROWSER=1 skips it.
func New(t testing.TB) context.Context {
	t.Helper()
	ctx, stop, err := Start(context.Background())
	if errors.Is(err, exec.ErrNotFound) {
		if os.Getenv("PILOTPULSE_TEST_ALLOW_NO_BROWSER") == "1" {
			t.Skip("no chromium found (PILOTPULSE_TEST_ALLOW_NO_BROWSER=1)")
		}
		t.Fatal("no chromium found: install it with `apt-get install chromium` (make test does)")
	}
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancelTimeout := context.WithTimeout(ctx, browserLife)
	t.Cleanup(func() {
		cancelTimeout()
		if err := stop(); err != nil {
			t.Logf("%v", err)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// Start starts a headless Chromium (with the flags above and a 1280x900
// window) on a fresh profile and returns a browser tab context; stop
// stops the browser and removes the profile (an error only says the
// profile was left behind); extra options are added to those above (e.g.
// chromedp.Flag("lang", "da-DK")). It is New for programs that are not
// tests, such as cmd/tour-screenshots. The error wraps exec.ErrNotFound
// when there is no Chromium. The browser starts with the first action run
// and lives no longer than that action's context.
func Start(parent context.Context, extra ...chromedp.ExecAllocatorOption) (ctx context.Context, stop func() error, err error) {
	bin, err := Binary()
	if err != nil {
		return nil, nil, err
	}
	// The profile folder is removed after the browser is stopped; Chromium's
	// helper processes may still be writing to it for a moment, so removing
	// is tried again until it succeeds.
	profile, err := os.MkdirTemp("", "pilotpulse-chromium-")
	if err != nil {
		return nil, nil, err
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	stop = func() error {
		cancelCtx()
		cancelAlloc()
		for try := 0; ; try++ {
			err := os.RemoveAll(profile)
			if err == nil {
				return nil
			}
			if try == 50 {
				return fmt.Errorf("leaving the browser profile %s: %w", profile, err)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return ctx, stop, nil
}

// ChartsDrawn is a JavaScript condition (for chromedp.Poll) that is true
// once the page has charts and every chart element holds a canvas of
// non-zero size that has been drawn on (it differs from a blank canvas of
// its size).
const ChartsDrawn = `(() => {
	const charts = document.querySelectorAll(".chart[data-chart-options]");
	return charts.length > 0 && Array.from(charts).every(el => {
		const c = el.querySelector("canvas");
		if (!c || c.width === 0 || c.height === 0 || el.offsetWidth === 0 || el.offsetHeight === 0) return false;
		const blank = document.createElement("canvas");
		blank.width = c.width; blank.height = c.height;
		return c.toDataURL() !== blank.toDataURL();
	});
})()`
