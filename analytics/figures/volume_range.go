package figures

import (
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// The weeks a volume range may name: those of 2000 (no event is older,
// docs/events.md#the-event) to 2099. Beyond them ClickHouse's dates end.
var (
	firstVolumeWeek = week.Of(time.Date(2000, 1, 1, 12, 0, 0, 0, week.Copenhagen))
	lastVolumeWeek  = week.Of(time.Date(2099, 12, 31, 12, 0, 0, 0, week.Copenhagen))
)

// WeekParam reads the week parameter name (an ISO week or a date): empty
// is no week; a bad or out-of-range one (before 2000, after 2099) is put on
// fs naming the parameter. Every figure route reads weeks with it.
func WeekParam(fs *problem.Fields, name, s string) week.Week {
	if s == "" {
		return week.Week{}
	}
	w, err := week.Parse(s)
	switch {
	case err != nil:
		fs.Add(name, "figures.not_a_week")
	case w.Before(firstVolumeWeek) || w.After(lastVolumeWeek):
		fs.Add(name, "figures.week_out_of_range", w.String(), 2000, 2099)
	}
	return w
}
