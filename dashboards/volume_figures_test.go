package dashboards_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/dashboards"
	"github.com/pilotpulse/pilotpulse/internal/app/apptest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/registry"
)

// volumeFixture is a pilot with known volume figures (Copenhagen times):
//
//   - authorities S (state, weekly target 4), M (municipality, no target),
//     R (region, target 2, named like a script) and U, which sends but is
//     not in the registry; companies c1, c2, c3 in the registry, c4 not;
//   - 2012-W43: S→c3 on Sunday 28 October 23:30, the day summer time ends;
//   - 2012-W44: S→c1 Monday 29 October 00:30 (digital, metadata), S→c2
//     (remote print, deep link), M→c1 (digital);
//   - 2012-W45: nothing (an empty week);
//   - 2012-W46: S→c1 Monday 12 November 00:30 (digital, metadata, deep
//     link), S→c4 (remote print), R→c2 three times, U→c1, M→c3 Sunday
//     18 November 23:30;
//   - 2012-W47: M→c3 Monday 19 November 00:30.
//
// Every event is sent twice (the second time all duplicates).
type volumeFixture struct {
	env            *apptest.Env
	s, m, r, u     string // authorities
	c1, c2, c3, c4 string // companies
	events         []event.Event
}

func newVolumeFixture(t *testing.T) volumeFixture {
	t.Helper()
	env := apptest.New(t)
	ctx := context.Background()
	f := volumeFixture{env: env, s: cvr(t, "4400001"), m: cvr(t, "4400002"), r: cvr(t, "4400003"), u: cvr(t, "4400004"),
		c1: cvr(t, "4500002"), c2: cvr(t, "4500003"), c3: cvr(t, "4500004"), c4: cvr(t, "4500005")}
	four, two := int64(4), int64(2)
	for _, a := range []registry.Authority{
		{CVR: f.s, Name: "Styrelsen S", Kind: registry.KindState, WeeklyTarget: &four},
		{CVR: f.m, Name: "Kommune M", Kind: registry.KindMunicipality},
		{CVR: f.r, Name: scriptName, Kind: registry.KindRegion, WeeklyTarget: &two},
	} {
		if _, err := env.App.Registry.CreateAuthority(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range []string{f.c1, f.c2, f.c3} {
		if _, err := env.App.Registry.CreateCompany(ctx, registry.Company{CVR: c, Name: fmt.Sprintf("Firma %d", i+1), Kind: registry.KindCompany,
			Contacts: []registry.Contact{{Name: "Kontakt", Email: fmt.Sprintf("v%d@firma.test", i), Language: "da"}}}); err != nil {
			t.Fatal(err)
		}
	}
	send := func(authority, company, at, channel string, meta, deep bool) {
		ev := event.Event{EventID: fmt.Sprintf("v-%d", len(f.events)), OccurredAt: cph(at).UTC(), ReceivedAt: cph(at).UTC(), Type: event.TypeMessageSent,
			CompanyCVR: company, AuthorityCVR: authority, Channel: channel, HasMetadata: &meta, HasDeepLink: &deep}
		ev.MessageRef = ev.EventID
		f.events = append(f.events, ev)
	}
	send(f.s, f.c3, "2012-10-28 23:30", "digital", false, false)
	send(f.s, f.c1, "2012-10-29 00:30", "digital", true, false)
	send(f.s, f.c2, "2012-10-31 10:00", "remote_print", false, true)
	send(f.m, f.c1, "2012-10-31 11:00", "digital", false, false)
	send(f.s, f.c1, "2012-11-12 00:30", "digital", true, true)
	send(f.s, f.c4, "2012-11-13 10:00", "remote_print", false, false)
	for range 3 {
		send(f.r, f.c2, "2012-11-14 10:00", "digital", false, false)
	}
	send(f.u, f.c1, "2012-11-15 10:00", "digital", false, false)
	send(f.m, f.c3, "2012-11-18 23:30", "digital", false, false)
	send(f.m, f.c3, "2012-11-19 00:30", "digital", false, false)
	for range 2 {
		if _, _, err := env.App.Ingester.Store(ctx, "test", f.events); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// refreshed runs check before and after the weekly figures are refreshed:
// the dirty weeks (from the rollup) and volume_weekly give the same answers.
func (f volumeFixture) refreshed(t *testing.T, check func(t *testing.T)) {
	t.Helper()
	t.Run("dirty", check)
	if _, err := f.env.App.Volume.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Run("refreshed", check)
}

// weekLine writes a volume row: authority week messages/digital/remote
// metadata/deep-link companies attainment.
func weekLine(w dashboards.VolumeWeek) string {
	att := "-"
	if w.Attainment != nil {
		att = fmt.Sprintf("%.1f", *w.Attainment)
	}
	return fmt.Sprintf("%s %s %d/%d/%d %d/%d %d %s", w.AuthorityCVR, w.Week, w.Messages, w.Digital, w.RemotePrint, w.WithMetadata, w.WithDeepLink, w.Companies, att)
}

// rankLine writes a ranking row: rank authority messages previous(rank) attainment.
func rankLine(r dashboards.VolumeRank) string {
	att := "-"
	if r.Attainment != nil {
		att = fmt.Sprintf("%.1f", *r.Attainment)
	}
	return fmt.Sprintf("%d %s %d %d(%d) %s", r.Rank, r.AuthorityCVR, r.Messages, r.PreviousMessages, r.PreviousRank, att)
}

// Every figure of GET /api/v1/metrics/volume and its ranking, for periods
// with the boundaries, an empty week and the previous period.
func TestVolumeFigures(t *testing.T) {
	f := newVolumeFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	f.refreshed(t, func(t *testing.T) {
		var lines []string
		for _, w := range getJSON[[]dashboards.VolumeWeek](t, admin, "/api/v1/metrics/volume?from=2012-W43&to=2012-W47") {
			lines = append(lines, weekLine(w))
		}
		want := []string{
			f.s + " 2012-W43 1/1/0 0/0 1 25.0", // Sunday 23:30 on the DST Sunday
			f.s + " 2012-W44 2/1/1 1/1 2 50.0", // Monday 00:30 is the new week
			f.s + " 2012-W46 2/1/1 1/1 2 50.0",
			f.m + " 2012-W44 1/1/0 0/0 1 -",
			f.m + " 2012-W46 1/1/0 0/0 1 -", // Sunday 23:30
			f.m + " 2012-W47 1/1/0 0/0 1 -", // Monday 00:30
			f.r + " 2012-W46 3/3/0 0/0 1 150.0",
			f.u + " 2012-W46 1/1/0 0/0 1 -",
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("weeks:\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}

		// One week against the empty week before it: R 3, S 2, M and U 1 each (a shared rank).
		rk := getJSON[dashboards.VolumeRanking](t, admin, "/api/v1/metrics/volume/ranking?from=2012-W46&to=2012-W46")
		got := []string{}
		for _, r := range rk.Rows {
			got = append(got, rankLine(r))
		}
		wantRank := []string{"1 " + f.r + " 3 0(1) 150.0", "2 " + f.s + " 2 0(1) 50.0", "3 " + f.m + " 1 0(1) -", "3 " + f.u + " 1 0(1) -"}
		if rk.Ranked != 4 || strings.Join(got, ", ") != strings.Join(wantRank, ", ") || rk.Period.PreviousFrom.String() != "2012-W45" {
			t.Errorf("ranking W46: %d %v, want 4 %v", rk.Ranked, got, wantRank)
		}
		// Three weeks against the three before: S had 1 message in W43.
		rk = getJSON[dashboards.VolumeRanking](t, admin, "/api/v1/metrics/volume/ranking?from=2012-W44&to=2012-W46")
		got = got[:0]
		for _, r := range rk.Rows {
			got = append(got, rankLine(r))
		}
		wantRank = []string{"1 " + f.s + " 4 1(1) 33.3", "2 " + f.r + " 3 0(2) 50.0", "3 " + f.m + " 2 0(2) -", "4 " + f.u + " 1 0(2) -"}
		if strings.Join(got, ", ") != strings.Join(wantRank, ", ") {
			t.Errorf("ranking W44-W46: %v, want %v", got, wantRank)
		}
		if s := rk.Rows[0]; s.Digital != 2 || s.RemotePrint != 2 || s.WithMetadata != 2 || s.WithDeepLink != 2 || *s.MetadataShare != 50 || s.AuthorityName != "Styrelsen S" || s.AuthorityKind != "state" {
			t.Errorf("S's row: %+v", s)
		}

		// The empty week: no rows, every authority at 0 sharing rank 1.
		if rows := getJSON[[]dashboards.VolumeWeek](t, admin, "/api/v1/metrics/volume?from=2012-W45&to=2012-W45"); len(rows) != 0 {
			t.Errorf("the empty week has rows: %+v", rows)
		}
		rk = getJSON[dashboards.VolumeRanking](t, admin, "/api/v1/metrics/volume/ranking?from=2012-W45&to=2012-W45")
		if len(rk.Rows) != 3 || rk.Rows[0].Rank != 1 || rk.Rows[2].Rank != 1 || rk.Rows[0].Messages != 0 || rk.Rows[0].PreviousMessages != 2 {
			t.Errorf("the empty week's ranking: %+v", rk.Rows)
		}

		// Default: the newest week with messages (W47, M's Monday 00:30).
		rows := getJSON[[]dashboards.VolumeWeek](t, admin, "/api/v1/metrics/volume")
		if len(rows) != 1 || weekLine(rows[0]) != f.m+" 2012-W47 1/1/0 0/0 1 -" {
			t.Errorf("default period: %+v", rows)
		}
		if rk := getJSON[dashboards.VolumeRanking](t, admin, "/api/v1/metrics/volume/ranking?period=4w"); rk.Period.From.String() != "2012-W44" || rk.Rows[0].AuthorityCVR != f.s {
			t.Errorf("4 weeks: %+v", rk)
		}
	})
}

// The filters: authority kind ranks among that kind; an authority narrows
// the rows, its rank stays among all.
func TestVolumeFilters(t *testing.T) {
	f := newVolumeFixture(t)
	manager := f.env.As(auth.RoleManager, "")
	f.refreshed(t, func(t *testing.T) {
		period := "from=2012-W44&to=2012-W46"
		for kind, want := range map[string]string{
			"state":        "1 " + f.s + " 4 1(1) 33.3",
			"municipality": "1 " + f.m + " 2 0(1) -",
			"region":       "1 " + f.r + " 3 0(1) 50.0",
		} {
			rk := getJSON[dashboards.VolumeRanking](t, manager, "/api/v1/metrics/volume/ranking?"+period+"&authority_kind="+kind)
			if rk.Ranked != 1 || len(rk.Rows) != 1 || rankLine(rk.Rows[0]) != want || rk.Filters.AuthorityKind != kind {
				t.Errorf("kind %s: %d %+v, want %s", kind, rk.Ranked, rk.Rows, want)
			}
			rows := getJSON[[]dashboards.VolumeWeek](t, manager, "/api/v1/metrics/volume?"+period+"&authority_kind="+kind)
			for _, w := range rows {
				if w.AuthorityKind != kind {
					t.Errorf("kind %s: a row of kind %s", kind, w.AuthorityKind)
				}
			}
		}
		rk := getJSON[dashboards.VolumeRanking](t, manager, "/api/v1/metrics/volume/ranking?"+period+"&authority="+f.r)
		if rk.Ranked != 4 || len(rk.Rows) != 1 || rankLine(rk.Rows[0]) != "2 "+f.r+" 3 0(2) 50.0" {
			t.Errorf("authority R: %d %+v", rk.Ranked, rk.Rows)
		}
		rows := getJSON[[]dashboards.VolumeWeek](t, manager, "/api/v1/metrics/volume?"+period+"&authority="+f.m)
		if len(rows) != 2 || rows[0].AuthorityCVR != f.m || rows[1].Week != "2012-W46" {
			t.Errorf("authority M: %+v", rows)
		}
		for _, bad := range []string{"authority_kind=county", "kind=nonsense", "period=year", "from=2012-W99"} {
			r := manager.Get("/api/v1/metrics/volume?" + bad)
			if r.StatusCode != http.StatusBadRequest {
				t.Errorf("%s: %d", bad, r.StatusCode)
			}
		}
		if r := manager.Get("/api/v1/metrics/volume?authority=" + cvr(t, "4400099")); r.StatusCode != http.StatusNotFound {
			t.Errorf("an unknown authority: %d", r.StatusCode)
		}
	})
}

// The drill-down: every week of the period (the empty one too), the rank,
// the companies reached with their names (a company outside the registry
// named so), for the page and its JSON twin.
func TestVolumeDrillDown(t *testing.T) {
	f := newVolumeFixture(t)
	manager := f.env.As(auth.RoleManager, "")
	f.refreshed(t, func(t *testing.T) {
		d := getJSON[dashboards.AuthorityDrillDown](t, manager, "/api/v1/metrics/volume/authorities/"+f.s+"?from=2012-W44&to=2012-W46")
		var weeks []string
		for _, w := range d.Weeks {
			weeks = append(weeks, weekLine(w))
		}
		want := []string{f.s + " 2012-W44 2/1/1 1/1 2 50.0", f.s + " 2012-W45 0/0/0 0/0 0 0.0", f.s + " 2012-W46 2/1/1 1/1 2 50.0"}
		if strings.Join(weeks, ", ") != strings.Join(want, ", ") {
			t.Errorf("weeks %v, want %v", weeks, want)
		}
		var companies []string
		for _, c := range d.Companies {
			companies = append(companies, fmt.Sprintf("%s %q %d/%d/%d w%d", c.CompanyCVR, c.Name, c.Messages, c.Digital, c.RemotePrint, c.Weeks))
		}
		wantC := []string{f.c1 + ` "Firma 1" 2/2/0 w2`, f.c2 + ` "Firma 2" 1/0/1 w1`, f.c4 + ` "" 1/0/1 w1`}
		if d.AuthorityName != "Styrelsen S" || d.Ranked != 4 || rankLine(d.Total) != "1 "+f.s+" 4 1(1) 33.3" || d.CompaniesReached != 3 ||
			strings.Join(companies, ", ") != strings.Join(wantC, ", ") {
			t.Errorf("drill-down: %s %d %s %d %v, want %v", d.AuthorityName, d.Ranked, rankLine(d.Total), d.CompaniesReached, companies, wantC)
		}
		// The authority outside the registry: admins and managers may drill down to it.
		if d := getJSON[dashboards.AuthorityDrillDown](t, manager, "/api/v1/metrics/volume/authorities/"+f.u+"?from=2012-W46&to=2012-W46"); d.Total.Messages != 1 || d.Total.Rank != 3 {
			t.Errorf("U: %+v", d.Total)
		}

		page := manager.Get("/dashboards/volume/authorities/" + f.s + "?from=2012-W44&to=2012-W46")
		body := html.UnescapeString(page.Body)
		for _, want := range []string{
			"Plads 1 af 4 myndigheder", "Virksomheder nået i perioden: 3", `<a href="/companies/` + f.c1 + `">Firma 1</a>`, "Virksomhed uden for registret",
			"<td>2012-W45</td><td>0</td><td>0</td><td>0</td><td></td><td></td><td>0</td>\n<td>4 (0,0 %)</td>",
			"<td>2012-W44</td><td>2</td><td>1</td><td>1</td><td>50,0 %</td><td>50,0 %</td><td>2</td>\n<td>4 (50,0 %)</td>",
			`id="volume-authority-attainment"`, `id="volume-authority-channels"`, `id="volume-authority-reach"`,
		} {
			if page.StatusCode != 200 || !strings.Contains(body, want) {
				t.Errorf("drill-down page: %d, lacks %q", page.StatusCode, want)
			}
		}
	})
}

// An authority user sees its own rows, its own ranking row with its rank
// among all authorities, and never another authority's name or CVR;
// naming another one is 404 on every volume route.
func TestVolumeAuthorityUser(t *testing.T) {
	f := newVolumeFixture(t)
	own := f.env.As(auth.RoleAuthority, f.m)
	f.refreshed(t, func(t *testing.T) {
		period := "from=2012-W44&to=2012-W46"
		for _, path := range []string{
			"/api/v1/metrics/volume?" + period, "/api/v1/metrics/volume/ranking?" + period, "/api/v1/metrics/volume/authorities/" + f.m + "?" + period,
			"/dashboards/volume?" + period, "/dashboards/volume/authorities/" + f.m + "?" + period, "/dashboards/volume?period=pilot",
		} {
			r := own.Get(path)
			if r.StatusCode != 200 {
				t.Errorf("%s: %d", path, r.StatusCode)
			}
			for _, other := range []string{f.s, f.r, f.u, "Styrelsen", "alert(1)", "&lt;/script&gt;"} {
				if strings.Contains(r.Body, other) {
					t.Errorf("%s shows %q to authority M", path, other)
				}
			}
		}
		rk := getJSON[dashboards.VolumeRanking](t, own, "/api/v1/metrics/volume/ranking?"+period)
		if rk.Ranked != 4 || len(rk.Rows) != 1 || rankLine(rk.Rows[0]) != "3 "+f.m+" 2 0(2) -" {
			t.Errorf("M's ranking: %d %+v", rk.Ranked, rk.Rows)
		}
		if page := own.Get("/dashboards/volume?" + period).Body; !strings.Contains(page, "Plads 3 af 4 myndigheder") {
			t.Error("the authority user's page lacks its place")
		}
		for _, path := range []string{
			"/api/v1/metrics/volume?authority=" + f.s, "/api/v1/metrics/volume/ranking?authority=" + f.s, "/api/v1/metrics/volume/authorities/" + f.s,
			"/dashboards/volume?authority=" + f.s, "/dashboards/volume/authorities/" + f.s, "/dashboards/volume/authorities/" + f.u,
		} {
			if r := own.Get(path); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Styrelsen") {
				t.Errorf("%s as authority M: %d", path, r.StatusCode)
			}
		}
		if r := f.env.As(auth.RoleSupport, "").Get("/api/v1/metrics/volume/ranking"); r.StatusCode != http.StatusForbidden {
			t.Errorf("support: %d", r.StatusCode)
		}
	})
}

// The page: charts with their tables, the ranking with links to the
// drill-downs, the change against the previous period, in Danish; the
// empty week says what is missing and links to the newest week.
func TestVolumePageRanking(t *testing.T) {
	f := newVolumeFixture(t)
	admin := f.env.As(auth.RoleAdmin, "")
	page := admin.Get("/dashboards/volume?from=2012-W44&to=2012-W46&authority_kind=state")
	body := html.UnescapeString(page.Body)
	for _, want := range []string{
		`<a href="/dashboards/volume/authorities/` + f.s + `?authority_kind=state&from=2012-W44&to=2012-W46">Styrelsen S</a>`,
		`<td class="num">+3</td>`, `<td class="num">33,3 %</td>`, "4 meddelelser fra 1 myndigheder i perioden",
		`id="volume-authorities"`, `id="volume-channels"`, `id="volume-attainment"`, `<option value="state" selected>`,
	} {
		if page.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("page: %d, lacks %q", page.StatusCode, want)
		}
	}
	if n := strings.Count(body, `class="volume-rank-row"`); n != 1 {
		t.Errorf("the state filter ranks %d authorities, want 1", n)
	}
	all := admin.Get("/dashboards/volume?from=2012-W44&to=2012-W46").Body
	if strings.Contains(all, scriptName) || !strings.Contains(all, html.EscapeString(scriptName)) {
		t.Error("the region's name is not text on the page")
	}
	found := chartOptions.FindAllStringSubmatch(all, -1)
	if len(found) != 3 || found[2][1] != "volume-attainment" {
		t.Fatalf("charts: %v", found)
	}
	empty := admin.Get("/dashboards/volume?from=2012-W45&to=2012-W45").Body
	if !strings.Contains(empty, "Ingen meddelelser i 2012-W45. Den seneste uge med meddelelser er 2012-W47:") || !strings.Contains(empty, `href="/dashboards/volume?"`) {
		t.Errorf("the empty week's page: %.3000s", empty)
	}
	// An app without authorities says where to create them.
	bare := apptest.New(t).As(auth.RoleAdmin, "").Get("/dashboards/volume").Body
	if !strings.Contains(bare, "Ingen myndigheder i registret endnu:") || !strings.Contains(bare, `href="/authorities"`) {
		t.Error("the page without authorities does not say how to add them")
	}
}
