package support_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
	"github.com/pilotpulse/pilotpulse/support"
)

// focused is the id of the element that has the keyboard focus.
func focused(t *testing.T, ctx context.Context) string {
	t.Helper()
	id, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ""`))
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// keys types on the keyboard into whatever has the focus.
func keys(t *testing.T, ctx context.Context, ks ...string) {
	t.Helper()
	for _, k := range ks {
		if err := chromedp.Do(ctx, chromedp.KeyEvent(k)); err != nil {
			t.Fatalf("keys %q: %v", k, err)
		}
	}
}

// tabTo presses Tab until the element with this id has the focus.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for range 40 {
		if focused(t, ctx) == id {
			return
		}
		keys(t, ctx, kb.Tab)
	}
	t.Fatalf("Tab never reached #%s (focus on #%s)", id, focused(t, ctx))
}

// waitLocation waits (up to 30 s) until the tab's address contains part
// and the new page has loaded.
func waitLocation(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	loc := ""
	for range 300 {
		loc, _ = chromedp.Run(ctx, chromedp.Location())
		if strings.Contains(loc, part) {
			state, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.readyState`))
			if state == "complete" {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("the tab never reached an address with %q (at %s)", part, loc)
}

// TestKeyboardOnlyEntryAndSearch logs a call with the keyboard alone (the
// company field has the focus when the form opens; Tab moves on; the
// selects are set by typing their labels; Enter saves), then finds the call
// again by searching its description.
func TestKeyboardOnlyEntryAndSearch(t *testing.T) {
	env := apptest.New(t, apptest.Options{NoClickHouse: true})
	cvr := company(env, validCVR(t, "8877665"), "Skovgaard Transport A/S")
	company(env, validCVR(t, "8877666"), "Andet Firma ApS")
	u := env.User(auth.RoleSupport, "")
	// Another call, which the search must leave out.
	other := env.SignIn(u)
	b := callBody(cvr)
	b["description"] = "Spørgsmål om notifikationer"
	if r := other.SendJSON("POST", "/api/v1/support/calls", b); r.StatusCode != 201 {
		t.Fatalf("seed call: %d %s", r.StatusCode, r.Body)
	}
	base := env.Listen()
	ctx := browsertest.New(t)

	browsertest.SignIn(t, ctx, base, u.Email, apptest.Password, "/support/calls/new")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#call-form"))); err != nil {
		t.Fatal(err)
	}
	if id := focused(t, ctx); id != "company" {
		t.Fatalf("the form opens with the focus on #%q, want #company", id)
	}
	keys(t, ctx, cvr, kb.Tab)
	keys(t, ctx, "Lise Lotte Holm", kb.Tab)
	keys(t, ctx, "Bogholder", kb.Tab)
	if id := focused(t, ctx); id != "desk" {
		t.Fatalf("after the caller's role the focus is on #%s, want #desk", id)
	}
	keys(t, ctx, "Post", kb.Tab) // desk: "Postkasseoperatørens support"
	keys(t, ctx, kb.Tab)         // channel: phone, the default
	keys(t, ctx, "Med", kb.Tab)  // category: "Medarbejdersignatur"
	keys(t, ctx, "Signaturen udløb; zebrafisk-sagen", kb.Tab)
	keys(t, ctx, "Del", kb.Tab) // resolution: "Delvist løst"
	keys(t, ctx, "6", kb.Enter) // duration, and Enter saves
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#saved"))); err != nil {
		t.Fatal(err)
	}

	var calls []support.Call
	other.Get("/api/v1/support/calls?search=zebrafisk").JSON(t, &calls)
	if len(calls) != 1 {
		t.Fatalf("saved calls matching: %+v", calls)
	}
	c := calls[0]
	if c.CompanyCVR != cvr || c.CallerName != "Lise Lotte Holm" || c.CallerRole != "Bogholder" || c.Desk != "mailbox_operator" ||
		c.Channel != "phone" || c.Category != "employee_signature" || c.Resolution != "partly" || c.DurationMinutes == nil ||
		*c.DurationMinutes != 6 || c.HandledBy != u.Email {
		t.Fatalf("saved call: %+v", c)
	}

	// Find it again: to the list, Tab to the search field, type, Enter.
	browsertest.Open(t, ctx, base+"/support/calls", "#calls")
	tabTo(t, ctx, "f-search")
	keys(t, ctx, "zebrafisk", kb.Enter)
	waitLocation(t, ctx, "search=zebrafisk")
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#calls tbody a[href^="/support/calls/"]`))); err != nil {
		t.Fatal(err)
	}
	body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#calls tbody")))
	if err != nil {
		t.Fatal(err)
	}
	n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#calls tbody tr").length`))
	if n != 1 || !strings.Contains(body, "zebrafisk") || !strings.Contains(body, "Skovgaard Transport A/S") || !strings.Contains(body, "Lise Lotte Holm") {
		t.Fatalf("search result (%d rows): %s", n, body)
	}
	// And open it from the result with the keyboard: its link, then Enter.
	if err := chromedp.Do(ctx, chromedp.Focus(chromedp.CSS(`#calls tbody a[href^="/support/calls/"]`))); err != nil {
		t.Fatal(err)
	}
	keys(t, ctx, kb.Enter)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#history"))); err != nil {
		t.Fatal(err)
	}
	if v, _ := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#description"))); v != "Signaturen udløb; zebrafisk-sagen" {
		t.Fatalf("the call page shows %q", v)
	}
}
