package dashboards_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/browsertest"
)

// watchedBrowser is a headless Chromium whose console errors, uncaught
// exceptions and dialogs the test collects (a dialog is dismissed).
type watchedBrowser struct {
	ctx     context.Context
	mu      sync.Mutex
	errors  []string
	dialogs []string
}

func newWatchedBrowser(t *testing.T) *watchedBrowser {
	t.Helper()
	b := &watchedBrowser{ctx: browsertest.New(t)}
	messages := chromedp.Console(b.ctx)
	opening := chromedp.Events(b.ctx, page.JavascriptDialogOpening)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			// The browser asks for /favicon.ico on its own; the app has none.
			if (m.Type == chromedp.ConsoleError || m.IsException()) && !strings.HasSuffix(m.URL, "/favicon.ico") {
				b.mu.Lock()
				b.errors = append(b.errors, m.String()+" ("+m.URL+")")
				b.mu.Unlock()
			}
		}
	}()
	go func() {
		for ev, err := range opening {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.dialogs = append(b.dialogs, string(ev.Type)+": "+ev.Message)
			b.mu.Unlock()
			chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}()
	return b
}

func (b *watchedBrowser) do(t *testing.T, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func (b *watchedBrowser) eval(t *testing.T, js string) bool {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// problems are the console errors, exceptions and dialogs seen since the
// last call.
func (b *watchedBrowser) problems() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	p := append(b.errors, b.dialogs...)
	b.errors, b.dialogs = nil, nil
	return p
}

// every is how often a condition is checked in the page.
var every = chromedp.WithPollingInterval(50 * time.Millisecond)

// chartsDrawn is true once every chart element holds a canvas of non-zero
// size that has been drawn on.
const chartsDrawn = browsertest.ChartsDrawn

// The volume page in Chromium, as an admin and as the user of the
// authority named like a script: both charts draw, no console error, no
// sideways scrolling at 390 px, the name is text everywhere (table, ranking, tooltip)
// and runs nothing; the switch shows the table, and without JavaScript the
// table shows on its own.
func TestVolumeChartsInChromium(t *testing.T) {
	f := newChartFixture(t)
	base := f.env.Listen()
	for _, c := range []struct {
		who  string
		role auth.Role
		cvr  string
	}{{"admin", auth.RoleAdmin, ""}, {"authority user", auth.RoleAuthority, f.script}} {
		t.Run(c.who, func(t *testing.T) {
			u := f.env.User(c.role, c.cvr)
			b := newWatchedBrowser(t)
			browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, chartRange)
			b.do(t, chromedp.WaitVisible(chromedp.CSS("#volume-authorities")))
			if loc, _ := chromedp.Run(b.ctx, chromedp.Location()); !strings.HasSuffix(loc, chartRange) {
				t.Fatalf("landed on %s", loc)
			}
			if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
				t.Fatalf("the charts were not drawn: %v", err)
			}
			if !b.eval(t, `document.querySelectorAll(".chart canvas").length === 2`) {
				t.Error("want two charts")
			}

			// The name is literal text in the chart's table and the heading.
			if !b.eval(t, `Array.from(document.querySelectorAll("#volume-authorities ~ .chart-table thead th")).some(th => th.textContent === `+jsString(scriptName)+`)`) {
				t.Error("the chart table does not show the authority's name as text")
			}
			if !b.eval(t, `Array.from(document.querySelectorAll(".volume-rank-row th a")).some(a => a.textContent === `+jsString(scriptName)+`)`) {
				t.Error("the ranking does not show the authority's name as text")
			}
			// The only scripts: ECharts, charts.js and the two charts' options.
			if !b.eval(t, `Array.from(document.scripts).every(s => s.type === "application/json" || /^\/static\/(echarts-[0-9.]+\.min|charts)\.js$/.test(new URL(s.src).pathname)) && document.scripts.length === 4`) {
				scripts, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`Array.from(document.scripts).map(s => s.outerHTML.slice(0, 120)).join("\n")`))
				t.Errorf("unexpected script elements:\n%s", scripts)
			}
			// ECharts' tooltip over the week with data shows the name as text.
			tip := `(() => {
				const el = document.getElementById("volume-authorities");
				echarts.getInstanceByDom(el).dispatchAction({type: "showTip", seriesIndex: 0, dataIndex: 2});
				return true;
			})()`
			b.eval(t, tip)
			// The tooltip is drawn on the canvas (zrender text), with the name as
			// plain text and the number in Danish; no element is made for it.
			if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](`(() => {
				const zr = echarts.getInstanceByDom(document.getElementById("volume-authorities")).getZr();
				const texts = zr.storage.getDisplayList(true).filter(e => e.style && typeof e.style.text === "string").map(e => e.style.text);
				const tip = texts.slice(texts.lastIndexOf("2012-W46")); // the axis labels come first
				return tip.length > 1 && tip.includes(`+jsString(scriptName)+`) && tip.includes("1.234");
			})()`, every)); err != nil {
				texts, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`JSON.stringify(echarts.getInstanceByDom(document.getElementById("volume-authorities")).getZr().storage.getDisplayList(true).filter(e => e.style && e.style.text !== undefined).map(e => e.type + ":" + e.style.text))`))
				t.Errorf("no tooltip with the name and the Danish number: %v\n%s", err, texts)
			}
			if !b.eval(t, `Array.from(document.getElementById("volume-authorities").querySelectorAll("*")).every(e => ["DIV", "CANVAS"].includes(e.tagName))`) {
				html, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.getElementById("volume-authorities").innerHTML.slice(0, 2000)`))
				t.Errorf("the chart holds more than its canvas: %s", html)
			}

			// The switch: the table instead of the chart, and back.
			b.do(t, chromedp.Click(chromedp.CSS("#volume-authorities-title ~ .chart-switch summary")))
			if !b.eval(t, `document.getElementById("volume-authorities").offsetHeight === 0 && document.querySelector("#volume-authorities ~ .chart-table").offsetHeight > 30`) {
				t.Error("the switch does not show the table instead of the chart")
			}
			b.do(t, chromedp.Click(chromedp.CSS("#volume-authorities-title ~ .chart-switch summary")))
			if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
				t.Errorf("the chart did not come back: %v", err)
			}

			// A phone: 390 px wide, the page does not scroll sideways, the charts draw.
			b.do(t, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
			browsertest.Open(t, b.ctx, base+chartRange, "#volume-authorities")
			if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
				t.Fatalf("the charts were not drawn at 390 px: %v", err)
			}
			if !b.eval(t, `document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`) {
				sw, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.scrollingElement.scrollWidth + " > " + document.scrollingElement.clientWidth + ": " +
					Array.from(document.querySelectorAll("body *")).filter(e => e.getBoundingClientRect().right > document.scrollingElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + "." + e.className).join(", ")`))
				t.Errorf("the page scrolls sideways at 390 px: %s", sw)
			}

			// Without JavaScript: no chart box, the table shows.
			b.do(t, scriptsOff(true), chromedp.EmulateViewport(1280, 900))
			browsertest.Open(t, b.ctx, base+chartRange, ".chart-table")
			if !b.eval(t, `document.getElementById("volume-authorities").offsetHeight === 0 && document.querySelector(".chart-switch").offsetHeight === 0 &&
				document.querySelector("#volume-authorities ~ .chart-table").offsetHeight > 30`) {
				t.Error("without JavaScript the table does not show in place of the chart")
			}
			b.do(t, scriptsOff(false))

			if p := b.problems(); len(p) > 0 {
				t.Errorf("console errors or dialogs: %v", p)
			}
		})
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "<", `\x3c`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// scriptsOff switches the page's JavaScript off (or on again).
func scriptsOff(off bool) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: off})
		return err
	})
}

