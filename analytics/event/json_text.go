package event

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonTextError finds text in a JSON event that encoding/json would not
// read as sent: bytes that are not UTF-8, or an escaped half of a surrogate
// pair (a lone \ud800). encoding/json turns either into U+FFFD, so two
// different event_ids could become one. It names the top-level field that
// holds it ("event" for a field name, or when raw is not an object); nil
// when there is none, or when raw is so broken that encoding/json reports
// it anyway.
func jsonTextError(raw []byte) *FieldError {
	if utf8.Valid(raw) && !bytes.Contains(raw, []byte(`\ud`)) && !bytes.Contains(raw, []byte(`\uD`)) {
		return nil
	}
	b := string(raw)
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		if _, bad := scanJSONValue(b, i); bad {
			return fieldErr("event", "event.not_utf8")
		}
		return nil
	}
	for i = skipSpace(b, i+1); i < len(b) && b[i] != '}'; {
		key, next, ok := jsonStringAt(b, i)
		if !ok {
			return nil
		}
		if !jsonTextOK(key) {
			return fieldErr("event", "event.key_not_utf8")
		}
		if i = skipSpace(b, next); i >= len(b) || b[i] != ':' {
			return nil
		}
		end, bad := scanJSONValue(b, skipSpace(b, i+1))
		if bad {
			return fieldErr(jsonFieldName(key), "event.not_utf8")
		}
		if end < 0 {
			return nil
		}
		if i = skipSpace(b, end); i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		} else {
			return nil
		}
	}
	return nil
}

// jsonFieldName is the event field a (valid) raw key names, as encoding/json
// matches it (case-insensitively), or the key itself.
func jsonFieldName(raw string) string {
	var key string
	if err := json.Unmarshal([]byte(`"`+raw+`"`), &key); err != nil {
		key = raw
	}
	for _, f := range fastFieldNames {
		if strings.EqualFold(key, f) {
			return f
		}
	}
	return clip(key)
}

// jsonStringAt reads the JSON string at b[i]: its raw contents (escapes
// kept) and the index after its closing quote.
func jsonStringAt(b string, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return b[i+1 : j], j + 1, true
		}
	}
	return "", 0, false
}

// scanJSONValue skips the JSON value at b[i], reporting whether any string
// in it (keys included) is not text as sent. end is the index after the
// value, -1 when b ends first.
func scanJSONValue(b string, i int) (end int, bad bool) {
	depth := 0
	for i < len(b) {
		switch b[i] {
		case '"':
			s, next, ok := jsonStringAt(b, i)
			if !ok {
				return -1, bad
			}
			bad = bad || !jsonTextOK(s)
			if i = next; depth == 0 {
				return i, bad
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i, bad
			}
			if depth--; depth == 0 {
				return i + 1, bad
			}
		case ',':
			if depth == 0 {
				return i, bad
			}
		}
		i++
	}
	return -1, bad
}

// jsonTextOK reports whether the raw contents of a JSON string decode to
// exactly what was sent: valid UTF-8, and every \u escape of a surrogate
// one half of a pair.
func jsonTextOK(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := strings.IndexByte(s, '\\'); i >= 0 && i+1 < len(s); {
		next := i + 2
		if s[i+1] == 'u' {
			r, ok := hex4(s, i+2)
			switch {
			case ok && r >= 0xD800 && r < 0xDC00:
				low, lok := rune(0), false
				if i+7 < len(s) && s[i+6] == '\\' && s[i+7] == 'u' {
					low, lok = hex4(s, i+8)
				}
				if !lok || low < 0xDC00 || low > 0xDFFF {
					return false
				}
				next = i + 12
			case ok && r >= 0xDC00 && r <= 0xDFFF:
				return false
			default:
				next = i + 6
			}
		}
		if next >= len(s) {
			return true
		}
		j := strings.IndexByte(s[next:], '\\')
		if j < 0 {
			return true
		}
		i = next + j
	}
	return true
}

// hex4 reads the four hex digits of a \u escape at s[i:].
func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	v, err := strconv.ParseUint(s[i:i+4], 16, 32)
	return rune(v), err == nil
}
