package tabular

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/problem"
	"github.com/pilotpulse/pilotpulse/internal/web"
)

// RetryAfter is how many seconds an import refused with ErrBusy is told to
// wait before it tries again (about busyWait: by then a slot is likely free).
const RetryAfter = 10

// Busy is the answer to an import refused with ErrBusy: 429 with
// Retry-After, saying when to try again (it still wraps ErrBusy); nil for
// any other error.
func Busy(err error) *web.Error {
	if !errors.Is(err, ErrBusy) {
		return nil
	}
	return &web.Error{Status: fiber.StatusTooManyRequests, Text: problem.Msg("import.busy", RetryAfter), RetryAfter: RetryAfter, Err: err}
}

// BusyForm is how an import form answers ErrBusy: it sets 429 and
// Retry-After on c and returns the message for the form to show next to
// field, so that the page is the form again; ok is false for any other error.
func BusyForm(c *fiber.Ctx, err error, field string) (fs problem.Fields, ok bool) {
	b := Busy(err)
	if b == nil {
		return nil, false
	}
	c.Status(b.Status)
	c.Set(fiber.HeaderRetryAfter, strconv.Itoa(b.RetryAfter))
	return problem.Fields{{Field: field, Message: b.Text}}, true
}
