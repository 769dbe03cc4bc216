package exports_test

import (
	"context"
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// A manager starts a large events export on /reports in Chromium: the job
// page's progress bar moves (the export is held at set rows by the job
// store's test throttle, so each observation waits on a condition, never
// on time), then the page offers the file, whose bytes are the CSV with
// every event.
func TestExportProgressAndDownloadInChromium(t *testing.T) {
	f := newFixture(t)
	const events = 20_000
	if err := f.env.App.CH.Exec(context.Background(), `INSERT INTO events (source, event_id, occurred_at, received_at, type, company_cvr, authority_cvr, channel, batch_id)
		SELECT 'bulk', toString(number), toDateTime('2012-11-14 08:00:00', 'UTC') + number, toDateTime('2012-11-14 08:00:00', 'UTC') + number,
			'message.sent', ?, ?, 'digital', 0 FROM numbers(?)`, f.plain, f.a, events); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	gate := sync.NewCond(&mu)
	allowed := int64(4000)
	release := func(n int64) { mu.Lock(); allowed = n; mu.Unlock(); gate.Broadcast() }
	f.env.App.Reports.SetThrottle(func(rows int64) {
		mu.Lock()
		for rows > allowed {
			gate.Wait()
		}
		mu.Unlock()
	})
	t.Cleanup(func() { release(math.MaxInt64) })
	runJobs(t, f.env.App)
	base := f.env.Listen()
	u := f.env.User(auth.RoleManager, "")

	ctx := browsertest.New(t)
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	every := chromedp.WithPollingInterval(50 * time.Millisecond)
	do(chromedp.Navigate(base+"/login?next=/reports"),
		chromedp.SendKeys(chromedp.CSS("#email"), u.Email), chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password+kb.Enter),
		chromedp.WaitVisible(chromedp.CSS("#export-form")),
		chromedp.SetValue(chromedp.CSS("#kind"), "events"), chromedp.SetValue(chromedp.CSS("#format"), "csv"),
		chromedp.SetValue(chromedp.CSS("#from"), "2012-W46"), chromedp.SetValue(chromedp.CSS("#to"), "2012-W46"),
		chromedp.Click(chromedp.CSS("#start-export")), chromedp.WaitVisible(chromedp.CSS("#job progress")))
	browsertest.Axe(t, ctx, "the report job page")

	// Held at 4,000 of 20,005 rows: the bar shows about 20 %.
	first, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => { const v = document.querySelector("#job progress").value; return v >= 19 ? v : 0 })()`, every))
	if err != nil {
		t.Fatalf("the progress bar never reached 19 %%: %v", err)
	}
	release(14000)
	second, err := chromedp.Run(ctx, chromedp.Poll[int](`(() => { const v = document.querySelector("#job progress").value; return v > `+strconv.Itoa(first)+` ? v : 0 })()`, every))
	if err != nil {
		t.Fatalf("the progress bar stayed at %d %%: %v", first, err)
	}
	if second <= first {
		t.Fatalf("progress %d then %d", first, second)
	}
	release(math.MaxInt64)
	do(chromedp.WaitVisible(chromedp.CSS("#download")))
	// The file's bytes: fetched as the link's target; a UTF-8 BOM is kept
	// as its three bytes (text() would drop it).
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.querySelector("#download").href).then(r => r.arrayBuffer()).then(b => {
		const u = new Uint8Array(b);
		return (u[0] === 0xEF && u[1] === 0xBB && u[2] === 0xBF ? "\uFEFF" : "") + new TextDecoder("utf-8", {ignoreBOM: false}).decode(u);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	rows := csvRows(t, []byte(body))
	if len(rows) != events+5+1 || rows[0][0] != "Uge" || rows[len(rows)-1][5] != f.a {
		t.Errorf("the download has %d rows (header %q, last %q), want a header and %d events", len(rows), rows[0], rows[len(rows)-1], events+5)
	}
	// The /reports page lists the file, at 390 px without sideways scrolling.
	do(chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	browsertest.Open(t, ctx, base+"/reports", "#jobs")
	if ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`)); !ok {
		t.Error("/reports scrolls sideways at 390 px")
	}
	browsertest.Axe(t, ctx, "/reports")
}
