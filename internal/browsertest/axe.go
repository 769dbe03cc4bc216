package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeFile is axe-core as `npm ci --prefix tools` installs it, found from
// this file's place in the repository.
func axeFile() string {
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..", "tools", "node_modules", "axe-core", "axe.min.js")
}

// Axe runs axe-core on the page the tab shows and fails the test on any
// serious or critical violation (minor and moderate ones are logged).
func Axe(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	axe, err := os.ReadFile(axeFile())
	if err != nil {
		t.Fatalf("axe-core missing (%v): run `npm ci --prefix tools` (make test does)", err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
		t.Fatalf("%s: inject axe-core: %v", what, err)
	}
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe.run: %v", what, err)
	}
	var res struct {
		Violations []struct {
			ID, Impact, Help string
			Nodes            []struct{ HTML string }
		}
		Passes []struct{ ID string }
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Passes) < 10 {
		t.Fatalf("%s: axe-core ran only %d passing rules: %.300s", what, len(res.Passes), raw)
	}
	for _, v := range res.Violations {
		msg := v.ID + " (" + v.Impact + "): " + v.Help
		for _, n := range v.Nodes {
			msg += "\n    " + n.HTML
		}
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s: %s", what, msg)
		} else {
			t.Logf("%s: minor: %s", what, msg)
		}
	}
}
