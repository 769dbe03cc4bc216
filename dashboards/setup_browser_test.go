package dashboards_test

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// The setup problems page and the follow-up list in Chromium for admin,
// manager and support, at desktop width and at 390 px: the three charts
// draw, no console error or dialog, axe-core finds nothing serious (at
// desktop width), no
// sideways scrolling, the company named like a script is text. An
// authority user is refused both pages and sees no company.
func TestSetupPagesInChromium(t *testing.T) {
	f := newSetupFixture(t)
	base := f.env.Listen()
	const setup = "/dashboards/setup-problems?period=4w"
	const followUps = "/dashboards/follow-ups"
	nameIsText := `Array.from(document.querySelectorAll("table a")).some(a => a.textContent === ` + jsString(scriptName) + `)`
	for _, c := range []struct {
		who  string
		role auth.Role
	}{{"admin", auth.RoleAdmin}, {"manager", auth.RoleManager}, {"support", auth.RoleSupport}} {
		t.Run(c.who, func(t *testing.T) {
			u := f.env.User(c.role, "")
			b := newWatchedBrowser(t)
			browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, setup)
			b.do(t, chromedp.WaitVisible(chromedp.CSS("#setup-events")))
			check := func(width, path string, charts int) {
				t.Helper()
				if charts > 0 {
					if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
						t.Fatalf("%s %s: the charts were not drawn: %v", width, path, err)
					}
				}
				if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart canvas").length`)); n != charts {
					t.Errorf("%s %s: %d charts, want %d", width, path, n, charts)
				}
				if !b.eval(t, nameIsText) {
					t.Errorf("%s %s: the script-like company name is not shown as text", width, path)
				}
				if !b.eval(t, `document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`) {
					sw, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.scrollingElement.scrollWidth + " > " + document.scrollingElement.clientWidth + ": " +
						Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.scrollingElement.clientWidth + 1 && !e.closest(".table-scroll")).slice(0, 5).map(e => e.tagName + "." + e.className).join(", ")`))
					t.Errorf("%s %s: the page scrolls sideways: %s", width, path, sw)
				}
				if width == "desktop" {
					browsertest.Axe(t, b.ctx, width+" "+path)
				}
			}
			check("desktop", setup, 3)
			browsertest.Open(t, b.ctx, base+followUps, "table.follow-ups")
			check("desktop", followUps, 0)
			b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			browsertest.Open(t, b.ctx, base+setup, "#setup-events")
			check("390 px", setup, 3)
			browsertest.Open(t, b.ctx, base+followUps, "table.follow-ups")
			check("390 px", followUps, 0)
			if p := b.problems(); len(p) > 0 {
				t.Errorf("console errors or dialogs: %v", p)
			}
		})
	}
	t.Run("authority user", func(t *testing.T) {
		u := f.env.User(auth.RoleAuthority, f.x)
		b := newWatchedBrowser(t)
		browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, "")
		if b.eval(t, `!!document.querySelector('a[href="/dashboards/setup-problems"], a[href="/dashboards/follow-ups"]')`) {
			t.Error("the authority user's nav links to the setup pages")
		}
		for _, path := range []string{setup, followUps} {
			browsertest.Open(t, b.ctx, base+path, "main")
			if b.eval(t, `document.body.textContent.includes("Firma") || document.querySelectorAll("table").length > 0`) {
				t.Errorf("%s: the authority user sees companies", path)
			}
		}
		if r := f.env.As(auth.RoleAuthority, f.x).Get(setup); r.StatusCode != http.StatusForbidden {
			t.Errorf("the authority user got %d", r.StatusCode)
		}
	})
}
