package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"
)

// DecodeJSON reads the request body as one JSON object, strictly: unknown
// fields, wrong types and trailing data are 400 errors naming what is wrong.
func DecodeJSON(c *fiber.Ctx, v any) error {
	dec := json.NewDecoder(bytes.NewReader(c.Body()))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var pe *time.ParseError
		switch {
		case errors.As(err, &te):
			return BadRequest("%s: want a %s", te.Field, te.Type)
		case errors.As(err, &pe):
			return BadRequest("a time is not RFC 3339 (e.g. 2026-11-23T09:30:00+01:00): %q", clip(pe.Value, 40))
		}
		return BadRequest("body: %s", clip(err.Error(), 200))
	}
	if dec.More() {
		return BadRequest("body: one JSON object expected")
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
