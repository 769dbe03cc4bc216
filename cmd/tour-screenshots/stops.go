package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image/png"
	"math"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// openFirstSetupProblemCompany opens the hub of the first company the
// setup-problems page lists with a problem.
func openFirstSetupProblemCompany(ctx context.Context, base string) error {
	const first = `section[aria-labelledby="setup-companies-title"] tbody a`
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/dashboards/setup-problems"), chromedp.WaitVisible(chromedp.CSS(first))); err != nil {
		return err
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+jsString(first)+`).getAttribute("href")`))
	if err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.Navigate(base+href), chromedp.WaitVisible(chromedp.CSS("#company-register-title")))
}

// fillCallForm types a call into the new-call form as support staff do
// (not saved): the first company of the list, a caller, what happened.
// The received time, filled in with the present, is set to a time in the
// pilot, so the screenshot stays the same from run to run.
func fillCallForm(ctx context.Context, _ string) error {
	company, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#support-companies option").value`))
	if err != nil {
		return err
	}
	return chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#company"), company),
		chromedp.SendKeys(chromedp.CSS("#caller_name"), "Mette Holm"),
		chromedp.SendKeys(chromedp.CSS("#caller_role"), "Bogholder"),
		chromedp.SetValue(chromedp.CSS("#category"), "employee_signature"),
		chromedp.SendKeys(chromedp.CSS("#description"), "Kan ikke tilknytte medarbejdersignaturen til virksomhedens postkasse; fejlen kommer efter login."),
		chromedp.SetValue(chromedp.CSS("#resolution"), "resolved"),
		chromedp.SendKeys(chromedp.CSS("#duration_minutes"), "12"),
		chromedp.SetValue(chromedp.CSS("#received_at"), "2012-12-20T10:15"),
		chromedp.Blur(chromedp.CSS("#duration_minutes")), // no caret in the picture
	)
}

// openQuestionnaireOnPhone opens a respondent's questionnaire on a
// phone-sized window. The demo's 2012 waves are closed, so the admin
// (signed in) makes the schedule's window the whole week, opens this
// week's wave and takes the first personal link of its invitation list.
func openQuestionnaireOnPhone(ctx context.Context, base string) error {
	wk := week.Of(time.Now()).String()
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/survey"),
		chromedp.SetValue(chromedp.CSS("#open_weekday"), "1"), chromedp.SetValue(chromedp.CSS("#open_time"), "00:00"), chromedp.SetValue(chromedp.CSS("#close_after_days"), "28"),
		chromedp.Click(chromedp.CSS(`form[action="/survey/schedule"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS("main .flash")),
		chromedp.SetValue(chromedp.CSS("#week"), wk),
		chromedp.Click(chromedp.CSS(`form[action="/survey/waves"] button.primary`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/invitations.csv"]`)))
	if err != nil {
		return fmt.Errorf("open the wave of %s: %w", wk, err)
	}
	list, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch("/survey/waves/`+wk+`/invitations.csv").then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		return err
	}
	link, err := firstLink(list)
	if err != nil {
		return err
	}
	// The respondent is nobody signed in.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS("#password"))); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	return chromedp.Do(ctx, chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main form")))
}

// firstLink is the first questionnaire link (…/q/TOKEN) in an invitation
// list.
func firstLink(list string) (string, error) {
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(list, "\ufeff"))).ReadAll()
	if err != nil {
		return "", fmt.Errorf("invitation list: %w", err)
	}
	for _, row := range rows {
		for _, cell := range row {
			if strings.Contains(cell, "/q/") {
				return cell, nil
			}
		}
	}
	return "", errors.New("no questionnaire link in the invitation list")
}

// capturePage takes the top of the page (up to maxHeight) at the window's
// width: the window is made as tall as that first, so the screenshot is
// of the page as laid out, charts drawn again at that size.
func capturePage(ctx context.Context, every chromedp.PollOption) ([]byte, error) {
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[window.innerWidth, document.documentElement.scrollHeight]`))
	if err != nil {
		return nil, err
	}
	mobile, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`navigator.maxTouchPoints > 0`))
	if err != nil {
		return nil, err
	}
	w, h := int64(size[0]), int64(math.Min(math.Ceil(size[1]), maxHeight))
	var opts []chromedp.EmulateViewportOption
	if mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h, opts...)); err != nil {
		return nil, err
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](chartsReady, every)); err != nil {
		return nil, err
	}
	shot, err := chromedp.Run(ctx, chromedp.Action[[]byte](func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng,
			Clip: &page.Viewport{Width: float64(w), Height: float64(h), Scale: 1}})
		return r.Data, err
	}))
	if err != nil {
		return nil, err
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, desktopHeight, opts...)); err != nil {
		return nil, err
	}
	return smallerPNG(shot)
}

// smallerPNG encodes the screenshot again at the best compression.
func smallerPNG(b []byte) ([]byte, error) {
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img); err != nil {
		return nil, err
	}
	if out.Len() >= len(b) {
		return b, nil
	}
	return out.Bytes(), nil
}

// jsString quotes s as a JavaScript string.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
