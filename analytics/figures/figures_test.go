package figures

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/analytics/analyticstest"
	"github.com/pilotpulse/pilotpulse/analytics/event"
	"github.com/pilotpulse/pilotpulse/analytics/ingest"
	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// newTestIngester returns an ingester on a fresh app database and a fresh
// ClickHouse database on eng. The tests of this file run on every engine
// (analyticstest.Engines): the rollups' migrations, the inserts that feed
// them and the figure queries must give the same answers on ClickHouse 18.16
// and 26.7.
func newTestIngester(t testing.TB, eng analyticstest.Engine) (*ingest.Ingester, string) {
	dir := t.TempDir()
	return ingest.New(analyticstest.NewDB(t, dir), eng.NewCH(t), analyticstest.QuietLogger()), dir
}

// weekKey is an authority and the Monday of a Copenhagen ISO week.
type weekKey struct{ authority, monday string }

type weekWant struct{ messages, digital, remote, meta, deep, companies uint64 }

// TestRollupsEqualRawForEveryAuthorityAndWeek stores a constructed mix of
// events (resent, partly duplicated) and checks, for every authority and
// week, that the rollups, the raw table and a count made here in Go agree.
func TestRollupsEqualRawForEveryAuthorityAndWeek(t *testing.T) {
	analyticstest.OnEachEngine(t, testRollupsEqualRawForEveryAuthorityAndWeek)
}

