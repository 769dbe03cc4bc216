package dashboards_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/figures"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/warehouse/warehousetest"
	"github.com/pilotpulse/pilotpulse/internal/web"
	"github.com/pilotpulse/pilotpulse/registry"
)

func TestMain(m *testing.M) { warehousetest.Main(m) }

// cvr makes a modulus-11-valid CVR from a 7-digit prefix.
func cvr(t *testing.T, prefix string) string {
	t.Helper()
	c, ok := registry.CompleteCVR(prefix)
	if !ok {
		t.Fatalf("prefix %s has no check digit", prefix)
	}
	return c
}

// The volume page shows, per authority and Copenhagen ISO week, exactly the
// messages constructed here; an authority user sees only its own.
func TestVolumePage(t *testing.T) {
	env := apptest.New(t)
	ctx := context.Background()
	a, b := cvr(t, "2000001"), cvr(t, "2000002")
	target := int64(4)
	for _, au := range []registry.Authority{
		{CVR: a, Name: "Styrelsen <A>", Kind: "state", WeeklyTarget: &target},
		{CVR: b, Name: "Kommune B", Kind: "municipality"},
	} {
		if _, err := env.App.Registry.CreateAuthority(ctx, au); err != nil {
			t.Fatal(err)
		}
	}
	companies := []string{cvr(t, "3000001"), cvr(t, "3000002"), cvr(t, "3000004")}
	yes, no := true, false
	var events []event.Event
	add := func(id, authority, company, channel string, at time.Time, meta, link bool) {
		m, l := no, no
		if meta {
			m = yes
		}
		if link {
			l = yes
		}
		events = append(events, event.Event{EventID: id, OccurredAt: at, ReceivedAt: at, Type: "message.sent",
			CompanyCVR: company, AuthorityCVR: authority, Channel: channel, HasMetadata: &m, HasDeepLink: &l, MessageRef: id})
	}
	// Week 2012-W46 (Mon 12 Nov): A sends 3 (2 digital, 1 remote print; 2 with metadata, 1 with a deep link) to 2 companies.
	w46 := time.Date(2012, 11, 13, 9, 0, 0, 0, time.UTC)
	add("a1", a, companies[0], "digital", w46, true, true)
	add("a2", a, companies[0], "digital", w46.Add(time.Hour), true, false)
	add("a3", a, companies[1], "remote_print", w46.Add(2*time.Hour), false, false)
	// Sunday 18 Nov 23:30 UTC is Monday 00:30 in Copenhagen: week 2012-W47.
	add("a4", a, companies[2], "digital", time.Date(2012, 11, 18, 23, 30, 0, 0, time.UTC), false, false)
	// B sends 1 in W46.
	add("b1", b, companies[0], "digital", w46, true, true)
	if _, _, err := env.App.Ingester.Store(ctx, "test", events); err != nil {
		t.Fatal(err)
	}

	manager := env.As(auth.RoleManager, "")
	page := manager.Get("/dashboards/volume?from=2012-W46&to=2012-W47")
	if page.StatusCode != 200 {
		t.Fatalf("page: %d %.500s", page.StatusCode, page.Body)
	}
	for _, want := range []string{"Styrelsen &lt;A&gt;", "Kommune B"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("manager's page lacks %q", want)
		}
	}
	// Each authority's weeks are on its drill-down page: week, messages, digital, remote print,
	// metadata share, deep-link share, companies, target (reached); shares in the reader's
	// language (Danish by default: decimal comma).
	for path, wants := range map[string][]string{
		"/dashboards/volume/authorities/" + a + "?from=2012-W46&to=2012-W47": {
			"<td>2012-W46</td><td>3</td><td>2</td><td>1</td><td>66,7 %</td><td>33,3 %</td><td>2</td>\n<td>4 (75,0 %)</td>",
			"<td>2012-W47</td><td>1</td><td>1</td><td>0</td><td>0,0 %</td><td>0,0 %</td><td>1</td>\n<td>4 (25,0 %)</td>",
		},
		"/dashboards/volume/authorities/" + b + "?from=2012-W46&to=2012-W47": {
			"<td>2012-W46</td><td>1</td><td>1</td><td>0</td><td>100,0 %</td><td>100,0 %</td><td>1</td>",
		},
	} {
		r := manager.Get(path)
		for _, want := range wants {
			if r.StatusCode != 200 || !strings.Contains(r.Body, want) {
				t.Errorf("%s: %d, lacks %q", path, r.StatusCode, want)
			}
		}
	}
	if strings.Contains(page.Body, "Styrelsen <A>") {
		t.Error("an authority name reached the page unescaped")
	}

	own := env.As(auth.RoleAuthority, b)
	mine := own.Get("/dashboards/volume?from=2012-W46&to=2012-W47")
	if mine.StatusCode != 200 || !strings.Contains(mine.Body, "Kommune B") {
		t.Fatalf("authority page: %d", mine.StatusCode)
	}
	if strings.Contains(mine.Body, "Styrelsen") || strings.Contains(mine.Body, a) {
		t.Fatal("an authority user sees another authority's volume")
	}
	// Without a range the page ends at the newest week with data in scope.
	def := own.Get("/dashboards/volume/authorities/" + b)
	if !strings.Contains(def.Body, "<td>2012-W46</td>") {
		t.Errorf("default range misses the newest data: %.300s", def.Body)
	}
	var api []figures.WeekVolume
	own.Get("/api/v1/metrics/volume").JSON(t, &api)
	if len(api) != 1 || api[0].AuthorityCVR != b || api[0].Messages != 1 {
		t.Fatalf("JSON twin for the authority: %+v", api)
	}
	if r := env.As(auth.RoleSupport, "").Get("/dashboards/volume"); r.StatusCode != 403 {
		t.Fatalf("support sees volume: %d", r.StatusCode)
	}
	if r := manager.Get("/dashboards/volume?from=2012-W47&to=2012-W46"); r.StatusCode != 400 {
		t.Fatalf("reversed range: %d", r.StatusCode)
	}
}

