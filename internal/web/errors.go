package web

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// Error is an answer with an HTTP status of its own (401, 403, 413, 415,
// 429, and a few 400s about the request rather than its fields). Text is
// what the user reads, in their language. Store and validation errors are
// not this: return the problem package's errors and the error handler maps
// them.
type Error struct {
	Status     int
	Text       problem.Message
	RetryAfter int // seconds, for 429
	Err        error
}

func (e *Error) Error() string {
	s := e.Text.String()
	if e.Err != nil {
		return s + ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

func answer(status int, key string, args ...any) *Error {
	return &Error{Status: status, Text: problem.Msg(key, args...)}
}

// BadRequest is a 400 about the request as a whole: key is the
// translation key of its text, args the text's arguments. Field errors are
// problem.Fields, not this.
func BadRequest(key string, args ...any) *Error {
	return answer(fiber.StatusBadRequest, key, args...)
}

// NotFound is a 404 naming what was not found.
func NotFound(what string) *Error {
	return answer(fiber.StatusNotFound, "error.not_found_what", problem.Msg(what))
}

// Conflict is a 409.
func Conflict(key string) *Error { return answer(fiber.StatusConflict, key) }

// Forbidden is a 403.
func Forbidden() *Error { return answer(fiber.StatusForbidden, "error.forbidden_role") }

// Unauthorized is a 401.
func Unauthorized(key string) *Error { return answer(fiber.StatusUnauthorized, key) }

// TooMany is a 429 with Retry-After.
func TooMany(key string, retryAfter int) *Error {
	e := answer(fiber.StatusTooManyRequests, key)
	e.RetryAfter = retryAfter
	return e
}

// retryAfterOutage is the Retry-After of a 503 (problem.Unavailable), in
// seconds. The message of the outage's error is shown if it has one
// (e.g. which store is unavailable), else error.unavailable_store.
const retryAfterOutage = 5

// FieldLister is an error that lists the input fields at fault in its own
// way (e.g. an import file's rows and columns).
type FieldLister interface {
	error
	ProblemFields() problem.Fields
}

// IsAPI reports whether a request is for the JSON API.
func IsAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz"
}

// ErrorField is one entry of an error answer's "fields".
type ErrorField struct {
	Field string `json:"field"`
	Error string `json:"error"`
}

// ErrorBody is the one JSON shape of every API error.
type ErrorBody struct {
	Error  string       `json:"error"`
	Fields []ErrorField `json:"fields,omitempty"`
}

// Problem is how an error answers: status, text in lang, the fields at
// fault and Retry-After. It is the one mapping from errors to HTTP.
func Problem(err error, lang string) (status int, body ErrorBody, retryAfter int) {
	var fields problem.Fields
	var we *Error
	var fe *fiber.Error
	var fl FieldLister
	switch {
	case errors.As(err, &fields):
		return fiber.StatusBadRequest, ErrorBody{Error: Translate(lang, "error.fields"), Fields: errorFields(fields, lang)}, 0
	case errors.As(err, &fl):
		return fiber.StatusBadRequest, ErrorBody{Error: Translate(lang, "error.fields"), Fields: errorFields(fl.ProblemFields(), lang)}, 0
	case errors.As(err, &we):
		return we.Status, ErrorBody{Error: we.Text.In(lang)}, we.RetryAfter
	case errors.As(err, &fe):
		switch fe.Code {
		case fiber.StatusNotFound:
			return fe.Code, ErrorBody{Error: Translate(lang, "error.page_not_found")}, 0
		case fiber.StatusRequestEntityTooLarge:
			return fe.Code, ErrorBody{Error: Translate(lang, "error.body_too_large")}, 0
		}
		return fe.Code, ErrorBody{Error: Translate(lang, statusTitle(fe.Code))}, 0
	case errors.Is(err, problem.ErrNotFound):
		return fiber.StatusNotFound, ErrorBody{Error: messageOr(err, lang, "error.not_found_record")}, 0
	case errors.Is(err, problem.ErrForbidden):
		return fiber.StatusForbidden, ErrorBody{Error: messageOr(err, lang, "error.forbidden_role")}, 0
	case errors.Is(err, problem.ErrConflict):
		return fiber.StatusConflict, ErrorBody{Error: messageOr(err, lang, "error.conflict_record")}, 0
	case problem.Unavailable(err):
		return fiber.StatusServiceUnavailable, ErrorBody{Error: messageOr(err, lang, "error.unavailable_store")}, retryAfterOutage
	}
	return fiber.StatusInternalServerError, ErrorBody{Error: Translate(lang, "error.internal_text")}, 0
}

func messageOr(err error, lang, key string) string {
	if m, ok := problem.MessageOf(err); ok {
		return m.In(lang)
	}
	return Translate(lang, key)
}

func errorFields(fs problem.Fields, lang string) []ErrorField {
	out := make([]ErrorField, len(fs))
	for i, f := range fs {
		out[i] = ErrorField{Field: f.Field, Error: f.Message.In(lang)}
	}
	return out
}

// errorHandler answers every error a handler returns: JSON ErrorBody under
// /api, an HTML page elsewhere, in the caller's language.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	lang := Language(c)
	status, body, retry := Problem(err, lang)
	if status >= 500 {
		s.logger.Error("request failed", "request_id", requestID(c), "method", c.Method(), "path", c.Path(), "status", status, "err", err)
	} else {
		s.logger.Debug("request refused", "request_id", requestID(c), "path", c.Path(), "status", status, "err", err)
	}
	if retry > 0 {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
	}
	c.Status(status)
	if IsAPI(c) || strings.Contains(c.Get(fiber.HeaderAccept), "application/json") && !strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		return c.JSON(body)
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(localPath(c.OriginalURL())), fiber.StatusSeeOther)
	}
	rerr := s.render(c, "error", PageData{Title: statusTitle(status), Data: fiber.Map{"Status": status, "Message": body.Error, "Fields": body.Fields}})
	if rerr != nil {
		s.logger.Error("error page failed", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(body.Error)
	}
	return nil
}

func statusTitle(status int) string {
	switch status {
	case 400:
		return "error.bad_request"
	case 401:
		return "error.unauthorized"
	case 403:
		return "error.forbidden"
	case 404:
		return "error.not_found"
	case 409:
		return "error.conflict"
	case 413:
		return "error.too_large"
	case 415:
		return "error.unsupported_type"
	case 429:
		return "error.too_many"
	case 503:
		return "error.unavailable"
	}
	if status < 500 {
		return "error.bad_request"
	}
	return "error.internal"
}
