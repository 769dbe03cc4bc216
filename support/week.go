package support

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Week is an ISO week in Europe/Copenhagen.
type Week struct {
	Year int
	Num  int
}

// WeekOf is the ISO week that t falls in, in Copenhagen time: a call at
// 00:30 on a Monday in Copenhagen is in the new week even though it is
// still Sunday in UTC.
func WeekOf(t time.Time) Week {
	y, w := t.In(Copenhagen).ISOWeek()
	return Week{y, w}
}

// ParseWeek reads "2026-W48" (also "2026W48" and "2026-w48").
func ParseWeek(s string) (Week, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	y, n, ok := strings.Cut(s, "W")
	y = strings.TrimSuffix(y, "-")
	year, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || year < 2000 || year > 2200 || num < 1 || num > 53 {
		return Week{}, fmt.Errorf("%q is not an ISO week such as 2026-W48", s)
	}
	w := Week{year, num}
	if WeekOf(w.Start()) != w { // week 53 of a year that has 52
		return Week{}, fmt.Errorf("%d has no week %d", year, num)
	}
	return w, nil
}

// String is "2026-W48".
func (w Week) String() string { return fmt.Sprintf("%04d-W%02d", w.Year, w.Num) }

// Start is Monday 00:00 of the week in Copenhagen.
func (w Week) Start() time.Time {
	// 4 January is always in week 1.
	jan4 := time.Date(w.Year, time.January, 4, 0, 0, 0, 0, Copenhagen)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday()) + 6) % 7))
	return monday.AddDate(0, 0, 7*(w.Num-1))
}

// End is the next Monday 00:00 in Copenhagen (exclusive). AddDate keeps the
// wall clock, so a week with a daylight-saving change is 167 or 169 hours.
func (w Week) End() time.Time { return w.Start().AddDate(0, 0, 7) }

// Next is the following week.
func (w Week) Next() Week { return WeekOf(w.End()) }

// Before reports whether w is earlier than o.
func (w Week) Before(o Week) bool { return w.Year < o.Year || w.Year == o.Year && w.Num < o.Num }
