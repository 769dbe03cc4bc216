package registry

import (
	"errors"

	"github.com/pilotpulse/pilotpulse/internal/web"
)

// webError maps a registry error to the answer it gives.
func webError(err error, what string) error {
	var fe FieldErrors
	var ie ImportErrors
	switch {
	case err == nil:
		return nil
	case errors.As(err, &fe), errors.As(err, &ie):
		return web.Invalid(err)
	case errors.Is(err, ErrNotFound):
		return web.NotFound(what)
	case errors.Is(err, ErrExists):
		return web.Conflict(what + " with this CVR already exists")
	}
	return web.Unavailable("the app database", err)
}
