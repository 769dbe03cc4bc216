package survey

import (
	"fmt"
	"regexp"
	"strconv"
	"time"
)

// Copenhagen is the time zone waves are planned in.
var Copenhagen = mustLoad("Europe/Copenhagen")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

var weekPattern = regexp.MustCompile(`^(\d{4})-W(\d{2})$`)

// WeekID is the ISO week (in Copenhagen) that t falls in, e.g. "2012-W46".
func WeekID(t time.Time) string {
	y, w := t.In(Copenhagen).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// ParseWeek checks a week id and returns the Monday 00:00 (Copenhagen) that
// starts it.
func ParseWeek(id string) (time.Time, error) {
	m := weekPattern.FindStringSubmatch(id)
	if m == nil {
		return time.Time{}, fmt.Errorf("week %q: want YYYY-Www, e.g. 2012-W46", id)
	}
	year, _ := strconv.Atoi(m[1])
	week, _ := strconv.Atoi(m[2])
	// 4 January is always in week 1.
	jan4 := time.Date(year, time.January, 4, 0, 0, 0, 0, Copenhagen)
	wd := int(jan4.Weekday()+6) % 7 // Monday = 0
	monday := time.Date(year, time.January, 4-wd+(week-1)*7, 0, 0, 0, 0, Copenhagen)
	if week < 1 || WeekID(monday) != id {
		return time.Time{}, fmt.Errorf("week %q does not exist", id)
	}
	return monday, nil
}

// Schedule is when waves open and close, and how reminders go.
type Schedule struct {
	Enabled           bool   `json:"enabled"`
	OpenWeekday       int    `json:"open_weekday"` // ISO: 1 = Monday … 7 = Sunday
	OpenTime          string `json:"open_time"`    // "HH:MM", Copenhagen wall clock
	CloseAfterDays    int    `json:"close_after_days"`
	ReminderAfterDays int    `json:"reminder_after_days"`
	MaxReminders      int    `json:"max_reminders"`
	Cohort            string `json:"cohort"` // "" = every company
}

var timePattern = regexp.MustCompile(`^([01]\d|2[0-3]):([0-5]\d)$`)

// Validate checks a schedule.
func (s Schedule) Validate() error {
	var errs FieldErrors
	if s.OpenWeekday < 1 || s.OpenWeekday > 7 {
		errs = append(errs, FieldError{"open_weekday", "want 1 (Monday) to 7 (Sunday)"})
	}
	if !timePattern.MatchString(s.OpenTime) {
		errs = append(errs, FieldError{"open_time", "want HH:MM"})
	}
	if s.CloseAfterDays < 1 || s.CloseAfterDays > 28 {
		errs = append(errs, FieldError{"close_after_days", "want 1 to 28 days"})
	}
	if s.ReminderAfterDays < 1 || s.ReminderAfterDays > 28 {
		errs = append(errs, FieldError{"reminder_after_days", "want 1 to 28 days"})
	}
	if s.MaxReminders < 0 || s.MaxReminders > 10 {
		errs = append(errs, FieldError{"max_reminders", "want 0 to 10"})
	}
	if len(s.Cohort) > 100 {
		errs = append(errs, FieldError{"cohort", "at most 100 characters"})
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// Window is when the wave of a week opens and closes (UTC). It opens on the
// schedule's weekday and wall-clock time in Copenhagen and closes
// CloseAfterDays later at the same wall-clock time, so a DST change inside
// the wave moves neither end.
func (s Schedule) Window(week string) (opens, closes time.Time, err error) {
	monday, err := ParseWeek(week)
	if err != nil {
		return opens, closes, err
	}
	m := timePattern.FindStringSubmatch(s.OpenTime)
	if m == nil {
		return opens, closes, fmt.Errorf("open time %q: want HH:MM", s.OpenTime)
	}
	hh, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	day := monday.Day() + s.OpenWeekday - 1
	o := time.Date(monday.Year(), monday.Month(), day, hh, mm, 0, 0, Copenhagen)
	c := time.Date(monday.Year(), monday.Month(), day+s.CloseAfterDays, hh, mm, 0, 0, Copenhagen)
	return o.UTC(), c.UTC(), nil
}
