package week_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/week"
)

// cph is a Copenhagen wall-clock time.
func cph(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, week.Copenhagen)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func utc(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, time.UTC)
}

func TestOf(t *testing.T) {
	for _, c := range []struct {
		name string
		at   time.Time
		want string
	}{
		// DST ended on Sunday 28 October 2012 at 03:00 (back to 02:00).
		{"2012 winter time: 23:59 CET Sunday", utc(2012, 10, 28, 22, 59), "2012-W43"},
		{"2012 winter time: 00:00 CET Monday", utc(2012, 10, 28, 23, 0), "2012-W44"},
		{"2012 summer time: 23:59 CEST Sunday", utc(2012, 10, 21, 21, 59), "2012-W42"},
		{"2012 summer time: 00:00 CEST Monday", utc(2012, 10, 21, 22, 0), "2012-W43"},
		{"ordinary Monday", utc(2012, 11, 12, 9, 0), "2012-W46"},
		{"last Sunday of March 2026, 23:30 UTC is Monday 01:30 CEST", utc(2026, 3, 29, 23, 30), "2026-W14"},
		{"last Sunday of March 2026, 21:30 UTC is Sunday 23:30 CEST", utc(2026, 3, 29, 21, 30), "2026-W13"},
		{"the DST change itself, Sunday 29 March 2026 01:30 UTC", utc(2026, 3, 29, 1, 30), "2026-W13"},
		{"last Sunday of October 2026, 23:30 UTC is Monday 00:30 CET", utc(2026, 10, 25, 23, 30), "2026-W44"},
		{"last Sunday of October 2026, 22:30 UTC is Sunday 23:30 CET", utc(2026, 10, 25, 22, 30), "2026-W43"},
		{"November Sunday 23:30 UTC is Monday 00:30 CET", utc(2026, 11, 15, 23, 30), "2026-W47"},
		{"November Sunday 22:59 UTC is Sunday 23:59 CET", utc(2026, 11, 15, 22, 59), "2026-W46"},
		{"Copenhagen Sunday 23:59", cph(t, "2026-11-15 23:59"), "2026-W46"},
		{"Copenhagen Monday 00:30, still Sunday in UTC", cph(t, "2026-11-16 00:30"), "2026-W47"},
		{"summer time Monday 00:30, Sunday 22:30 UTC", cph(t, "2026-03-30 00:30"), "2026-W14"},
		{"2012-12-31 is in the next ISO year", cph(t, "2012-12-31 12:00"), "2013-W01"},
		{"2013-01-01", utc(2013, 1, 1, 12, 0), "2013-W01"},
		{"2015 has 53 weeks", utc(2015, 12, 31, 12, 0), "2015-W53"},
		{"2016-01-03 is in week 53 of 2015", cph(t, "2016-01-03 12:00"), "2015-W53"},
		{"2020 has 53 weeks", cph(t, "2020-12-31 12:00"), "2020-W53"},
		{"2021-01-03 is in week 53 of 2020", cph(t, "2021-01-03 23:59"), "2020-W53"},
		{"2026 has 53 weeks", cph(t, "2026-12-31 12:00"), "2026-W53"},
		{"2027-01-03 is in week 53 of 2026", cph(t, "2027-01-03 12:00"), "2026-W53"},
		{"2025-12-29 is in week 1 of 2026", cph(t, "2025-12-29 08:00"), "2026-W01"},
		{"new year's eve 23:30 UTC is already 1 January in Copenhagen", utc(2017, 12, 31, 23, 30), "2018-W01"},
	} {
		if got := week.Of(c.at).String(); got != c.want {
			t.Errorf("%s: Of(%s) = %s, want %s", c.name, c.at.UTC(), got, c.want)
		}
	}
}

