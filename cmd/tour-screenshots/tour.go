package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// The demo users the tour signs in as (internal/demopilot's, and the
// first admin serve creates).
const (
	adminEmail     = "admin@pilotpulse.local"
	managerEmail   = "manager@pilotpulse.local"
	supportEmail   = "support@pilotpulse.local"
	authorityEmail = "fredericia@pilotpulse.local"
)

// Screenshot sizes: the desktop window, the phone's, and the most of a
// long page kept (the top of it; files stay small).
const (
	desktopWidth, desktopHeight = 1280, 900
	phoneWidth, phoneHeight     = 390, 844
	maxHeight                   = 1800
	stepTimeout                 = 2 * time.Minute // a sign-in or a page
)

// stop is one page of the tour.
type stop struct {
	file string // under the output folder
	path string // the page; "" when prepare navigates itself
	// prepare, when set, runs after the page has loaded and before the
	// screenshot (it may fill in a form or find the path to visit).
	prepare func(ctx context.Context, base string) error
}

// visit is one user's part of the tour, in one browser.
type visit struct {
	email string
	stops []stop
}

// tour is every page of the README's tour, by the user who sees it. The
// questionnaire comes last: opening this week's wave changes the data.
var tour = []visit{
	{adminEmail, []stop{{file: "admin-start.png", path: "/"}}},
	{managerEmail, []stop{
		{file: "manager-overview.png", path: "/"},
		{file: "overview-whole-pilot.png", path: "/?period=pilot"},
		{file: "setup-problems.png", path: "/dashboards/setup-problems?period=pilot"},
		{file: "volume.png", path: "/dashboards/volume?period=pilot"},
		{file: "adoption.png", path: "/dashboards/adoption?period=pilot"},
		{file: "legal-notice.png", path: "/dashboards/legal-notice"},
		{file: "company-hub.png", prepare: openFirstSetupProblemCompany},
		{file: "wishes.png", path: "/dashboards/wishes?period=pilot"},
		{file: "week-in-review.png", path: "/dashboards/week-in-review"},
	}},
	{supportEmail, []stop{
		{file: "support-start.png", path: "/"},
		{file: "support-call-form.png", path: "/support/calls/new", prepare: fillCallForm},
	}},
	{authorityEmail, []stop{
		{file: "authority-start.png", path: "/"},
		{file: "authority-volume.png", path: "/dashboards/volume?period=pilot"},
	}},
	{adminEmail, []stop{{file: "questionnaire-phone.png", prepare: openQuestionnaireOnPhone}}},
}

// tourRun is what the tour needs: the app's address, where the files go,
// the logins by e-mail, and where the figures are printed.
type tourRun struct {
	base   string
	out    string
	users  map[string]login
	stdout io.Writer
}

func takeTour(ctx context.Context, r tourRun) error {
	for _, v := range tour {
		if err := r.visit(ctx, v); err != nil {
			return fmt.Errorf("as %s: %w", v.email, err)
		}
	}
	return nil
}

// visit signs the user in in a fresh browser and takes its pages.
func (r tourRun) visit(ctx context.Context, v visit) error {
	bctx, stopBrowser, err := browsertest.Start(ctx, steadyPictures...)
	if err != nil {
		return fmt.Errorf("start chromium: %w", err)
	}
	defer stopBrowser()
	// The browser starts with the first action and lives as long as that
	// action's context: start it on bctx, not on a step's.
	if err := chromedp.Do(bctx); err != nil {
		return fmt.Errorf("start chromium: %w", err)
	}
	u := r.users[v.email]
	err = withTimeout(bctx, func(ctx context.Context) error {
		return chromedp.Do(ctx, chromedp.EmulateViewport(desktopWidth, desktopHeight),
			chromedp.Navigate(r.base+"/login"),
			chromedp.SendKeys(chromedp.CSS("#email"), u.email), chromedp.SendKeys(chromedp.CSS("#password"), u.password+kb.Enter),
			chromedp.WaitVisible(chromedp.CSS("header .who")))
	})
	if err != nil {
		return fmt.Errorf("sign in: %w", err)
	}
	for _, s := range v.stops {
		err := withTimeout(bctx, func(ctx context.Context) error {
			if s.path != "" {
				if err := chromedp.Do(ctx, chromedp.Navigate(r.base+s.path)); err != nil {
					return err
				}
			}
			if s.prepare != nil {
				if err := s.prepare(ctx, r.base); err != nil {
					return err
				}
			}
			return r.shoot(ctx, s.file)
		})
		if err != nil {
			return fmt.Errorf("%s: %w", s.file, err)
		}
	}
	return nil
}

// withTimeout runs one step in the browser, given at most stepTimeout (a
// loaded machine is slow; a page that never gets ready is an error).
func withTimeout(ctx context.Context, step func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	return step(ctx)
}

// steadyPictures are Chromium's options for the tour: one raster thread
// with whole-page raster, no subpixel text and one colour profile, so the
// same page gives the same pixels from run to run.
var steadyPictures = []chromedp.ExecAllocatorOption{
	chromedp.Flag("num-raster-threads", "1"),
	chromedp.Flag("disable-partial-raster", true),
	chromedp.Flag("disable-lcd-text", true),
	chromedp.Flag("force-color-profile", "srgb"),
}

// chartsReady is true once the page is loaded and has no charts or has
// drawn every one.
var chartsReady = `document.readyState === "complete" && (document.querySelectorAll(".chart[data-chart-options]").length === 0 || ` + browsertest.ChartsDrawn + `)`

// shoot waits for the page's charts, prints the figures it shows and saves
// its top (up to maxHeight) at the window's width as a PNG.
func (r tourRun) shoot(ctx context.Context, file string) error {
	every := chromedp.WithPollingInterval(50 * time.Millisecond)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](chartsReady, every)); err != nil {
		return fmt.Errorf("the charts were not drawn: %w", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](figuresText))
	if err != nil {
		return err
	}
	fmt.Fprintf(r.stdout, "\n== %s (%s)\n%s\n", file, strings.TrimPrefix(loc, r.base), text)
	png, err := capturePage(ctx, every)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.out, file), png, 0o644)
}

// figuresText is the page's main text as shown (hidden chart tables and
// lists left out), for reading the figures off.
const figuresText = `document.querySelector("main").innerText.split("\n").map(l => l.trim()).filter(l => l).join("\n")`
