package survey

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

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
		errs.Add("open_weekday", "survey.v.weekday")
	}
	if !timePattern.MatchString(s.OpenTime) {
		errs.Add("open_time", "survey.v.time")
	}
	if s.CloseAfterDays < 1 || s.CloseAfterDays > 28 {
		errs.Add("close_after_days", "survey.v.days", 1, 28)
	}
	if s.ReminderAfterDays < 1 || s.ReminderAfterDays > 28 {
		errs.Add("reminder_after_days", "survey.v.days", 1, 28)
	}
	if s.MaxReminders < 0 || s.MaxReminders > 10 {
		errs.Add("max_reminders", "survey.v.between", 0, 10)
	}
	if len(s.Cohort) > 100 {
		errs.Add("cohort", "field.too_long", 100)
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
func (s Schedule) Window(w week.Week) (opens, closes time.Time, err error) {
	monday := w.Monday()
	m := timePattern.FindStringSubmatch(s.OpenTime)
	if m == nil {
		return opens, closes, problem.Reason("survey.v.time")
	}
	hh, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	day := monday.Day() + s.OpenWeekday - 1
	o := time.Date(monday.Year(), monday.Month(), day, hh, mm, 0, 0, week.Copenhagen)
	c := time.Date(monday.Year(), monday.Month(), day+s.CloseAfterDays, hh, mm, 0, 0, week.Copenhagen)
	return o.UTC(), c.UTC(), nil
}

// Schedule returns the weekly schedule.
func (s *Store) Schedule(ctx context.Context) (Schedule, error) {
	var sc Schedule
	err := s.db.QueryRowContext(ctx, `SELECT enabled, open_weekday, open_time, close_after_days, reminder_after_days, max_reminders, cohort
		FROM survey_schedule WHERE id = 1`).Scan(&sc.Enabled, &sc.OpenWeekday, &sc.OpenTime, &sc.CloseAfterDays, &sc.ReminderAfterDays, &sc.MaxReminders, &sc.Cohort)
	return sc, err
}

// SetSchedule replaces the weekly schedule.
func (s *Store) SetSchedule(ctx context.Context, sc Schedule) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `UPDATE survey_schedule SET enabled = ?, open_weekday = ?, open_time = ?, close_after_days = ?,
		reminder_after_days = ?, max_reminders = ?, cohort = ? WHERE id = 1`,
		sc.Enabled, sc.OpenWeekday, sc.OpenTime, sc.CloseAfterDays, sc.ReminderAfterDays, sc.MaxReminders, strings.TrimSpace(sc.Cohort))
	return err
}
