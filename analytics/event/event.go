package event

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/registry"
)

// Event is one usage event as stored: the fields of docs/events.md#the-event,
// the source it came from and when it was received. Times are UTC, to the second.
type Event struct {
	Source       string    // set by the ingester from the token/source, not from the JSON
	EventID      string    // unique per source
	OccurredAt   time.Time // UTC
	ReceivedAt   time.Time // UTC
	Type         string
	CompanyCVR   string
	AuthorityCVR string
	Channel      string // "digital" | "remote_print" | ""
	HasMetadata  *bool  // the *bool fields may point to shared values: never write through them
	HasDeepLink  *bool
	ByRule       *bool
	MessageRef   string
	UserRef      string
	RightsModel  string
	Reason       string
	Folder       string
	Role         string
}

// Event types of docs/events.md#types. Other types are kept too, stored and
// rolled up under their own type name.
const (
	TypeSetupStarted   = "mailbox.setup_started"
	TypeSetupCompleted = "mailbox.setup_completed"
	TypeSetupFailed    = "mailbox.setup_failed"
	TypeLogin          = "user.login"
	TypeMessageSent    = "message.sent"
	TypeMessageRead    = "message.read"
	TypeMessageDeleted = "message.deleted"
	TypeMessageMoved   = "message.moved"
	TypeRuleCreated    = "rule.created"
	TypeFolderCreated  = "folder.created"
	TypeNotification   = "notification.configured"
	TypeThirdParty     = "access.third_party_granted"
	TypeRoleAssigned   = "role.assigned"
)

// KnownTypes are the event types docs/events.md#types names.
var KnownTypes = []string{TypeSetupStarted, TypeSetupCompleted, TypeSetupFailed, TypeLogin, TypeMessageSent,
	TypeMessageRead, TypeMessageDeleted, TypeMessageMoved, TypeRuleCreated, TypeFolderCreated, TypeNotification,
	TypeThirdParty, TypeRoleAssigned}

var knownType = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range KnownTypes {
		m[t] = true
	}
	return m
}()

// Channels of message.sent.
const (
	ChannelDigital     = "digital"
	ChannelRemotePrint = "remote_print"
)

// Validation limits.
const (
	// MaxFuture is how far past the time of receipt occurred_at may lie
	// (clock skew between the mailbox side and us).
	MaxFuture = 24 * time.Hour
	// maxIDLen and friends bound the string fields (bytes).
	maxIDLen    = 128
	maxTypeLen  = 64
	maxRefLen   = 256
	maxShortLen = 64
)

// earliest is the first occurred_at accepted: nothing of the mailbox predates it,
// and ClickHouse's DateTime cannot hold times before 1970.
var earliest = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// FieldError is a validation error naming the field: Field is its name in
// the event, or "line", "event" or "column N" for what is not one field.
type FieldError struct {
	Field   string
	Message problem.Message // what is wrong with it (i18n.go)
	label   any             // how Field reads in a language, if not as it is
}

// Error is "field: reason" in English.
func (e *FieldError) Error() string { return e.ProblemMessage().String() }

// ProblemMessage is "field: reason" in the reader's language.
func (e *FieldError) ProblemMessage() problem.Message {
	label := any(e.Field)
	if e.label != nil {
		label = e.label
	}
	return problem.Msg("event.rejected", label, e.Message)
}

func fieldErr(field, key string, args ...any) *FieldError {
	fe := &FieldError{Field: field, Message: problem.Msg(key, args...)}
	switch field {
	case "line", "event":
		fe.label = problem.Msg("event.part_" + field)
	}
	return fe
}

// rawEvent is an event as sent, before validation. Times are kept as text
// so that the error can say what is wrong with them.
type rawEvent struct {
	EventID      string `json:"event_id"`
	OccurredAt   string `json:"occurred_at"`
	Type         string `json:"type"`
	CompanyCVR   string `json:"company_cvr"`
	AuthorityCVR string `json:"authority_cvr"`
	Channel      string `json:"channel"`
	HasMetadata  *bool  `json:"has_metadata"`
	HasDeepLink  *bool  `json:"has_deep_link"`
	ByRule       *bool  `json:"by_rule"`
	MessageRef   string `json:"message_ref"`
	UserRef      string `json:"user_ref"`
	RightsModel  string `json:"rights_model"`
	Reason       string `json:"reason"`
	Folder       string `json:"folder"`
	Role         string `json:"role"`
}

// ParseEventJSON validates one JSON event object (docs/events.md#the-event; unknown
// fields ignored) received at the given time. The error is a *FieldError
// naming the field. Text that encoding/json would not read as sent (bytes
// that are not UTF-8, a lone surrogate escape) rejects the event.
func ParseEventJSON(raw []byte, received time.Time) (Event, error) {
	return parseEventText(raw, string(raw), received)
}

// parseEventText is ParseEventJSON of raw, given as text too (text ==
// string(raw)): the event's strings are substrings of text.
func parseEventText(raw []byte, text string, received time.Time) (Event, error) {
	var r rawEvent // on the stack: the slow path decodes into its own
	if parseFast(text, &r) {
		return r.validate(received)
	}
	if fe := jsonTextError(raw); fe != nil {
		return Event{}, fe
	}
	slow := new(rawEvent)
	if err := json.Unmarshal(raw, slow); err != nil {
		return Event{}, jsonFieldError(err)
	}
	return slow.validate(received)
}

// parseValidated is r.validate with its error as the *FieldError it is.
func parseValidated(r *rawEvent, received time.Time) (Event, *FieldError) {
	ev, err := r.validate(received)
	if err != nil {
		return Event{}, asFieldError(err)
	}
	return ev, nil
}

