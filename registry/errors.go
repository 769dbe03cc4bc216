package registry

import (
	"bytes"
	"encoding/json"
	"errors"

	"github.com/gofiber/fiber/v2"

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

// decodeJSON reads a JSON object strictly: unknown fields and trailing data
// are errors naming what is wrong.
func decodeJSON(c *fiber.Ctx, v any) error {
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return web.BadRequest("%s: want a %s", te.Field, te.Type)
		}
		return web.BadRequest("body: %s", err.Error())
	}
	if dec.More() {
		return web.BadRequest("body: one JSON object expected")
	}
	return nil
}