// The redesigned volume page and an authority's drill-down in Chromium, as
// admin, manager and the user of the authority named like a script (support
// has no volume pages: 403): every chart draws, no console error, axe-core
// finds no serious or critical violation, no sideways scrolling at 390 px,
// the script-like name is text, and the authority user sees no other
// authority's name.
func TestVolumeRedesignInChromium(t *testing.T) {
	f := newVolumeFixture(t)
	if _, err := f.env.App.Volume.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	base := f.env.Listen()
	period := "?from=2012-W44&to=2012-W47"
	if r := f.env.As(auth.RoleSupport, "").Get("/dashboards/volume/authorities/" + f.r + period); r.StatusCode != 403 {
		t.Errorf("support opens a drill-down: %d", r.StatusCode)
	}
	nameShown := `Array.from(document.querySelectorAll("th, h1, a")).some(e => e.textContent.startsWith(` + jsString(scriptName) + `))`
	for _, c := range []struct {
		who    string
		role   auth.Role
		cvr    string
		charts int // on the volume page
	}{{"admin", auth.RoleAdmin, "", 3}, {"manager", auth.RoleManager, "", 3}, {"authority user", auth.RoleAuthority, f.r, 3}} {
		u := f.env.User(c.role, c.cvr)
		for _, pg := range []struct {
			path   string
			charts int
		}{{"/dashboards/volume" + period, c.charts}, {"/dashboards/volume/authorities/" + f.r + period, 3}} {
			// A browser per page: each has two minutes (browsertest.New).
			t.Run(c.who+" "+strings.SplitN(pg.path, "?", 2)[0], func(t *testing.T) {
				b := newWatchedBrowser(t)
				browsertest.SignIn(t, b.ctx, base, u.Email, apptest.Password, "")
				for _, width := range []int{1280, 390} {
					what := pg.path + " at " + strconv.Itoa(width) + " px"
					b.do(t, chromedp.EmulateViewport(int64(width), 900))
					browsertest.Open(t, b.ctx, base+pg.path, ".chart-block")
					if _, err := chromedp.Run(b.ctx, chromedp.Poll[bool](chartsDrawn, every)); err != nil {
						t.Fatalf("%s: the charts were not drawn: %v", what, err)
					}
					if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll(".chart canvas").length`)); n != pg.charts {
						t.Errorf("%s: %d charts, want %d", what, n, pg.charts)
					}
					if !b.eval(t, nameShown) {
						t.Errorf("%s: the region's name is not shown as text", what)
					}
					if !b.eval(t, `document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth`) {
						t.Errorf("%s: the page scrolls sideways", what)
					}
					if c.role == auth.RoleAuthority && b.eval(t, `/Styrelsen S|Kommune M|`+f.s+`|`+f.m+`|`+f.u+`/.test(document.documentElement.outerHTML)`) {
						t.Errorf("%s: the authority user sees another authority", what)
					}
					browsertest.Axe(t, b.ctx, what)
				}
				if p := b.problems(); len(p) > 0 {
					t.Errorf("console errors or dialogs: %v", p)
				}
			})
		}
	}
}
