package event

import (
	"strings"
	"unicode/utf8"
	"unsafe"
)

// parseFast decodes the common shape of an event quickly: one flat JSON
// object whose values are strings without escapes, true, false or null. It
// gives the same result as json.Unmarshal into rawEvent for such input and
// answers false for anything else (escapes, numbers, nested values, keys
// that only match case-insensitively, syntax errors), which then goes
// through encoding/json for its exact semantics and error messages.
// FuzzDecodeNDJSON checks the two agree.
//
// b is the line as text: the fields are substrings of it (no allocation per
// field), and the booleans point to shared values (boolPtr).
func parseFast(b string, r *rawEvent) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return skipSpace(b, i+1) == len(b)
	}
	for {
		key, next, ok := plainString(b, i)
		if !ok {
			return false
		}
		i = skipSpace(b, next)
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		if i >= len(b) {
			return false
		}
		str, boolean := fastFields(r, key)
		if str == nil && boolean == nil && !unknownKeyOK(key) {
			return false
		}
		switch b[i] {
		case '"':
			v, next, ok := plainString(b, i)
			if !ok || boolean != nil {
				return false
			}
			if str != nil {
				*str = v
			}
			i = next
		case 't', 'f':
			val := b[i] == 't'
			lit := "false"
			if val {
				lit = "true"
			}
			if len(b)-i < len(lit) || b[i:i+len(lit)] != lit || str != nil {
				return false
			}
			if boolean != nil {
				*boolean = boolPtr(val)
			}
			i += len(lit)
		case 'n':
			if len(b)-i < 4 || b[i:i+4] != "null" {
				return false
			}
			if boolean != nil {
				*boolean = nil
			}
			i += 4
		default:
			return false
		}
		i = skipSpace(b, i)
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i = skipSpace(b, i+1)
		case '}':
			return skipSpace(b, i+1) == len(b)
		default:
			return false
		}
	}
}

func skipSpace(b string, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string at b[i] that has no escapes and is valid
// UTF-8; it returns its contents and the index after the closing quote.
func plainString(b string, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", 0, false
	}
	ascii := true
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			s := b[i+1 : j]
			if !ascii && !utf8.ValidString(s) {
				return "", 0, false
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return "", 0, false
		case c >= 0x80:
			ascii = false
		}
	}
	return "", 0, false
}

// fastFields returns where a key's value goes: a string or a *bool field
// (both nil for an unknown key).
func fastFields(r *rawEvent, key string) (*string, **bool) {
	switch key {
	case "event_id":
		return &r.EventID, nil
	case "occurred_at":
		return &r.OccurredAt, nil
	case "type":
		return &r.Type, nil
	case "company_cvr":
		return &r.CompanyCVR, nil
	case "authority_cvr":
		return &r.AuthorityCVR, nil
	case "channel":
		return &r.Channel, nil
	case "has_metadata":
		return nil, &r.HasMetadata
	case "has_deep_link":
		return nil, &r.HasDeepLink
	case "by_rule":
		return nil, &r.ByRule
	case "message_ref":
		return &r.MessageRef, nil
	case "user_ref":
		return &r.UserRef, nil
	case "rights_model":
		return &r.RightsModel, nil
	case "reason":
		return &r.Reason, nil
	case "folder":
		return &r.Folder, nil
	case "role":
		return &r.Role, nil
	}
	return nil, nil
}

var fastFieldNames = []string{"event_id", "occurred_at", "type", "company_cvr", "authority_cvr", "channel", "has_metadata",
	"has_deep_link", "by_rule", "message_ref", "user_ref", "rights_model", "reason", "folder", "role"}

// unknownKeyOK reports whether encoding/json would ignore the key too: it
// matches field names case-insensitively (with Unicode folding), so keys
// that are not plain ASCII or fold to a field name are left to it.
func unknownKeyOK(key string) bool {
	for i := 0; i < len(key); i++ {
		if key[i] >= 0x80 {
			return false
		}
	}
	for _, f := range fastFieldNames {
		if strings.EqualFold(key, f) {
			return false
		}
	}
	return true
}

// The booleans the fast path reads point to one of these (read-only, like
// every *bool of an Event: nothing writes through them).
var sharedTrue, sharedFalse = true, false

func boolPtr(v bool) *bool {
	if v {
		return &sharedTrue
	}
	return &sharedFalse
}

// textArena copies lines into blocks of text shared by many events: one
// allocation per block instead of one per line. A block is only appended
// to, so the strings taken from it never change; it lives as long as any
// of them.
type textArena struct {
	block []byte
}

// arenaBlock is the size of a block (a longer line gets a block of its own).
const arenaBlock = 64 << 10

// text returns a copy of b (not empty) as a string.
func (a *textArena) text(b []byte) string {
	if cap(a.block)-len(a.block) < len(b) {
		a.block = make([]byte, 0, max(arenaBlock, len(b)))
	}
	off := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[off], len(b))
}
