package browsertest

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"
)

// axeFile is axe-core in the tools' node modules, from the module's root.
const axeFile = "tools/node_modules/axe-core/axe.min.js"

// AxeScript reads axe-core (npm ci --prefix tools installs it), looking for
// the module's root from the test's folder upwards.
func AxeScript(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, axeFile)); err == nil {
			return string(b)
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil || filepath.Dir(dir) == dir {
			t.Fatalf("axe-core missing (%s): run `npm ci --prefix tools` (make test does)", axeFile)
		}
		dir = filepath.Dir(dir)
	}
}

type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any  `json:"target"`
			HTML   string `json:"html"`
		} `json:"nodes"`
	} `json:"violations"`
	Passes []struct {
		ID string `json:"id"`
	} `json:"passes"`
}

// Axe runs axe-core (the script AxeScript read) on the current page of
// ctx and fails the test on any serious or critical violation; minor ones
// are logged.
func Axe(t testing.TB, ctx context.Context, axe, what string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
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
