package web

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

// Error is an error with the HTTP status it answers with. Its Message is
// shown to the user, so it must say what is wrong without leaking internals.
type Error struct {
	Status     int
	Message    string
	RetryAfter int // seconds, for 429 and 503
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// BadRequest is a 400 naming what is wrong.
func BadRequest(format string, args ...any) *Error {
	return &Error{Status: fiber.StatusBadRequest, Message: fmt.Sprintf(format, args...)}
}

// Invalid wraps a validation error as a 400 with its text.
func Invalid(err error) *Error { return &Error{Status: fiber.StatusBadRequest, Message: err.Error()} }

// NotFound is a 404.
func NotFound(what string) *Error {
	return &Error{Status: fiber.StatusNotFound, Message: what + " not found"}
}

// Conflict is a 409.
func Conflict(msg string) *Error { return &Error{Status: fiber.StatusConflict, Message: msg} }

// Forbidden is a 403.
func Forbidden() *Error {
	return &Error{Status: fiber.StatusForbidden, Message: "not allowed for your role"}
}

// Unauthorized is a 401.
func Unauthorized(msg string) *Error { return &Error{Status: fiber.StatusUnauthorized, Message: msg} }

// TooMany is a 429 with Retry-After.
func TooMany(msg string, retryAfter int) *Error {
	return &Error{Status: fiber.StatusTooManyRequests, Message: msg, RetryAfter: retryAfter}
}

// ErrUnavailable marks a store that does not answer; it maps to 503 with Retry-After.
var ErrUnavailable = errors.New("a data store is unavailable")

// Unavailable wraps err as a 503.
func Unavailable(what string, err error) *Error {
	return &Error{Status: fiber.StatusServiceUnavailable, Message: what + " is unavailable, try again shortly", RetryAfter: 5, Err: err}
}

// IsAPI reports whether a request is for the JSON API.
func IsAPI(c *fiber.Ctx) bool {
	p := c.Path()
	return strings.HasPrefix(p, "/api/") || p == "/healthz" || p == "/readyz"
}

// errorHandler maps every error a handler returns to one answer: JSON
// {"error": "…"} under /api, an HTML page elsewhere.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	status, msg, retry := fiber.StatusInternalServerError, "internal error", 0
	var we *Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &we):
		status, msg, retry = we.Status, we.Message, we.RetryAfter
	case errors.As(err, &fe):
		status, msg = fe.Code, fe.Message
		if status == fiber.StatusRequestEntityTooLarge {
			msg = "request body too large"
		}
	case errors.Is(err, auth.ErrNotFound):
		status, msg = fiber.StatusNotFound, "not found"
	case errors.Is(err, ErrUnavailable):
		status, msg, retry = fiber.StatusServiceUnavailable, "a data store is unavailable, try again shortly", 5
	}
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
		return c.JSON(fiber.Map{"error": msg})
	}
	if status == fiber.StatusUnauthorized && c.Method() == fiber.MethodGet {
		return c.Redirect("/login?next="+url.QueryEscape(localPath(c.OriginalURL())), fiber.StatusSeeOther)
	}
	rerr := s.render(c, "error", PageData{Title: statusTitle(status), Data: fiber.Map{"Status": status, "Message": msg}})
	if rerr != nil {
		s.logger.Error("error page failed", "err", rerr)
		c.Set(fiber.HeaderContentType, fiber.MIMETextPlainCharsetUTF8)
		return c.SendString(msg)
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
	case 413:
		return "error.too_large"
	case 429:
		return "error.too_many"
	case 503:
		return "error.unavailable"
	}
	return "error.internal"
}

// localPath keeps a redirect target on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
		return "/"
	}
	return p
}