func testRollupsEqualRawForEveryAuthorityAndWeek(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ctx := context.Background()
	start := time.Date(2012, 10, 15, 0, 0, 0, 0, time.UTC)
	evs := mixedMessages(rand.New(rand.NewPCG(3, 46)), 3000, start)
	want := wantVolume(evs)
	// Stored in overlapping batches: every event is sent twice or three times.
	for lo := 0; lo < len(evs); lo += 700 {
		hi := min(lo+1000, len(evs))
		if _, _, err := ing.Store(ctx, "feed", evs[lo:hi]); err != nil {
			t.Fatal(err)
		}
	}
	if acc, dup, err := ing.Store(ctx, "feed", evs); err != nil || acc != 0 || dup != len(evs) {
		t.Fatalf("resend all: %d %d %v", acc, dup, err)
	}

	got, err := VolumePerAuthorityWeek(ctx, ing.CH(), auth.SystemScope(), weeks(start, start.AddDate(0, 4, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("%d authority-weeks from the rollup, want %d", len(got), len(want))
	}
	for _, v := range got {
		w := want[weekKey{v.AuthorityCVR, v.Monday}]
		if w == nil {
			t.Fatalf("unexpected %+v", v)
		}
		g := weekWant{v.Messages, v.Digital, v.RemotePrint, v.WithMetadata, v.WithDeepLink, v.Companies}
		if g != *w {
			t.Errorf("%s %s: rollup %+v, want %+v", v.AuthorityCVR, v.Week, g, *w)
		}
	}
	// The raw table agrees for every authority and week.
	rows, err := ing.CH().Query(ctx, `SELECT authority_cvr, toMonday(toDate(occurred_at, 'Europe/Copenhagen')) AS week, count(),
			countIf(channel = 'digital'), countIf(channel = 'remote_print'), countIf(has_metadata = 1), countIf(has_deep_link = 1), uniqExact(company_cvr)
		FROM events WHERE type = 'message.sent' GROUP BY authority_cvr, week`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var a string
		var week time.Time
		var g weekWant
		if err := rows.Scan(&a, &week, &g.messages, &g.digital, &g.remote, &g.meta, &g.deep, &g.companies); err != nil {
			t.Fatal(err)
		}
		n++
		if w := want[weekKey{a, week.Format(time.DateOnly)}]; w == nil || *w != g {
			t.Errorf("raw %s %s: %+v, want %+v", a, week.Format(time.DateOnly), g, w)
		}
	}
	if n != len(want) {
		t.Fatalf("raw has %d authority-weeks, want %d", n, len(want))
	}
	// Per company, day and type: the rollup sums to the raw counts.
	var rawTotal, rollTotal, mismatches uint64
	if err := ing.CH().QueryRow(ctx, `SELECT count() FROM events`).Scan(&rawTotal); err != nil {
		t.Fatal(err)
	}
	if err := ing.CH().QueryRow(ctx, `SELECT sum(events) FROM rollup_company_daily`).Scan(&rollTotal); err != nil {
		t.Fatal(err)
	}
	if err := ing.CH().QueryRow(ctx, `SELECT count() FROM (
			SELECT company_cvr, toDate(occurred_at, 'Europe/Copenhagen') AS day, type, count() AS c FROM events GROUP BY company_cvr, day, type) r
		FULL OUTER JOIN (SELECT company_cvr, day, type, sum(events) AS s FROM rollup_company_daily GROUP BY company_cvr, day, type) s
		USING (company_cvr, day, type) WHERE c != s`).Scan(&mismatches); err != nil {
		t.Fatal(err)
	}
	if rawTotal != uint64(len(evs)) || rollTotal != rawTotal || mismatches != 0 {
		t.Fatalf("raw %d, company rollup %d, want %d; %d company-day-type mismatches", rawTotal, rollTotal, len(evs), mismatches)
	}
}

// mixedMessages are n events from start over 92 days (mid-October to
// mid-January: the end of summer time and a new year): message.sent from
// three authorities to five companies, by both channels, with and without
// metadata (sometimes absent) and deep links; one in seven a message.read.
func mixedMessages(rng *rand.Rand, n int, start time.Time) []event.Event {
	authorities := []string{analyticstest.CVRAuthorityX, analyticstest.CVRAuthorityY, "10000041"}
	companies := []string{analyticstest.CVRCompanyA, analyticstest.CVRCompanyB, "10000050", "10000068", "10000076"}
	var evs []event.Event
	for n := range n {
		at := start.Add(time.Duration(rng.Int64N(int64(92 * 24 * time.Hour)))).Truncate(time.Second)
		ev := analyticstest.Sent(fmt.Sprintf("ev-%d-%d", start.Unix(), n), at, companies[rng.IntN(len(companies))], authorities[rng.IntN(len(authorities))],
			[]string{event.ChannelDigital, event.ChannelRemotePrint}[rng.IntN(2)], rng.IntN(3) == 0, rng.IntN(4) == 0)
		if rng.IntN(10) == 0 {
			ev.HasMetadata = nil
		}
		if rng.IntN(7) == 0 {
			ev.Type, ev.Channel = event.TypeMessageRead, ""
		}
		evs = append(evs, ev)
	}
	return evs
}

// wantVolume counts, here in Go, the volume per authority and Copenhagen
// week of the (unique) events.
func wantVolume(evs []event.Event) map[weekKey]*weekWant {
	want := map[weekKey]*weekWant{}
	reached := map[weekKey]map[string]bool{}
	for _, ev := range evs {
		if ev.Type != event.TypeMessageSent {
			continue
		}
		k := weekKey{ev.AuthorityCVR, week.Of(ev.OccurredAt).Monday().Format(time.DateOnly)}
		w := want[k]
		if w == nil {
			w = &weekWant{}
			want[k] = w
			reached[k] = map[string]bool{}
		}
		w.messages++
		if ev.Channel == event.ChannelDigital {
			w.digital++
		} else {
			w.remote++
		}
		if ev.HasMetadata != nil && *ev.HasMetadata {
			w.meta++
		}
		if *ev.HasDeepLink {
			w.deep++
		}
		reached[k][ev.CompanyCVR] = true
		w.companies = uint64(len(reached[k]))
	}
	return want
}

// weeks is the range of the weeks of from and to.
func weeks(from, to time.Time) week.Range { return week.Range{From: week.Of(from), To: week.Of(to)} }

// TestWeekBoundaryIsCopenhagen: Sunday 23:30 UTC is Monday 00:30 in
// Copenhagen in winter, so it belongs to the next ISO week; 22:59 UTC stays.
// The same holds on the Sunday summer time ends (28 October 2012).
func TestWeekBoundaryIsCopenhagen(t *testing.T) {
	analyticstest.OnEachEngine(t, testWeekBoundaryIsCopenhagen)
}

func testWeekBoundaryIsCopenhagen(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ctx := context.Background()
	evs := []event.Event{
		analyticstest.Sent("sun-2259", time.Date(2012, 11, 11, 22, 59, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, false, false),
		analyticstest.Sent("sun-2330", time.Date(2012, 11, 11, 23, 30, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, false, false),
		analyticstest.Sent("dst-2230", time.Date(2012, 10, 28, 22, 30, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, false, false),
		analyticstest.Sent("dst-2330", time.Date(2012, 10, 28, 23, 30, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, false, false),
	}
	if _, _, err := ing.Store(ctx, "feed", evs); err != nil {
		t.Fatal(err)
	}
	got, err := VolumePerAuthorityWeek(ctx, ing.CH(), auth.SystemScope(), weeks(time.Date(2012, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2012, 12, 1, 0, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	byWeek := map[string]uint64{}
	for _, v := range got {
		byWeek[v.Week] = v.Messages
	}
	want := map[string]uint64{"2012-W43": 1, "2012-W44": 1, "2012-W45": 1, "2012-W46": 1}
	if fmt.Sprint(byWeek) != fmt.Sprint(want) {
		t.Fatalf("weeks %v, want %v", byWeek, want)
	}
	// The daily rollup puts Sunday 23:30 UTC on Monday 12 November.
	var day time.Time
	if err := ing.CH().QueryRow(ctx, `SELECT day FROM rollup_company_daily r WHERE day >= toDate('2012-11-11') ORDER BY day DESC LIMIT 1`).Scan(&day); err != nil {
		t.Fatal(err)
	}
	if day.Format(time.DateOnly) != "2012-11-12" {
		t.Fatalf("day %s, want 2012-11-12", day.Format(time.DateOnly))
	}
}

func TestVolumeScope(t *testing.T) {
	analyticstest.OnEachEngine(t, testVolumeScope)
}

func testVolumeScope(t *testing.T, eng analyticstest.Engine) {
	ing, _ := newTestIngester(t, eng)
	ctx := context.Background()
	at := time.Date(2012, 11, 13, 9, 0, 0, 0, time.UTC)
	ing.Store(ctx, "feed", []event.Event{
		analyticstest.Sent("x1", at, analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, true, false),
		analyticstest.Sent("y1", at, analyticstest.CVRCompanyA, analyticstest.CVRAuthorityY, event.ChannelDigital, true, false),
		analyticstest.Sent("y2", at, analyticstest.CVRCompanyB, analyticstest.CVRAuthorityY, event.ChannelRemotePrint, false, true),
	})
	from, to := at.AddDate(0, 0, -7), at
	for _, c := range []struct {
		scope auth.Scope
		want  string
	}{
		{auth.SystemScope(), "10000025:1 10000033:2 "},
		{auth.AuthorityScope(analyticstest.CVRAuthorityY), "10000033:2 "},
		{auth.Scope{}, ""},
	} {
		got, err := VolumePerAuthorityWeek(ctx, ing.CH(), c.scope, weeks(from, to))
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, v := range got {
			s += fmt.Sprintf("%s:%d ", v.AuthorityCVR, v.Messages)
		}
		if s != c.want {
			t.Errorf("scope %+v: %q, want %q", c.scope, s, c.want)
		}
	}
}

// TestVolumeSpanEndsAtNewestWeek: the period of the volume pages ends by
// default at the newest week with messages in the scope (Copenhagen
// calendar: the newest message, Sunday 18 November 23:30 UTC, is in
// 2012-W47); a scope without messages has none (the pages then show this
// week). The same before and after the weekly figures are refreshed.
// (The range parameters are read by dashboards.ResolvePeriod, tested there.)
func TestVolumeSpanEndsAtNewestWeek(t *testing.T) {
	analyticstest.OnEachEngine(t, testVolumeSpanEndsAtNewestWeek)
}

func testVolumeSpanEndsAtNewestWeek(t *testing.T, eng analyticstest.Engine) {
	ing, dir := newTestIngester(t, eng)
	ctx := context.Background()
	vol := NewVolume(analyticstest.NewDB(t, dir), ing.CH())
	check := func(scope auth.Scope, wantFirst, wantLast string) {
		t.Helper()
		first, last, ok, err := vol.Span(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		if wantLast == "" {
			if ok {
				t.Errorf("scope %+v: %s to %s, want no week", scope, first, last)
			}
			return
		}
		if !ok || first.String() != wantFirst || last.String() != wantLast {
			t.Errorf("scope %+v: %s to %s (%v), want %s to %s", scope, first, last, ok, wantFirst, wantLast)
		}
	}
	check(auth.SystemScope(), "", "") // no data at all
	if _, _, err := ing.Store(ctx, "feed", []event.Event{
		analyticstest.Sent("x1", time.Date(2012, 11, 18, 23, 30, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityX, event.ChannelDigital, true, false),
		analyticstest.Sent("y1", time.Date(2012, 11, 13, 9, 0, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityY, event.ChannelDigital, true, false),
		analyticstest.Sent("y0", time.Date(2012, 10, 2, 9, 0, 0, 0, time.UTC), analyticstest.CVRCompanyA, analyticstest.CVRAuthorityY, event.ChannelDigital, true, false),
	}); err != nil {
		t.Fatal(err)
	}
	for _, refreshed := range []bool{false, true} {
		if refreshed {
			if _, err := vol.Refresh(ctx); err != nil {
				t.Fatal(err)
			}
		}
		check(auth.SystemScope(), "2012-W40", "2012-W47")
		check(auth.AuthorityScope(analyticstest.CVRAuthorityY), "2012-W40", "2012-W46")
		check(auth.AuthorityScope(analyticstest.CVRAuthorityX), "2012-W47", "2012-W47")
		check(auth.AuthorityScope("10000041"), "", "")
	}
}
