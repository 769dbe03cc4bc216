package dashboards_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
	"github.com/pilotpulse/pilotpulse/registry"
)

// The adoption page, the legal-notice list and the company hub in
// Chromium, as admin, manager and support, at desktop width and at 390 px:
// the funnel's chart draws, no console error or dialog, axe-core finds no
// serious or critical violation (as admin and as support), no sideways
// scrolling, and a company named like a script is text. An authority user is refused every one of
// them and never sees a company's or another authority's name.
func TestAdoptionInChromium(t *testing.T) {
	f := newAdoptionFixture(t)
	f.changeCompany(t, f.d, func(co *registry.Company) { co.Name = scriptName })
	base := f.env.Listen()
	pages := []struct {
		path, ready string
		charts      int
		name        string // JavaScript: true when the script-like name shows as text
	}{
		{"/dashboards/adoption?period=4w", "#adoption-funnel", 1,
			`Array.from(document.querySelectorAll("#stuck-in_pilot a")).some(a => a.textContent === ` + jsString(scriptName) + `)`},
		{"/dashboards/legal-notice", "#legal-notice", 0,
			`Array.from(document.querySelectorAll("#legal-notice a")).some(a => a.textContent === ` + jsString(scriptName) + `)`},
		{"/companies/" + f.d, ".timeline-events", 0,
			`document.querySelector("h1").textContent.startsWith(` + jsString(scriptName) + `)`},
	}
	for _, role := range []auth.Role{auth.RoleAdmin, auth.RoleManager, auth.RoleSupport} {
		t.Run(string(role), func(t *testing.T) {
			u := f.env.User(role, "")
			b := newWatchedBrowser(t)
			browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, "")
			for _, p := range pages {
				for _, width := range []int64{1280, 390} {
					b.do(t, chromedp.EmulateViewport(width, 900))
					browsertest.Open(t, b.ctx, base+p.path, p.ready)
					if p.charts > 0 {
						if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
							t.Fatalf("%s at %d px: the chart was not drawn: %v", p.path, width, err)
						}
					}
					if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart canvas").length`)); n != p.charts {
						t.Errorf("%s at %d px: %d charts, want %d", p.path, width, n, p.charts)
					}
					if p.name != "" && !b.eval(t, p.name) {
						t.Errorf("%s at %d px: the company's name is not shown as text", p.path, width)
					}
					if !b.eval(t, `document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`) {
						sw, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.scrollingElement.scrollWidth + " > " + document.scrollingElement.clientWidth + ": " +
							Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.scrollingElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className).join(", ")`))
						t.Errorf("%s at %d px: the page scrolls sideways: %s", p.path, width, sw)
					}
					if width == 1280 && role != auth.RoleManager { // the manager's pages are the admin's, read-only
						browsertest.Axe(t, b.ctx, p.path)
					}
				}
			}
			if p := b.problems(); len(p) > 0 {
				t.Errorf("console errors or dialogs: %v", p)
			}
		})
	}
	t.Run("authority user", func(t *testing.T) {
		u := f.env.User(auth.RoleAuthority, f.x)
		b := newWatchedBrowser(t)
		browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, "")
		for _, p := range pages {
			browsertest.Open(t, b.ctx, base+p.path, "main")
			text, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
			for _, name := range []string{"Firma", "alert(1)", "Styrelsen X", f.y} {
				if strings.Contains(text, name) {
					t.Errorf("%s shows the authority user %q", p.path, name)
				}
			}
		}
		if b.eval(t, `Array.from(document.querySelectorAll("nav a")).some(a => a.getAttribute("href") === "/dashboards/adoption")`) {
			t.Error("the authority user's navigation offers the adoption page")
		}
	})
}
