package support

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// FieldError is one invalid field, named as in the JSON API ("category").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors is every invalid field of one call, in field order.
type FieldErrors []FieldError

func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (es *FieldErrors) add(field, format string, args ...any) {
	for _, e := range *es {
		if e.Field == field {
			return // one message per field
		}
	}
	*es = append(*es, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// ProblemFields lists the invalid fields for the web answer (400 with
// "fields").
func (es FieldErrors) ProblemFields() problem.Fields {
	fs := make(problem.Fields, len(es))
	for i, e := range es {
		fs[i] = problem.FieldError{Field: e.Field, Message: problem.Msg("%s", e.Message)}
	}
	return fs
}

func (es FieldErrors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// futureSlack is how far in the future a call may be said to have come in
// (clocks differ a little); more is a typing error.
const futureSlack = 15 * time.Minute

// normalize trims the text fields, lowercases the codes, drops spaces from
// a CVR, truncates times to the second and turns "no follow-up" into a
// consistent state.
func (in *Input) normalize() {
	in.CompanyCVR = strings.TrimSpace(in.CompanyCVR)
	in.CallerName = strings.TrimSpace(in.CallerName)
	in.CallerRole = strings.TrimSpace(in.CallerRole)
	in.Desk = code(in.Desk)
	in.Channel = code(in.Channel)
	in.Category = code(in.Category)
	in.Resolution = code(in.Resolution)
	in.Description = strings.TrimSpace(in.Description)
	in.FollowUpBy = strings.TrimSpace(in.FollowUpBy)
	in.HandledBy = strings.TrimSpace(in.HandledBy)
	if in.ReceivedAt != nil {
		t := in.ReceivedAt.UTC().Truncate(time.Second)
		in.ReceivedAt = &t
	}
	if in.EndedAt != nil {
		t := in.EndedAt.UTC().Truncate(time.Second)
		in.EndedAt = &t
	}
	if !in.FollowUpNeeded {
		in.FollowUpDone = false
	}
}

// code lowercases a code value and writes spaces and '-' as '_'
// ("Not resolved" -> "not_resolved", "e-mail" -> "email").
func code(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "e-mail" || s == "e_mail" {
		return "email"
	}
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return '_'
		}
		return r
	}, s)
}

// validate checks everything but the company's existence (the store does
// that), filling the defaults: ReceivedAt now, HandledBy the actor, the
// duration from EndedAt when only that is given.
func (in *Input) validate(now time.Time, actor string) FieldErrors {
	var es FieldErrors
	if in.CompanyCVR == "" {
		es.add("company_cvr", "required: pick the company by name or CVR")
	}
	text(&es, "caller_name", in.CallerName, MaxNameLen, true)
	text(&es, "caller_role", in.CallerRole, MaxNameLen, false)
	if in.ReceivedAt == nil {
		t := now.UTC().Truncate(time.Second)
		in.ReceivedAt = &t
	}
	switch {
	case in.ReceivedAt.After(now.Add(futureSlack)):
		es.add("received_at", "is in the future (%s Copenhagen time)", in.ReceivedAt.In(week.Copenhagen).Format("2006-01-02 15:04"))
	case in.ReceivedAt.Year() < 2000:
		es.add("received_at", "is before the year 2000")
	}
	if in.EndedAt != nil {
		switch d := in.EndedAt.Sub(*in.ReceivedAt); {
		case d < 0:
			es.add("ended_at", "is before received_at: a call cannot end before it starts")
		case d > MaxDurationMin*time.Minute:
			es.add("ended_at", "is more than 24 hours after received_at")
		case in.DurationMinutes == nil:
			m := int64(d.Round(time.Minute) / time.Minute)
			in.DurationMinutes = &m
		}
	}
	oneOf(&es, "desk", in.Desk, Desks)
	oneOf(&es, "channel", in.Channel, Channels)
	oneOf(&es, "category", in.Category, Categories)
	text(&es, "description", in.Description, MaxDescriptionLen, true)
	oneOf(&es, "resolution", in.Resolution, Resolutions)
	if d := in.DurationMinutes; d != nil {
		switch {
		case *d < 0:
			es.add("duration_minutes", "must be 0 or more minutes, not %d", *d)
		case *d > MaxDurationMin:
			es.add("duration_minutes", "must be at most %d minutes (24 hours), not %d", MaxDurationMin, *d)
		}
	}
	switch {
	case in.FollowUpBy != "":
		if _, err := time.ParseInLocation(time.DateOnly, in.FollowUpBy, week.Copenhagen); err != nil {
			es.add("follow_up_by", "must be a date such as 2026-11-30, not %q", clip(in.FollowUpBy, 40))
		} else if !in.FollowUpNeeded {
			es.add("follow_up_by", "is set but follow_up_needed is not")
		}
	case in.FollowUpNeeded:
		es.add("follow_up_by", "required when a follow-up is needed: by which date")
	}
	if in.HandledBy == "" {
		in.HandledBy = actor
	}
	text(&es, "handled_by", in.HandledBy, MaxNameLen, false)
	return es
}

func text(es *FieldErrors, field, v string, maxLen int, required bool) {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		es.add(field, "is not valid UTF-8 text")
	case required && v == "":
		es.add(field, "required")
	case n > maxLen:
		es.add(field, "is too long: at most %d characters, got %d", maxLen, n)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		es.add(field, "contains control characters")
	}
}

func oneOf(es *FieldErrors, field, v string, allowed []string) {
	switch {
	case v == "":
		es.add(field, "required: one of %s", strings.Join(allowed, ", "))
	case !slices.Contains(allowed, v):
		es.add(field, "unknown %s %q: one of %s", strings.ReplaceAll(field, "_", " "), clip(v, 40), strings.Join(allowed, ", "))
	}
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