// TestVolumeRangeOutOfBoundsIsBadInput: a from or to beyond the years
// ClickHouse's dates hold, a range over three years or to before from is
// the caller's mistake, not an outage: 400 naming the parameter in the
// reader's language, no Retry-After, nothing logged as an error, on the
// JSON route and on the page (which shows the form again).
func TestVolumeRangeOutOfBoundsIsBadInput(t *testing.T) {
	env := apptest.New(t)
	manager := env.As(auth.RoleManager, "")
	english := env.As(auth.RoleManager, "")
	if r := english.PostForm("/lang", url.Values{"lang": {"en"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("choose English: %d", r.StatusCode)
	}
	for _, c := range []struct {
		query, field, da, en string
	}{
		{"to=9999-12-31", "to", "uge 9999-W52 ligger uden for årene 2000 til 2099", "week 9999-W52 is outside the years 2000 to 2099"},
		{"from=0001-01-01&to=2012-W46", "from", "uge 0001-W01 ligger uden for årene 2000 til 2099", "week 0001-W01 is outside the years 2000 to 2099"},
		{"from=2000-W01&to=2099-W01", "from", "perioden er 5166 uger; højst 157 (tre år)", "the range is 5166 weeks; at most 157 (three years)"},
		{"from=2012-W47&to=2012-W46", "to", "uge 2012-W46 ligger før fra-ugen 2012-W47", "week 2012-W46 is before the from week 2012-W47"},
		{"from=nonsense", "from", "skal være en ISO-uge som 2012-W46 eller en dato som 2012-11-12", "must be an ISO week such as 2012-W46 or a date such as 2012-11-12"},
	} {
		for _, reader := range []struct {
			client *apptest.Client
			want   string
		}{{manager, c.da}, {english, c.en}} {
			r := reader.client.Get("/api/v1/metrics/volume?" + c.query)
			var body web.ErrorBody
			r.JSON(t, &body)
			if r.StatusCode != http.StatusBadRequest || r.Header.Get("Retry-After") != "" || len(body.Fields) != 1 ||
				body.Fields[0] != (web.ErrorField{Field: c.field, Error: reader.want}) {
				t.Errorf("GET /api/v1/metrics/volume?%s: %d (Retry-After %q) %s, want 400 with %s: %q",
					c.query, r.StatusCode, r.Header.Get("Retry-After"), r.Body, c.field, reader.want)
			}
			page := reader.client.Get("/dashboards/volume?" + c.query)
			if page.StatusCode != http.StatusBadRequest || page.Header.Get("Retry-After") != "" ||
				!strings.Contains(page.Body, `<p class="field-error" role="alert">`+html.EscapeString(reader.want)+`</p>`) ||
				!strings.Contains(page.Body, `name="`+c.field+`" value="`) {
				t.Errorf("GET /dashboards/volume?%s: %d (Retry-After %q), want 400 with the form and %q: %.600s",
					c.query, page.StatusCode, page.Header.Get("Retry-After"), reader.want, page.Body)
			}
		}
	}
	if strings.Contains(env.Logs.String(), `"level":"ERROR"`) {
		t.Errorf("bad input was logged as an error: %s", env.Logs.String())
	}
}
