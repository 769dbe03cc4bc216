package web

import (
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/pilotpulse/pilotpulse/internal/auth"
)

var pathParam = regexp.MustCompile(`:([A-Za-z_]+)`)

// OpenAPI builds the OpenAPI 3 document of every /api/v1 route from the
// route table itself, so no route can be missing from it.
func (r *Router) OpenAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range r.routes {
		if !strings.HasPrefix(rt.Path, "/api/v1/") {
			continue
		}
		p := pathParam.ReplaceAllString(rt.Path, "{$1}")
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": strings.ToLower(rt.Method) + strings.NewReplacer("/api/v1/", "_", "/", "_", ":", "", "{", "", "}", "", ".", "_", "-", "_").Replace(rt.Path),
			"responses":   responses(rt),
		}
		if rt.Tag != "" {
			op["tags"] = []string{rt.Tag}
		}
		if rt.Public {
			op["security"] = []any{}
			op["x-roles"] = []string{"public"}
		} else {
			roles := make([]string, len(rt.Roles))
			for i, ro := range rt.Roles {
				roles[i] = string(ro)
			}
			op["x-roles"] = roles
			op["description"] = "Roles: " + strings.Join(roles, ", ") + "."
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.Query {
			params = append(params, map[string]any{"name": q, "in": "query", "required": false, "schema": map[string]any{"type": "string"}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Body != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Body))}}}
		}
		if paths[p] == nil {
			paths[p] = map[string]any{}
		}
		paths[p][strings.ToLower(rt.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info":    map[string]any{"title": "Pilotpulse API", "version": "1.0.0", "description": "Every /api/v1 route. Authenticate with a session cookie (unsafe methods need the X-CSRF-Token header) or Authorization: Bearer TOKEN. Every error answers with the Error schema: {\"error\": \"…\", \"fields\": [{\"field\": \"…\", \"error\": \"…\"}]} (fields only where input fields are at fault), in the caller's language (the pp_lang cookie or the signed-in user's choice; Danish by default). 503 and 429 carry Retry-After."},
		"paths":   paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"bearer":  map[string]any{"type": "http", "scheme": "bearer"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie},
			},
			"schemas": map[string]any{"Error": errorSchema},
		},
		"security": []any{map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
	}
}

var errorSchema = map[string]any{
	"type":     "object",
	"required": []string{"error"},
	"properties": map[string]any{
		"error": map[string]any{"type": "string", "description": "what is wrong, in the caller's language"},
		"fields": map[string]any{"type": "array", "description": "the input fields at fault (only when fields are)", "items": map[string]any{
			"type": "object", "required": []string{"field", "error"},
			"properties": map[string]any{
				"field": map[string]any{"type": "string", "description": "the field's name as in the request, e.g. cvr or contacts[0].email"},
				"error": map[string]any{"type": "string", "description": "what is wrong with it, in the caller's language"},
			},
		}},
	},
}

var retryAfterHeader = map[string]any{"Retry-After": map[string]any{"description": "seconds to wait before trying again", "schema": map[string]any{"type": "integer"}}}

func responses(rt Route) map[string]any {
	ok := map[string]any{"description": "OK"}
	if rt.Returns != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(rt.Returns))}}
	}
	errRef := func(d string) map[string]any {
		return map[string]any{"description": d, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	}
	okCode := "200"
	if rt.Method == "POST" && !strings.HasSuffix(rt.Path, "/events") {
		okCode = "201"
	}
	out := map[string]any{okCode: ok}
	if rt.Body != nil || rt.Method != "GET" || len(rt.Query) > 0 {
		out["400"] = errRef("bad input; fields lists the fields at fault")
	}
	if rt.Method == "POST" || rt.Method == "PUT" || rt.Method == "DELETE" {
		out["409"] = errRef("clashes with what is stored")
		out["413"] = errRef("request body too large")
	}
	if !rt.Public {
		out["401"] = errRef("no or bad credentials")
		out["403"] = errRef("not allowed for this role")
	}
	if strings.Contains(rt.Path, ":") {
		out["404"] = errRef("not found")
	}
	if rt.Method == "POST" && strings.HasSuffix(rt.Path, "/events") {
		tooMany := errRef("too many requests; see Retry-After")
		tooMany["headers"] = retryAfterHeader
		out["429"] = tooMany
	}
	out["500"] = errRef("a fault of ours (logged with the request id)")
	unavailable := errRef("a store is unavailable; see Retry-After")
	unavailable["headers"] = retryAfterHeader
	out["503"] = unavailable
	return out
}

var timeType = reflect.TypeOf(time.Time{})

func schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	if t == reflect.TypeOf(auth.Role("")) {
		return map[string]any{"type": "string", "enum": []string{"admin", "support", "manager", "authority"}}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.Slice, reflect.Array:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Struct:
		props := map[string]any{}
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			s := schemaOf(f.Type)
			if f.Type.Kind() == reflect.Pointer {
				s["nullable"] = true
			}
			props[name] = s
		}
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}