func TestParse(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"2012-W46", "2012-W46"},
		{"2012W46", "2012-W46"},
		{"2012-w46", "2012-W46"},
		{" 2012-W46 ", "2012-W46"},
		{"2012-11-12", "2012-W46"}, // a Monday
		{"2012-11-18", "2012-W46"}, // its Sunday
		{"2012-12-31", "2013-W01"},
		{"2016-01-03", "2015-W53"},
		{"2015-W53", "2015-W53"},
		{"2020-W53", "2020-W53"},
		{"2026-W53", "2026-W53"},
		{"2026-W01", "2026-W01"},
	} {
		w, err := week.Parse(c.in)
		if err != nil || w.String() != c.want {
			t.Errorf("Parse(%q) = %s, %v; want %s", c.in, w, err, c.want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, c := range []struct{ in, wantErr string }{
		{"2012-W54", "does not exist"},
		{"2012-W99", "does not exist"},
		{"2012-W00", "does not exist"},
		{"2026-W00", "does not exist"},
		{"2013-W53", "2013 has weeks 01 to 52"},
		{"2025-W53", "does not exist"},
		{"2012-46", "2012-W46"},
		{"2026-46", "2012-11-12"},
		{"W46", "want an ISO week"},
		{"2012-W4", "want an ISO week"},
		{"2012-W046", "want an ISO week"},
		{"12-W46", "want an ISO week"},
		{"2012-11-31", "want an ISO week"},
		{"2012-13-01", "want an ISO week"},
		{"x", "want an ISO week"},
		{"nonsense", "want an ISO week"},
		{"", "want an ISO week"},
	} {
		w, err := week.Parse(c.in)
		if err == nil {
			t.Errorf("Parse(%q) accepted: %s", c.in, w)
			continue
		}
		if !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("Parse(%q): %q does not say %q", c.in, err, c.wantErr)
		}
		if !w.IsZero() {
			t.Errorf("Parse(%q) returned %s with its error", c.in, w)
		}
	}
}

// Every week of 2012 to 2027 maps back to itself through its string, its
// Monday, its Sunday and the last instant before its End.
func TestRoundTrips(t *testing.T) {
	n := 0
	for w := week.MustParse("2012-W01"); w.Before(week.MustParse("2028-W01")); w = w.Next() {
		n++
		if p, err := week.Parse(w.String()); err != nil || p != w {
			t.Fatalf("Parse(%s) = %s, %v", w, p, err)
		}
		mon, sun := w.Monday(), w.Sunday()
		if mon.Weekday() != time.Monday || mon.Hour() != 0 || mon.Minute() != 0 || mon.Location() != week.Copenhagen {
			t.Fatalf("%s: Monday %s", w, mon)
		}
		if sun.Weekday() != time.Sunday || sun.Hour() != 0 {
			t.Fatalf("%s: Sunday %s", w, sun)
		}
		if !w.Start().Equal(mon) {
			t.Fatalf("%s: Start %s, Monday %s", w, w.Start(), mon)
		}
		for _, at := range []time.Time{mon, sun, w.End().Add(-time.Nanosecond)} {
			if got := week.Of(at); got != w {
				t.Fatalf("%s: Of(%s) = %s", w, at, got)
			}
		}
		if got := week.Of(w.End()); got != w.Next() || !w.End().Equal(w.Next().Start()) {
			t.Fatalf("%s: End %s is in %s, next is %s", w, w.End(), got, w.Next())
		}
		if p, err := week.Parse(mon.Format(time.DateOnly)); err != nil || p != w {
			t.Fatalf("Parse(%s) = %s, %v; want %s", mon.Format(time.DateOnly), p, err, w)
		}
		if w.Next().Prev() != w || w.Add(0) != w || w.Add(-3).Add(3) != w {
			t.Fatalf("%s: Next/Prev/Add do not go back", w)
		}
	}
	// 16 years of 52 weeks plus the 53rd weeks of 2015, 2020 and 2026.
	if n != 16*52+3 {
		t.Errorf("2012 to 2027 have %d weeks, want %d", n, 16*52+3)
	}
}

func TestStartEndAcrossDST(t *testing.T) {
	for _, c := range []struct {
		week       string
		start, end string // Copenhagen
		hours      float64
	}{
		{"2026-W13", "2026-03-23 00:00 CET", "2026-03-30 00:00 CEST", 167}, // summer time starts on its Sunday
		{"2026-W43", "2026-10-19 00:00 CEST", "2026-10-26 00:00 CET", 169}, // and ends
		{"2026-W46", "2026-11-09 00:00 CET", "2026-11-16 00:00 CET", 168},
		{"2012-W43", "2012-10-22 00:00 CEST", "2012-10-29 00:00 CET", 169},
	} {
		w := week.MustParse(c.week)
		const layout = "2006-01-02 15:04 MST"
		if got := w.Start().Format(layout); got != c.start {
			t.Errorf("%s: Start %s, want %s", w, got, c.start)
		}
		if got := w.End().Format(layout); got != c.end {
			t.Errorf("%s: End %s, want %s", w, got, c.end)
		}
		if got := w.End().Sub(w.Start()).Hours(); got != c.hours {
			t.Errorf("%s lasts %v hours, want %v", w, got, c.hours)
		}
		if got := w.Sunday().Format(layout); got[:10] != w.End().AddDate(0, 0, -1).Format(time.DateOnly) {
			t.Errorf("%s: Sunday %s", w, got)
		}
	}
}

func TestArithmeticAndOrder(t *testing.T) {
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-W53", 1, "2027-W01"},
		{"2027-W01", -1, "2026-W53"},
		{"2025-W52", 1, "2026-W01"},
		{"2012-W46", 52, "2013-W46"},
		{"2012-W46", -46, "2011-W52"},
		{"2015-W53", 0, "2015-W53"},
	} {
		if got := week.MustParse(c.from).Add(c.n).String(); got != c.want {
			t.Errorf("%s + %d = %s, want %s", c.from, c.n, got, c.want)
		}
	}
	a, b := week.MustParse("2026-W53"), week.MustParse("2027-W01")
	if !a.Before(b) || a.After(b) || !b.After(a) || a.Compare(b) != -1 || b.Compare(a) != 1 || a.Compare(a) != 0 {
		t.Errorf("order of %s and %s wrong", a, b)
	}
	if a.Before(a) || a.After(a) {
		t.Errorf("%s is before or after itself", a)
	}
	var zero week.Week
	if !zero.IsZero() || zero.String() != "" || a.IsZero() {
		t.Errorf("zero week: IsZero %v, String %q", zero.IsZero(), zero)
	}
}

