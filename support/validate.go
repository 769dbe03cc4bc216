package support

import (
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/week"
)

// FieldError is one invalid field, named as in the JSON API ("category").
type FieldError = problem.FieldError

// FieldErrors is every invalid field of one call, in field order, each
// message a translation key shown in the reader's language.
type FieldErrors = problem.Fields

// choices is the list of the labels of codes (translation keys prefix +
// code), for a message naming what may be chosen, in the reader's language.
func choices(prefix string, codes []string) problem.Message {
	labels := make([]any, len(codes))
	for i, c := range codes {
		labels[i] = problem.Msg(prefix + c)
	}
	return problem.Join(", ", labels...)
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
		es.AddOnce("company_cvr", "support.v.company_required")
	}
	text(&es, "caller_name", in.CallerName, MaxNameLen, true)
	text(&es, "caller_role", in.CallerRole, MaxNameLen, false)
	if in.ReceivedAt == nil {
		t := now.UTC().Truncate(time.Second)
		in.ReceivedAt = &t
	}
	switch {
	case in.ReceivedAt.After(now.Add(futureSlack)):
		es.AddOnce("received_at", "support.v.future", in.ReceivedAt.In(week.Copenhagen).Format("2006-01-02 15:04"))
	case in.ReceivedAt.Year() < 2000:
		es.AddOnce("received_at", "support.v.before_2000")
	}
	if in.EndedAt != nil {
		switch d := in.EndedAt.Sub(*in.ReceivedAt); {
		case d < 0:
			es.AddOnce("ended_at", "support.v.ended_before")
		case d > MaxDurationMin*time.Minute:
			es.AddOnce("ended_at", "support.v.ended_late")
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
			es.AddOnce("duration_minutes", "support.v.duration_negative", *d)
		case *d > MaxDurationMin:
			es.AddOnce("duration_minutes", "support.v.duration_max", MaxDurationMin, *d)
		}
	}
	switch {
	case in.FollowUpBy != "":
		if _, err := time.ParseInLocation(time.DateOnly, in.FollowUpBy, week.Copenhagen); err != nil {
			es.AddOnce("follow_up_by", "support.v.date", clip(in.FollowUpBy, 40))
		} else if !in.FollowUpNeeded {
			es.AddOnce("follow_up_by", "support.v.follow_up_unneeded")
		}
	case in.FollowUpNeeded:
		es.AddOnce("follow_up_by", "support.v.follow_up_date")
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
		es.AddOnce(field, "field.not_utf8")
	case required && v == "":
		es.AddOnce(field, "field.required")
	case n > maxLen:
		es.AddOnce(field, "support.v.too_long", maxLen, n)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		es.AddOnce(field, "field.control_chars")
	}
}

func oneOf(es *FieldErrors, field, v string, allowed []string) {
	switch {
	case v == "":
		es.AddOnce(field, "support.v.choose."+field)
	case !slices.Contains(allowed, v):
		es.AddOnce(field, "support.v.unknown."+field, clip(v, 40), choices("support."+field+".", allowed))
	}
}

// clip shortens s for an error message.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
