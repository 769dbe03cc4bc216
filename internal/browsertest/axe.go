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

// AxePath is axe-core in the repository's tools (npm ci --prefix tools).
func AxePath() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "tools", "node_modules", "axe-core", "axe.min.js")
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			HTML string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// CheckAxe runs axe-core on the page of ctx and fails the test on any
// serious or critical violation (minor ones are logged).
func CheckAxe(t testing.TB, ctx context.Context, what string) {
	t.Helper()
	axe, err := os.ReadFile(AxePath())
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
	var res axeResult
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