func TestRange(t *testing.T) {
	r, err := week.NewRange(week.MustParse("2026-W52"), week.MustParse("2027-W02"), 260)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range r.Weeks() {
		got = append(got, w.String())
	}
	if strings.Join(got, " ") != "2026-W52 2026-W53 2027-W01 2027-W02" || r.Len() != 4 {
		t.Errorf("weeks %v, Len %d", got, r.Len())
	}
	one, err := week.NewRange(week.MustParse("2012-W46"), week.MustParse("2012-W46"), 1)
	if err != nil || one.Len() != 1 || len(one.Weeks()) != 1 {
		t.Errorf("one-week range: %v %v", one, err)
	}
	for _, c := range []struct {
		from, to string
		max      int
		wantErr  string
	}{
		{"2026-W47", "2026-W46", 260, "week 2026-W46 is before from week 2026-W47"},
		{"2020-W01", "2026-W46", 260, "the range covers 359 weeks; at most 260"},
		{"2026-W01", "2026-W53", 52, "the range covers 53 weeks; at most 52"},
		{"", "2026-W46", 260, "needs both ends"},
	} {
		var from week.Week
		if c.from != "" {
			from = week.MustParse(c.from)
		}
		_, err := week.NewRange(from, week.MustParse(c.to), c.max)
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("NewRange(%s, %s, %d): %v, want %q", c.from, c.to, c.max, err, c.wantErr)
		}
	}
	if n := (week.Range{From: week.MustParse("2026-W47"), To: week.MustParse("2026-W40")}).Len(); n != 0 {
		t.Errorf("reversed range has %d weeks", n)
	}
}

func TestText(t *testing.T) {
	type doc struct {
		Week  week.Week  `json:"week"`
		Other *week.Week `json:"other,omitempty"`
	}
	b, err := json.Marshal(doc{Week: week.MustParse("2015-W53")})
	if err != nil || string(b) != `{"week":"2015-W53"}` {
		t.Fatalf("marshal: %s %v", b, err)
	}
	var d doc
	if err := json.Unmarshal([]byte(`{"week":"2012w46","other":"2012-11-12"}`), &d); err != nil || d.Week.String() != "2012-W46" || d.Other.String() != "2012-W46" {
		t.Fatalf("unmarshal: %+v %v", d, err)
	}
	if err := json.Unmarshal([]byte(`{"week":""}`), &d); err != nil || !d.Week.IsZero() {
		t.Fatalf("empty week: %+v %v", d, err)
	}
	if err := json.Unmarshal([]byte(`{"week":"2013-W53"}`), &d); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("bad week accepted: %v", err)
	}
}

func TestYearAndNumber(t *testing.T) {
	for _, c := range []struct {
		in         string
		year, week int
	}{{"2012-W46", 2012, 46}, {"2012-12-31", 2013, 1}, {"2016-01-03", 2015, 53}} {
		w := week.MustParse(c.in)
		if w.Year() != c.year || w.Number() != c.week {
			t.Errorf("%s: year %d week %d, want %d and %d", c.in, w.Year(), w.Number(), c.year, c.week)
		}
	}
}
