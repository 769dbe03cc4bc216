package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
)

// maxTourBytes bounds the committed screenshots (the repository stays
// small to clone).
const maxTourBytes = 4 << 20

// The README's tour, the screenshots in docs/tour and this program's list
// of pages agree: every image the README shows is there, every file there
// is shown, and it is one this program takes (so `make screenshots`
// refreshes every one); together they stay under maxTourBytes. Cheap: no
// browser, no server.
func TestReadmeTourMatchesScreenshots(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for _, m := range regexp.MustCompile(`\]\((docs/tour/[^)\s]+)\)`).FindAllStringSubmatch(string(readme), -1) {
		if !slices.Contains(shown, m[1]) {
			shown = append(shown, m[1])
		}
	}
	if len(shown) == 0 {
		t.Fatal("the README shows no screenshot of docs/tour")
	}
	files, err := filepath.Glob(filepath.Join("..", "..", "docs", "tour", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var there []string
	var total int64
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		there = append(there, "docs/tour/"+filepath.Base(f))
		total += st.Size()
	}
	var taken []string
	for _, v := range tour {
		for _, s := range v.stops {
			taken = append(taken, "docs/tour/"+s.file)
		}
	}
	for _, f := range shown {
		if !slices.Contains(there, f) {
			t.Errorf("the README shows %s, which is not in docs/tour", f)
		}
	}
	for _, f := range there {
		if !slices.Contains(shown, f) {
			t.Errorf("%s is not shown in the README's tour", f)
		}
		if !slices.Contains(taken, f) {
			t.Errorf("%s is not one cmd/tour-screenshots takes (make screenshots would not refresh it)", f)
		}
	}
	for _, f := range taken {
		if !slices.Contains(there, f) {
			t.Errorf("cmd/tour-screenshots takes %s, which is not committed in docs/tour", f)
		}
	}
	if total > maxTourBytes {
		t.Errorf("docs/tour holds %d bytes, more than %d: take smaller screenshots", total, maxTourBytes)
	}
}

// An invitation list's first questionnaire link is found whatever column
// holds it.
func TestFirstLink(t *testing.T) {
	link, err := firstLink("\ufeffcompany,contact,link\nA/S,Anna,http://x/q/abc\nB,Bo,http://x/q/def\n")
	if err != nil || link != "http://x/q/abc" {
		t.Fatalf("%q %v", link, err)
	}
	if _, err := firstLink("company,contact\nA/S,Anna\n"); err == nil {
		t.Fatal("no link: no error")
	}
}
