package browsertest

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// plainSelector is a chromedp element action given a string literal or a
// plain variable as its selector: chromedp looks such a selector up by
// DOM.performSearch, which hung the browser tests (see Open). Selectors
// are chromedp.CSS.
var plainSelector = regexp.MustCompile("chromedp\\.(WaitVisible|WaitReady|WaitNotVisible|WaitNotPresent|WaitEnabled|WaitSelected|Click|DoubleClick|SendKeys|SetValue|Text|TextContent|Focus|Blur|Submit|Reset|Value|Clear|AttributeValue|Attributes|SetAttributeValue|RemoveAttribute|ScrollIntoView|Nodes|NodeIDs|OuterHTML|InnerHTML|Dimensions|Screenshot|ComputedStyle|MatchedStyle|JavascriptAttribute|SetJavascriptAttribute|SetUploadFiles|Query)\\((\"|`|[a-z][A-Za-z0-9_.]*[,)])")

// TestSelectorsAreCSS reads every Go file of the repository and fails on a
// chromedp element action whose selector is not chromedp.CSS.
func TestSelectorsAreCSS(t *testing.T) {
	root := filepath.Join("..", "..")
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "bin", "tools":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			if m := plainSelector.FindString(line); m != "" {
				t.Errorf("%s:%d: %s…: give the selector as chromedp.CSS(…)", path, n, m)
			}
		}
		checked++
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 100 {
		t.Fatalf("read %d Go files; the walk did not reach the repository", checked)
	}
}
