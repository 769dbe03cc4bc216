// Package problem is Pilotpulse's one error vocabulary: messages a user
// reads (a translation key and its arguments, shown in the reader's
// language), field errors shared by every package's validation, and the
// kinds of store errors (not found, conflict, unavailable). internal/web
// maps them to HTTP answers in one place; anything else is a fault of ours.
package problem

import (
	"errors"
	"fmt"
	"strings"
	"sync"
)

// Kinds of error. Wrap them (fmt.Errorf("...: %w", problem.ErrNotFound))
// or return them through NotFound/Conflict to say what the user reads.
var (
	// ErrNotFound: the record does not exist or the caller may not see it (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the request clashes with what is stored (409).
	ErrConflict = errors.New("conflict")
	// ErrForbidden: the caller's role or scope may not do this (403).
	ErrForbidden = errors.New("not allowed")
	// ErrUnavailable: a store did not answer (503 with Retry-After). Only a
	// real outage is this; see Unavailable for the driver errors that are.
	ErrUnavailable = errors.New("a data store is unavailable")
)

// Message is a text shown to a user: a translation key and the arguments
// its text is formatted with (fmt verbs). An argument that is itself a
// Message, or any text of its own in each language (a Localized, such as a
// question's text), is shown in the reader's language too.
type Message struct {
	Key  string
	Args []any
}

// Localized is a value with a text of its own per language.
type Localized interface {
	In(lang string) string
}

// Msg is the message of key with args.
func Msg(key string, args ...any) Message { return Message{Key: key, Args: args} }

// Join is a message listing parts (texts, Messages, Localized values, each
// shown in the reader's language) separated by sep.
func Join(sep string, parts ...any) Message {
	sep = strings.ReplaceAll(sep, "%", "%%")
	return Msg(strings.TrimSuffix(strings.Repeat("%s"+sep, len(parts)), sep), parts...)
}

var (
	catalogMu sync.RWMutex
	catalog   = func(lang, key string) string { return key }
)

// UseCatalog sets where message texts come from (internal/web's
// translation tables do it at start).
func UseCatalog(translate func(lang, key string) string) {
	catalogMu.Lock()
	defer catalogMu.Unlock()
	catalog = translate
}

// In is the message's text in lang.
func (m Message) In(lang string) string {
	catalogMu.RLock()
	translate := catalog
	catalogMu.RUnlock()
	text := translate(lang, m.Key)
	if len(m.Args) == 0 {
		return text
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if l, ok := a.(Localized); ok {
			a = l.In(lang)
		}
		args[i] = a
	}
	return fmt.Sprintf(text, args...)
}

// String is the English text, for logs and the command line.
func (m Message) String() string { return m.In("en") }

// IsZero reports whether no message is set.
func (m Message) IsZero() bool { return m.Key == "" }

// Error is an error of a kind (ErrNotFound, ErrConflict, ErrUnavailable)
// with the message the user reads, and optionally its cause.
type Error struct {
	Kind    error
	Message Message
	Err     error
}

func (e *Error) Error() string {
	s := e.Message.String()
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap lets errors.Is find the kind and the cause.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Err} }

// NotFound is an ErrNotFound saying what was not found.
func NotFound(key string, args ...any) error {
	return &Error{Kind: ErrNotFound, Message: Msg(key, args...)}
}

// Conflict is an ErrConflict saying what clashes.
func Conflict(key string, args ...any) error {
	return &Error{Kind: ErrConflict, Message: Msg(key, args...)}
}

// Reason is an error that is only a message for the user, of no kind: what
// is wrong with a value, to be put on a field (Fields.AddErr).
func Reason(key string, args ...any) error { return &Error{Message: Msg(key, args...)} }

// Messenger is an error of a package's own type that says what the user
// reads.
type Messenger interface {
	error
	ProblemMessage() Message
}

// MessageOf is the message an error carries for the user, if any.
func MessageOf(err error) (Message, bool) {
	var pe *Error
	if errors.As(err, &pe) && !pe.Message.IsZero() {
		return pe.Message, true
	}
	var m Messenger
	if errors.As(err, &m) {
		return m.ProblemMessage(), true
	}
	return Message{}, false
}

// FieldError is one invalid input field: Field is its name as the API
// knows it ("cvr", "contacts[0].email"), Message what is wrong with it.
type FieldError struct {
	Field   string
	Message Message
}

// Error is "field: message" in English.
func (e FieldError) Error() string { return e.Field + ": " + e.Message.String() }

// Fields is every invalid field of one input, in field order. As an error
// it answers 400 with the list.
type Fields []FieldError

// Add records a problem with field.
func (fs *Fields) Add(field, key string, args ...any) {
	*fs = append(*fs, FieldError{Field: field, Message: Msg(key, args...)})
}

// AddOnce records a problem with field unless field has one already.
func (fs *Fields) AddOnce(field, key string, args ...any) {
	if fs.Has(field) {
		return
	}
	fs.Add(field, key, args...)
}

// AddErr records err on field: its message if it carries one (Reason),
// else its text.
func (fs *Fields) AddErr(field string, err error) {
	m, ok := MessageOf(err)
	if !ok {
		m = Msg("%s", err.Error())
	}
	*fs = append(*fs, FieldError{Field: field, Message: m})
}

// Has reports whether field has a problem.
func (fs Fields) Has(field string) bool {
	for _, e := range fs {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Err is nil (an untyped nil error) when there is no problem, else fs.
func (fs Fields) Err() error {
	if len(fs) == 0 {
		return nil
	}
	return fs
}

// Error joins the problems in English with "; ".
func (fs Fields) Error() string {
	parts := make([]string, len(fs))
	for i, e := range fs {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

// In is field -> message text in lang (the first message of each field),
// for a form to show next to its fields.
func (fs Fields) In(lang string) map[string]string {
	m := make(map[string]string, len(fs))
	for _, e := range fs {
		if _, dup := m[e.Field]; !dup {
			m[e.Field] = e.Message.In(lang)
		}
	}
	return m
}

// AsFields finds field errors in err.
func AsFields(err error) (Fields, bool) {
	var fs Fields
	if errors.As(err, &fs) {
		return fs, true
	}
	return nil, false
}