// asFieldError is err as the *FieldError every validation error is.
func asFieldError(err error) *FieldError {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return fieldErr("event", "%s", err.Error())
}

// jsonFieldError turns a decoding error into a FieldError.
func jsonFieldError(err error) *FieldError {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return fieldErr("event", "event.not_object", jsonKind(te.Value))
		}
		want := problem.Msg("event.want_string")
		if te.Type != nil && te.Type.Kind().String() == "bool" {
			want = problem.Msg("event.want_bool")
		}
		field := te.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		return fieldErr(field, "event.wrong_type", want, jsonKind(te.Value))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fieldErr("event", "event.not_json", se.Error(), se.Offset)
	}
	return fieldErr("event", "event.not_json_plain", err.Error())
}

// jsonKind is the kind of JSON value encoding/json names ("number", ...),
// in the reader's language.
func jsonKind(v string) any {
	switch v {
	case "number", "string", "bool", "array", "object":
		return problem.Msg("event.kind_" + v)
	}
	return v
}

func (r *rawEvent) validate(received time.Time) (Event, error) {
	received = received.UTC().Truncate(time.Second)
	ev := Event{
		EventID:      r.EventID,
		ReceivedAt:   received,
		Type:         r.Type,
		CompanyCVR:   r.CompanyCVR,
		AuthorityCVR: r.AuthorityCVR,
		Channel:      r.Channel,
		HasMetadata:  r.HasMetadata,
		HasDeepLink:  r.HasDeepLink,
		ByRule:       r.ByRule,
		MessageRef:   r.MessageRef,
		UserRef:      r.UserRef,
		RightsModel:  r.RightsModel,
		Reason:       r.Reason,
		Folder:       r.Folder,
		Role:         r.Role,
	}
	if err := checkText("event_id", ev.EventID, maxIDLen, true); err != nil {
		return Event{}, err
	}
	if r.OccurredAt == "" {
		return Event{}, fieldErr("occurred_at", "event.required")
	}
	t, err := time.Parse(time.RFC3339Nano, r.OccurredAt)
	if err != nil || !hasOffset(r.OccurredAt) {
		return Event{}, fieldErr("occurred_at", "event.not_rfc3339", clip(r.OccurredAt))
	}
	t = t.UTC().Truncate(time.Second)
	if t.Before(earliest) {
		return Event{}, fieldErr("occurred_at", "event.before", t.Format(time.RFC3339), earliest.Format("2006-01-02"))
	}
	if t.After(received.Add(MaxFuture)) {
		return Event{}, fieldErr("occurred_at", "event.future", t.Format(time.RFC3339), MaxFuture.String())
	}
	ev.OccurredAt = t
	if err := checkText("type", ev.Type, maxTypeLen, true); err != nil {
		return Event{}, err
	}
	known := knownType[ev.Type]
	if ev.CompanyCVR == "" && (known || ev.AuthorityCVR == "") {
		return Event{}, fieldErr("company_cvr", "event.required")
	}
	if ev.CompanyCVR != "" {
		if err := registry.CheckCVR(ev.CompanyCVR); err != nil {
			return Event{}, fieldErr("company_cvr", "event.cvr", reasonOf(err), clip(ev.CompanyCVR))
		}
	}
	if ev.AuthorityCVR == "" && ev.Type == TypeMessageSent {
		return Event{}, fieldErr("authority_cvr", "event.required_for", TypeMessageSent)
	}
	if ev.AuthorityCVR != "" {
		if err := registry.CheckCVR(ev.AuthorityCVR); err != nil {
			return Event{}, fieldErr("authority_cvr", "event.cvr", reasonOf(err), clip(ev.AuthorityCVR))
		}
	}
	switch ev.Channel {
	case ChannelDigital, ChannelRemotePrint:
	case "":
		if ev.Type == TypeMessageSent {
			return Event{}, fieldErr("channel", "event.channel_required", TypeMessageSent)
		}
	default:
		return Event{}, fieldErr("channel", "event.channel", clip(ev.Channel))
	}
	switch ev.RightsModel {
	case "", "standard", "extended":
	default:
		return Event{}, fieldErr("rights_model", "event.rights_model", clip(ev.RightsModel))
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"message_ref", ev.MessageRef, maxRefLen}, {"user_ref", ev.UserRef, maxRefLen}, {"reason", ev.Reason, maxRefLen},
		{"folder", ev.Folder, maxRefLen}, {"role", ev.Role, maxShortLen}} {
		if err := checkText(f.name, f.v, f.max, false); err != nil {
			return Event{}, err
		}
	}
	return ev, nil
}

// checkText checks a string field: present when required, not too long,
// valid UTF-8 without control characters.
func checkText(field, v string, max int, required bool) error {
	if v == "" {
		if required {
			return fieldErr(field, "event.required")
		}
		return nil
	}
	if len(v) > max {
		return fieldErr(field, "event.too_long", max)
	}
	if !utf8.ValidString(v) {
		return fieldErr(field, "event.not_utf8")
	}
	for _, c := range v {
		if c < 0x20 || c == 0x7f {
			return fieldErr(field, "event.control")
		}
	}
	return nil
}

// hasOffset reports whether an RFC 3339 time names its offset (Z or ±hh:mm);
// time.Parse accepts both, this is belt and braces against lowercase z.
func hasOffset(s string) bool {
	if strings.HasSuffix(s, "Z") {
		return true
	}
	if len(s) < 6 {
		return false
	}
	c := s[len(s)-6]
	return (c == '+' || c == '-') && s[len(s)-3] == ':'
}

// reasonOf is what err says to the reader (a registry check's reason).
func reasonOf(err error) any {
	if m, ok := problem.MessageOf(err); ok {
		return m
	}
	return err.Error()
}

// clip shortens a value quoted in an error message.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	cut := 40
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
