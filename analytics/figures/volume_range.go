package figures

import (
	"context"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/pilotpulse/pilotpulse/internal/auth"
	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// VolumeWeeks is how many weeks a volume view shows when no range is given.
const VolumeWeeks = 12

// VolumeMaxWeeks is the longest range a volume view shows: three years.
const VolumeMaxWeeks = 3*52 + 1

// The weeks a volume range may name: those of 2000 (no event is older,
// docs/events.md#the-event) to 2099. Beyond them ClickHouse's dates end.
var (
	firstVolumeWeek = week.Of(time.Date(2000, 1, 1, 12, 0, 0, 0, week.Copenhagen))
	lastVolumeWeek  = week.Of(time.Date(2099, 12, 31, 12, 0, 0, 0, week.Copenhagen))
)

// VolumeRange reads a from/to pair (ISO weeks like 2012-W46 or dates; either
// may be empty) for the volume figures (docs/figures.md#volume-range).
// Without to, the range ends at the newest week with messages in the scope
// (this week if there are none); without from, it starts VolumeWeeks-1 weeks
// before to. The same defaults serve the page and its JSON twin. A bad
// parameter is a problem.Fields naming it.
func VolumeRange(ctx context.Context, ch driver.Conn, scope auth.Scope, fromS, toS string) (week.Range, error) {
	var fs problem.Fields
	from, to := WeekParam(&fs, "from", fromS), WeekParam(&fs, "to", toS)
	if len(fs) > 0 {
		return week.Range{}, fs
	}
	if toS == "" {
		newest, err := newestVolumeWeek(ctx, ch, scope)
		if err != nil {
			return week.Range{}, err
		}
		to = newest
	}
	if fromS == "" {
		from = to.Add(-(VolumeWeeks - 1))
	}
	r := week.Range{From: from, To: to}
	switch {
	case to.Before(from):
		fs.Add("to", "figures.to_before_from", to.String(), from.String())
	case r.Len() > VolumeMaxWeeks:
		fs.Add("from", "figures.range_too_long", r.Len(), VolumeMaxWeeks)
	}
	return r, fs.Err()
}

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

// newestVolumeWeek is the week of the newest day with messages in the
// scope, or this week if there is none.
func newestVolumeWeek(ctx context.Context, ch driver.Conn, scope auth.Scope) (week.Week, error) {
	filter, args := scope.AuthorityFilter("authority_cvr")
	var newest time.Time
	if err := ch.QueryRow(ctx, `SELECT max(day) FROM rollup_messages_daily WHERE `+filter, args...).Scan(&newest); err != nil {
		return week.Week{}, queryError("newest volume day", err)
	}
	if newest.Year() < 2000 { // no data: max() of nothing is 1970-01-01
		return week.Of(time.Now()), nil
	}
	return weekOfDate(newest), nil
}
