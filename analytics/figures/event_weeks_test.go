package figures

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/warehouse"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The company weeks (company_weeks, event_weeks) on every engine: the
// migration copies the events stored before it (once, also when it runs
// again), its views add those stored after; re-sent events count once; a
// late event sets its old week; weeks are Copenhagen weeks (Sunday 23:30 /
// Monday 00:30, the Sunday summer time ended) across a 64-week block
// (Sunday 9 / Monday 10 December 2012); and CompanyWeeks answers what
// CompaniesWithEvent (the daily rollup) answers, for any range of weeks.
func TestCompanyWeeks(t *testing.T) {
	analyticstest.OnEachEngine(t, testCompanyWeeks)
}

func testCompanyWeeks(t *testing.T, eng analyticstest.Engine) {
	ctx := context.Background()
	ch := eng.NewCH(t)
	ing := ingest.New(analyticstest.NewDB(t, t.TempDir()), ch, analyticstest.QuietLogger())
	cph := func(s string) time.Time {
		at, err := time.ParseInLocation("2006-01-02 15:04", s, week.Copenhagen)
		if err != nil {
			t.Fatal(err)
		}
		return at.UTC()
	}
	a, b, c, x := analyticstest.CVRCompanyA, analyticstest.CVRCompanyB, "10000050", "99999999" // x: no registry needed here
	y := "1234567x"
	var evs []event.Event
	add := func(typ, company, at string) []event.Event {
		evs = append(evs, event.Event{EventID: fmt.Sprintf("e%d", len(evs)), OccurredAt: cph(at), ReceivedAt: cph(at), Type: typ, CompanyCVR: company})
		return evs[len(evs)-1:]
	}
	setup, third := event.TypeSetupFailed, event.TypeThirdParty
	add(setup, a, "2012-10-28 23:30") // the Sunday summer time ended: W43
	add(setup, a, "2012-10-29 00:30") // Monday (Sunday 23:30 UTC): W44
	add(third, b, "2012-11-11 23:30") // Sunday: W45
	add(event.TypeLogin, b, "2012-11-12 00:30")
	before := slices.Clone(evs)
	evs = nil
	add(setup, b, "2012-12-09 23:30") // W49, the last week of block 34
	add(setup, b, "2012-12-10 00:30") // W50, the first week of block 35
	add(third, x, "2012-12-10 09:00")
	add(setup, a, "2012-10-29 10:00") // W44 again
	add(setup, y, "2012-11-14 10:00") // W46, a company named by no CVR number
	after := slices.Clone(evs)
	evs = nil
	late := add(setup, c, "2012-10-01 12:00") // W40, after the others

	store := func(evs []event.Event) {
		t.Helper()
		if _, _, err := ing.Store(ctx, "test", evs); err != nil {
			t.Fatal(err)
		}
	}
	// The events of before are stored before the tables exist.
	for _, q := range []string{"DROP TABLE company_weeks_mv", "DROP TABLE event_weeks_mv", "DROP TABLE company_weeks", "DROP TABLE event_weeks"} {
		if err := ch.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	store(before)
	migration, err := fs.ReadFile(warehouse.Migrations, "0007_company_weeks.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"0901_weeks_again.sql", "0902_weeks_again.sql"} { // the second run copies nothing
		if _, err := warehouse.Migrate(ctx, ch, fstest.MapFS{name: {Data: migration}}); err != nil {
			t.Fatal(err)
		}
	}
	store(after)
	store(append(before, after...)) // re-sent: duplicates
	version, err := CompanyWeeksVersion(ctx, ch)
	if err != nil || version == "" {
		t.Fatalf("company weeks version %q: %v", version, err)
	}
	store(late)
	if v, err := CompanyWeeksVersion(ctx, ch); err != nil || v == version {
		t.Errorf("company weeks version %q after a late event, %q before (%v): want another", v, version, err)
	}

	type key struct {
		company, typ string
	}
	want := map[key][]string{
		{a, setup}: {"2012-W43", "2012-W44"},
		{b, setup}: {"2012-W49", "2012-W50"},
		{c, setup}: {"2012-W40"},
		{y, setup}: {"2012-W46"},
		{b, third}: {"2012-W45"},
		{x, third}: {"2012-W50"},
	}
	types := []string{setup, third}
	check := func(from, to string) {
		t.Helper()
		r := week.Range{From: week.MustParse(from), To: week.MustParse(to)}
		got := map[key][]string{}
		err := CompanyWeeks(ctx, ch, auth.SystemScope(), types, r.From, r.To, func(company CompanyKey, i, offset int, weeks uint64) {
			if company != CompanyKeyOf(company.String()) {
				t.Errorf("company %+v is not the key of its CVR %s", company, company.String())
			}
			k := key{company.String(), types[i]}
			for b := range 64 {
				if weeks&(1<<b) != 0 && !slices.Contains(got[k], r.From.Add(offset+b).String()) {
					got[k] = append(got[k], r.From.Add(offset+b).String())
				}
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, ws := range got {
			slices.Sort(ws)
		}
		expect := map[key][]string{}
		for k, ws := range want {
			for _, w := range ws {
				if wk := week.MustParse(w); !wk.Before(r.From) && !wk.After(r.To) {
					expect[k] = append(expect[k], w)
				}
			}
		}
		if !maps.EqualFunc(got, expect, slices.Equal) {
			t.Errorf("%s – %s: %v, want %v", from, to, got, expect)
		}
		// The definition: the daily rollup.
		rollup := map[key][]string{}
		for _, typ := range types {
			perWeek, err := CompaniesWithEvent(ctx, ch, auth.SystemScope(), typ, r.From, r.To)
			if err != nil {
				t.Fatal(err)
			}
			for w, cs := range perWeek {
				for _, company := range cs {
					rollup[key{company, typ}] = append(rollup[key{company, typ}], w.String())
				}
			}
		}
		for _, ws := range rollup {
			slices.Sort(ws)
		}
		if !maps.EqualFunc(got, rollup, slices.Equal) {
			t.Errorf("%s – %s: %v, the daily rollup has %v", from, to, got, rollup)
		}
	}
	check("2012-W40", "2012-W50")
	check("2012-W44", "2012-W49") // clipped at both ends, within block 34
	check("2012-W50", "2013-W10")
	check("2011-W01", "2014-W01") // three blocks

	// An authority's scope sees no company events.
	called := false
	if err := CompanyWeeks(ctx, ch, auth.AuthorityScope(analyticstest.CVRAuthorityX), types, week.MustParse("2012-W40"), week.MustParse("2012-W50"),
		func(CompanyKey, int, int, uint64) { called = true }); err != nil || called {
		t.Errorf("an authority's scope: called %v, %v", called, err)
	}
	if err := CompanyWeeks(ctx, ch, auth.SystemScope(), []string{event.TypeLogin}, week.MustParse("2012-W40"), week.MustParse("2012-W50"),
		func(CompanyKey, int, int, uint64) {}); err == nil {
		t.Error("a type company_weeks does not keep: no error")
	}

	// The span of weeks with any event: the late W40 event to W50.
	first, last, ok, err := EventSpan(ctx, ch, auth.SystemScope())
	if err != nil || !ok || first.String() != "2012-W40" || last.String() != "2012-W50" {
		t.Errorf("event span: %s – %s %v %v, want 2012-W40 – 2012-W50", first, last, ok, err)
	}
	var events uint64
	if err := ch.QueryRow(ctx, `SELECT sum(events) FROM event_weeks`).Scan(&events); err != nil || events != uint64(len(before)+len(after)+len(late)) {
		t.Errorf("event_weeks counts %d events (%v), want %d", events, err, len(before)+len(after)+len(late))
	}
}
