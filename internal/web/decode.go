package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/pilotpulse/pilotpulse/internal/problem"
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
			return problem.Fields{{Field: te.Field, Message: problem.Msg("error.json_type", problem.Msg(jsonKind(te.Type)))}}
		case errors.As(err, &pe):
			return BadRequest("error.json_time", clip(pe.Value, 40))
		}
		// encoding/json names an unknown field only in its text.
		if name, ok := strings.CutPrefix(err.Error(), `json: unknown field "`); ok {
			field := strings.TrimSuffix(name, `"`)
			return problem.Fields{{Field: field, Message: problem.Msg("error.json_unknown_field", clip(field, 60))}}
		}
		return BadRequest("error.json_body")
	}
	if dec.More() {
		return BadRequest("error.json_one")
	}
	return nil
}

// jsonKind is the translation key of what a JSON value of Go type t is.
func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "json.type.text"
	case reflect.Bool:
		return "json.type.bool"
	case reflect.Slice, reflect.Array:
		return "json.type.list"
	case reflect.Struct, reflect.Map:
		return "json.type.object"
	}
	return "json.type.number"
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
