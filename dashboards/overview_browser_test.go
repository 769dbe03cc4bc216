package dashboards_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// The start page in Chromium for each role, at desktop width and at 390 px:
// the charts draw (where the role has charts), no console error or dialog,
// no sideways scrolling, and the authority named like a script is text
// (the admin's volume table, the authority user's heading); axe-core finds
// no serious or critical violation.
func TestOverviewInChromium(t *testing.T) {
	f := newOverviewFixture(t)
	base := f.env.Listen()
	for _, c := range []struct {
		who    string
		role   auth.Role
		cvr    string
		ready  string // an element the page shows
		charts int
		name   string // JavaScript: true when the script-like name shows as text
	}{
		{"admin", auth.RoleAdmin, "", "#overview-volume-chart", 8,
			`Array.from(document.querySelectorAll("#overview-volume-chart ~ .chart-table thead th")).some(th => th.textContent === ` + jsString(scriptName) + `)`},
		{"manager", auth.RoleManager, "", "#overview-setup-chart", 8, ""},
		{"support", auth.RoleSupport, "", "#overview-follow-ups", 0, ""},
		{"authority user", auth.RoleAuthority, f.y, "#overview-authority-chart", 1,
			`document.querySelector(".overview-authority").textContent === ` + jsString(scriptName)},
	} {
		t.Run(c.who, func(t *testing.T) {
			u := f.env.User(c.role, c.cvr)
			b := newWatchedBrowser(t)
			browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, "")
			b.do(t, chromedp.WaitVisible(chromedp.CSS(c.ready)))
			if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasSuffix(loc, "/") {
				t.Fatalf("landed on %s", loc)
			}
			check := func(width string) {
				t.Helper()
				if c.charts > 0 {
					if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
						t.Fatalf("%s: the charts were not drawn: %v", width, err)
					}
					if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart canvas").length`)); n != c.charts {
						t.Errorf("%s: %d charts, want %d", width, n, c.charts)
					}
				} else if b.eval(t, `document.querySelectorAll(".chart").length > 0`) {
					t.Errorf("%s: the %s's start page has charts", width, c.who)
				}
				if c.name != "" && !b.eval(t, c.name) {
					t.Errorf("%s: the authority's name is not shown as text", width)
				}
				if !b.eval(t, `document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`) {
					sw, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.scrollingElement.scrollWidth + " > " + document.scrollingElement.clientWidth + ": " +
						Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.scrollingElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className).join(", ")`))
					t.Errorf("%s: the page scrolls sideways: %s", width, sw)
				}
			}
			check("desktop")
			browsertest.Axe(t, b.ctx, c.who+" start page")
			// A phone: 390 px wide.
			b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			browsertest.Open(t, b.ctx, base+"/", c.ready)
			check("390 px")
			if p := b.problems(); len(p) > 0 {
				t.Errorf("console errors or dialogs: %v", p)
			}
		})
	}
}
