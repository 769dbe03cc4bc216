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
	bin, err := Binary()
	if err != nil {
		if os.Getenv("PILOTPULSE_TEST_ALLOW_NO_BROWSER") == "1" {
			t.Skip("no chromium found (PILOTPULSE_TEST_ALLOW_NO_BROWSER=1)")
		}
		t.Fatal("no chromium found: install it with `apt-get install chromium` (make test does)")
	}
	// The profile folder is removed after the browser is stopped; Chromium's
	// helper processes may still be writing to it for a moment, so removing
	// is tried again until it succeeds (t.TempDir would fail the test).
	profile, err := os.MkdirTemp("", "pilotpulse-chromium-")
	if err != nil {
		t.Fatal(err)
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
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, browserLife)
	t.Cleanup(func() {
		cancelTimeout()
		cancelCtx()
		cancelAlloc()
		for try := 0; ; try++ {
			err := os.RemoveAll(profile)
			if err == nil {
				return
			}
			if try == 50 {
				t.Logf("leaving the browser profile %s: %v", profile, err)
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}
