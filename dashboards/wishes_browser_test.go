package dashboards_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
	"github.com/pilotpulse/pilotpulse/registry"
	"github.com/pilotpulse/pilotpulse/support"
)

// noSideways is true when the page does not scroll sideways.
const noSideways = `document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`

// The wishes page and the week in review in Chromium, as admin and
// manager, at desktop width and at 390 px: the chart draws, the matches
// are marked, a company named like a script and a quote holding markup
// show as text, axe-core finds nothing serious, no console error, no
// sideways scrolling; the copy button copies the text. (Support and
// authority users are refused both pages: TestWishRulesAdmin,
// TestWeekInReviewEmpty and the route sweep.)
func TestWishesAndReviewInChromium(t *testing.T) {
	f := newOverviewFixture(t)
	ctx := context.Background()
	script, err := f.env.App.Registry.CreateCompany(ctx, registry.Company{CVR: cvr(t, "4100008"), Name: scriptName, Kind: "company"})
	if err != nil {
		t.Fatal(err)
	}
	at := cph("2012-11-15 11:00")
	if _, err := f.env.App.Support.Create(ctx, support.Input{CompanyCVR: script.CVR, CallerName: "Eve", ReceivedAt: &at, Desk: "portal", Channel: "phone",
		Category: "deleted_mail", Description: "Please add undelete", Resolution: "resolved"}, "test"); err != nil {
		t.Fatal(err)
	}
	base := f.env.Listen()
	for _, c := range []struct {
		who  string
		role auth.Role
		cvr  string
	}{{"admin", auth.RoleAdmin, ""}, {"manager", auth.RoleManager, ""}} {
		t.Run(c.who, func(t *testing.T) {
			u := f.env.User(c.role, c.cvr)
			b := newWatchedBrowser(t)
			browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, "")
			b.do(t, chromedp.WaitVisible(chromedp.CSS("h1")))
			wishes := func(width string) {
				t.Helper()
				browsertest.Open(t, b.ctx, base+"/dashboards/wishes", "#wishes-chart-title")
				if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
					t.Fatalf("%s: the chart was not drawn: %v", width, err)
				}
				if !b.eval(t, `Array.from(document.querySelectorAll(".wish-quotes a")).some(a => a.textContent === `+jsString(scriptName)+`)`) {
					t.Errorf("%s: the company named like a script is not a link with its name as text", width)
				}
				if !b.eval(t, `Array.from(document.querySelectorAll("mark")).some(m => m.textContent === "gendanne slettet post") &&
					Array.from(document.querySelectorAll(".wish-quote")).some(q => q.textContent.includes("<b>nu</b>"))`) {
					t.Errorf("%s: the matches are not marked or the quote's markup is not text", width)
				}
				if !b.eval(t, noSideways) {
					t.Errorf("%s: the wishes page scrolls sideways", width)
				}
			}
			wishes("desktop")
			browsertest.Axe(t, b.ctx, c.who+" wishes page")

			browsertest.Open(t, b.ctx, base+"/dashboards/week-in-review", "#review-text")
			if !b.eval(t, `document.getElementById("review-text").value.startsWith("Uge 46 (2012-W46)\n- 3 af 5 virksomheder") && document.getElementById("review-text").readOnly`) {
				t.Error("the text box lacks the week's text")
			}
			browsertest.Axe(t, b.ctx, c.who+" week in review")
			b.do(t, chromedp.WaitVisible(chromedp.CSS("[data-copy-from]")), chromedp.Click(chromedp.CSS("[data-copy-from]")))
			if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`document.getElementById("review-copied").textContent === "Teksten er kopieret."`, every, chromedp.WithPollingTimeout(10*time.Second))); err != nil {
				t.Errorf("the copy button did not copy: %v", err)
			}

			b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			wishes("390 px")
			browsertest.Open(t, b.ctx, base+"/dashboards/week-in-review", "#review-text")
			if !b.eval(t, noSideways) {
				t.Error("390 px: the week in review scrolls sideways")
			}
			if p := b.problems(); len(p) > 0 {
				t.Errorf("console errors or dialogs: %v", p)
			}
		})
	}
}
