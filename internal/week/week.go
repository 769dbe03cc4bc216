// Package week is the ISO 8601 week of the pilot, in Europe/Copenhagen:
// the unit of waves, support figures and volume views. It holds the one
// copy of the Copenhagen time zone.
package week

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // Copenhagen loads even on a machine without a zoneinfo database
)

// Copenhagen is the time zone of weeks, days and times shown or typed in
// the UI.
var Copenhagen = loadCopenhagen()

func loadCopenhagen() *time.Location {
	loc, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil { // cannot happen: time/tzdata is embedded
		panic("time zone Europe/Copenhagen: " + err.Error())
	}
	return loc
}

// Week is an ISO week: an ISO year and a week number 1-53. The zero value
// is no week. Weeks are comparable with ==.
type Week struct {
	year, num int
}

// Of is the ISO week that t falls in, in Copenhagen: Sunday 23:30 UTC is
// already Monday in Copenhagen, so it is in the next week.
func Of(t time.Time) Week {
	y, n := t.In(Copenhagen).ISOWeek()
	return Week{y, n}
}

// Forms is how the accepted spellings of a week are named in errors.
const Forms = "an ISO week such as 2012-W46 or a date such as 2012-11-12"

var weekPattern = regexp.MustCompile(`^(\d{4})-?W(\d{2})$`)

// Parse reads an ISO week, 2012-W46 (also the ISO basic form 2012W46 and a
// lower-case w), or a date, 2012-11-12, meaning the week it falls in.
// Surrounding spaces are ignored; String gives the canonical form back.
func Parse(s string) (Week, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseInLocation(time.DateOnly, s, Copenhagen); err == nil {
		return Of(d), nil
	}
	m := weekPattern.FindStringSubmatch(strings.ToUpper(s))
	if m == nil {
		return Week{}, fmt.Errorf("%q is not a week: want %s", s, Forms)
	}
	y, _ := strconv.Atoi(m[1])
	n, _ := strconv.Atoi(m[2])
	if n < 1 || n > weeksIn(y) {
		return Week{}, fmt.Errorf("week %q does not exist: %d has weeks 01 to %02d", s, y, weeksIn(y))
	}
	return Week{y, n}, nil
}

// MustParse is Parse for weeks known to be right, such as constants; it
// panics on an error.
func MustParse(s string) Week {
	w, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return w
}

// weeksIn is how many ISO weeks year has (52 or 53): 28 December is always
// in the last week.
func weeksIn(year int) int {
	_, n := time.Date(year, time.December, 28, 12, 0, 0, 0, time.UTC).ISOWeek()
	return n
}

// IsZero reports whether w is no week.
func (w Week) IsZero() bool { return w == Week{} }

// String is the canonical form, 2012-W46 ("" for no week).
func (w Week) String() string {
	if w.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-W%02d", w.year, w.num)
}

// Year and Number are the ISO year and week number: 2012 and 46 for 2012-W46.
func (w Week) Year() int   { return w.year }
func (w Week) Number() int { return w.num }

// MarshalText writes String.
func (w Week) MarshalText() ([]byte, error) { return []byte(w.String()), nil }

// UnmarshalText reads what Parse reads; empty text is no week.
func (w *Week) UnmarshalText(b []byte) error {
	if strings.TrimSpace(string(b)) == "" {
		*w = Week{}
		return nil
	}
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*w = v
	return nil
}

// mondayUTC is the Monday of the week as a calendar date (midnight UTC), so
// day arithmetic on it never meets a daylight-saving change.
func (w Week) mondayUTC() time.Time {
	// 4 January is always in week 1.
	jan4 := time.Date(w.year, time.January, 4, 0, 0, 0, 0, time.UTC)
	return jan4.AddDate(0, 0, 7*(w.num-1)-(int(jan4.Weekday())+6)%7)
}

// day is midnight in Copenhagen, offset days after the week's Monday.
func (w Week) day(offset int) time.Time {
	y, m, d := w.mondayUTC().Date()
	return time.Date(y, m, d+offset, 0, 0, 0, 0, Copenhagen)
}

// Monday is 00:00 on the week's Monday in Copenhagen.
func (w Week) Monday() time.Time { return w.day(0) }

// Sunday is 00:00 on the week's Sunday (its last day) in Copenhagen.
func (w Week) Sunday() time.Time { return w.day(6) }

// Start is when the week begins: Monday 00:00 in Copenhagen.
func (w Week) Start() time.Time { return w.day(0) }

// End is when the week is over: the next Monday 00:00 in Copenhagen, so a
// week is [Start, End). A week with a daylight-saving change lasts 167 or
// 169 hours.
func (w Week) End() time.Time { return w.day(7) }

// Add is the week n weeks later (earlier for negative n).
func (w Week) Add(n int) Week {
	y, k := w.mondayUTC().AddDate(0, 0, 7*n).ISOWeek()
	return Week{y, k}
}

// Next is the following week.
func (w Week) Next() Week { return w.Add(1) }

// Prev is the week before.
func (w Week) Prev() Week { return w.Add(-1) }

// Compare is -1, 0 or +1 as w is before, equal to or after o.
func (w Week) Compare(o Week) int {
	return cmp.Or(cmp.Compare(w.year, o.year), cmp.Compare(w.num, o.num))
}

// Before reports whether w is earlier than o.
func (w Week) Before(o Week) bool { return w.Compare(o) < 0 }

// After reports whether w is later than o.
func (w Week) After(o Week) bool { return w.Compare(o) > 0 }

// Range is the weeks From to To, both included.
type Range struct {
	From, To Week
}

// NewRange checks a range: both weeks set, To not before From, and at most
// maxWeeks weeks long.
func NewRange(from, to Week, maxWeeks int) (Range, error) {
	r := Range{from, to}
	switch {
	case from.IsZero() || to.IsZero():
		return r, fmt.Errorf("a range of weeks needs both ends")
	case to.Before(from):
		return r, fmt.Errorf("week %s is before from week %s", to, from)
	case r.Len() > maxWeeks:
		return r, fmt.Errorf("the range covers %d weeks; at most %d", r.Len(), maxWeeks)
	}
	return r, nil
}

// Len is the number of weeks in the range (0 if To is before From).
func (r Range) Len() int {
	days := r.To.mondayUTC().Sub(r.From.mondayUTC()).Hours() / 24
	return max(0, int(days)/7+1)
}

// Weeks lists the weeks of the range, oldest first.
func (r Range) Weeks() []Week {
	ws := make([]Week, 0, r.Len())
	for w := r.From; !r.To.Before(w); w = w.Next() {
		ws = append(ws, w)
	}
	return ws
}
