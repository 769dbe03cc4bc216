package survey_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// TestRespondentPageInChromium answers the questionnaire in headless
// Chromium with the keyboard only, checks it with axe-core (no serious or
// critical violation) on a desktop and a phone viewport, with and without
// errors, and without JavaScript on our side (the page ships none).
func TestRespondentPageInChromium(t *testing.T) {
	f := newFixture(t)
	f.company("4000001", "Browser A/S", "Gry:gry@browser.dk", "Hal:hal@browser.dk:en")
	w := f.openWave()
	toks := f.tokens(w.ID)
	base := f.env.Listen()
	ctx := browsertest.New(t)

	url := base + "/q/" + toks["gry@browser.dk"]
	browsertest.Open(t, ctx, url, "form")
	// With JavaScript, a question shows only while its condition holds.
	hidden := func(sel string) bool {
		t.Helper()
		h, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("`+sel+`").closest("[data-key]").hidden`))
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	if !hidden("#q_support_desk") || !hidden("#q_setup_problem_kinds") || hidden("#q_ease") {
		t.Error("conditional questions are not hidden at first")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#q_contacted_support-yes"))); err != nil {
		t.Fatal(err)
	}
	if hidden("#q_support_desk") || hidden("#q_support_solved") {
		t.Error("answering yes does not show the follow-up questions")
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#q_contacted_support-no"))); err != nil {
		t.Fatal(err)
	}
	if !hidden("#q_support_desk") {
		t.Error("answering no does not hide the follow-up question")
	}
	browsertest.Axe(t, ctx, "form (desktop)")

	// Submit empty: errors next to the fields, still accessible.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS("#form-errors"))); err != nil {
		t.Fatal(err)
	}
	txt, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#err-used_mailbox")))
	if err != nil || !strings.Contains(txt, "Besvar venligst") {
		t.Errorf("error next to the field: %q %v", txt, err)
	}
	browsertest.Axe(t, ctx, "form with errors")

	// Keyboard only: focus a radio with Tab order and choose with the arrow
	// keys / space, then submit with Enter on the button.
	browsertest.Open(t, ctx, url, "form")
	keyAnswer := func(sel string) {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(" ")); err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
	}
	for _, sel := range []string{"#q_used_mailbox-yes", "#q_setup_problem-no", "#q_ease-4", "#q_contacted_support-no", "#q_third_party_access-no", "#q_missing_features-audit_trail"} {
		keyAnswer(sel)
	}
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS("#q_comments")), chromedp.KeyEvent("Tastatur alene")); err != nil {
		t.Fatal(err)
	}
	checked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#q_ease-4").checked && document.querySelector("#q_missing_features-audit_trail").checked`))
	if err != nil || !checked {
		t.Fatalf("space did not choose: %v", err)
	}
	// Tab from the comments to the submit button and press Enter.
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.value || document.activeElement.id`))
	if focused != "submit" {
		t.Fatalf("Tab after the comments focuses %q, want the submit button", focused)
	}
	if err := chromedp.Do(ctx, chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(chromedp.CSS(".flash"))); err != nil {
		t.Fatal(err)
	}
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(txt, "Dine svar er indsendt") {
		t.Fatalf("after keyboard submit: %s", txt)
	}
	browsertest.Axe(t, ctx, "thank-you page")
	if v := f.answer(w.ID, "gry@browser.dk", "comments"); v != "Tastatur alene" {
		t.Errorf("comment stored %q", v)
	}

	// A phone: 375 px wide, no horizontal scrolling; English for an English contact.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(375, 740, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	browsertest.Open(t, ctx, base+"/q/"+toks["hal@browser.dk"], "form")
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if err != nil || wide {
		sw, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		t.Errorf("the page scrolls sideways on a phone (scrollWidth %d)", sw)
	}
	if lang, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("legend"))); !strings.Contains(lang, "Has your company") {
		t.Errorf("English contact sees %q", lang)
	}
	browsertest.Axe(t, ctx, "form (phone, English)")

	// Without JavaScript: every question shows, with its condition spelled
	// out; answering and submitting works.
	if err := chromedp.Do(ctx, noScript(true), chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatal(err)
	}
	browsertest.Open(t, ctx, base+"/q/"+toks["hal@browser.dk"], "form")
	vis, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!document.querySelector("#q_support_desk").closest("[data-key]").hidden`))
	if err != nil || !vis {
		t.Error("without JavaScript the conditional question is hidden")
	}
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#cond-support_desk"))); !strings.Contains(txt, "Answer only if") {
		t.Errorf("condition note %q", txt)
	}
	for _, sel := range []string{"#q_used_mailbox-no", "#q_setup_problem-yes", "#q_setup_problem_kinds-finding_mail", "#q_ease-2",
		"#q_contacted_support-yes", "#q_support_desk-virk", "#q_support_solved-no", "#q_third_party_access-no"} {
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[value="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".flash"))); err != nil {
		t.Fatal(err)
	}
	if txt, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main"))); !strings.Contains(txt, "Thank you") {
		t.Fatalf("no-JS submit: %s", txt)
	}
	if v := f.answer(w.ID, "hal@browser.dk", "support_desk"); v != "virk" {
		t.Errorf("no-JS answer stored %q", v)
	}
	if err := chromedp.Do(ctx, noScript(false)); err != nil {
		t.Fatal(err)
	}

	// The neutral page.
	browsertest.Open(t, ctx, base+"/q/nope", "h1")
	browsertest.Axe(t, ctx, "neutral page")
}

// noScript switches the page's JavaScript off (or on again).
func noScript(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	})
}

// TestAdminPagesAccessible signs an admin in through the login form and runs
// axe-core on the survey's own pages.
func TestAdminPagesAccessible(t *testing.T) {
	f := newFixture(t)
	cvrA := f.company("4100001", "Tilgængelig A/S", "Ulla:ulla@t.dk")
	w := f.openWave()
	if err := f.store.Save(context.Background(), f.invitation(w.ID, "ulla@t.dk"), w, map[string]string{"ease": "3", "used_mailbox": "yes"}, true); err != nil {
		t.Fatal(err)
	}
	base := f.env.Listen()
	ctx := browsertest.New(t)
	u := f.env.User(auth.RoleAdmin, "")
	browsertest.SignIn(t, ctx, base, u.Email, apptest.Password, "")
	for _, path := range []string{"/survey", "/survey/waves/" + w.ID, "/survey/questionnaire", "/survey/questionnaire/builder",
		"/survey/companies/" + cvrA, "/survey/interviews"} {
		browsertest.Open(t, ctx, base+path, "h1")
		if loc, _ := chromedp.Run(ctx, chromedp.Location()); loc != base+path {
			t.Fatalf("%s: landed on %s", path, loc)
		}
		browsertest.Axe(t, ctx, path)
	}
}
