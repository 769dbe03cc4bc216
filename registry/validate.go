package registry

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Length limits, in characters (runes).
const (
	MaxNameLen   = 200 // company, authority and contact names
	MaxCohortLen = 100
	MaxEmailLen  = 254
	MaxPhoneLen  = 40
)

// FieldError is one invalid field. Field is the JSON name of the field, with
// an index for list elements: "cvr", "p_numbers[1]", "contacts[0].email".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error returns "field: message".
func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors is the list of invalid fields of one record, in field order.
type FieldErrors []FieldError

// Error joins the field errors with "; ".
func (es FieldErrors) Error() string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "; ")
}

func (es *FieldErrors) add(field, format string, args ...any) {
	*es = append(*es, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// result returns nil (an untyped nil error) when es is empty.
func (es FieldErrors) result() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// Normalize trims the text fields, drops all spaces from the CVR and the
// P-numbers ("1234 5678" -> "12345678"), lowercases kind, e-mail and
// language, defaults an empty language to "da", drops empty and duplicate
// P-numbers (keeping the first occurrence) and turns nil lists into empty
// ones so that they encode as [] in JSON.
func (c *Company) Normalize() {
	c.CVR = dropSpaces(c.CVR)
	c.Name = strings.TrimSpace(c.Name)
	c.Kind = strings.ToLower(strings.TrimSpace(c.Kind))
	c.Cohort = strings.TrimSpace(c.Cohort)
	pns := make([]string, 0, len(c.PNumbers))
	for _, p := range c.PNumbers {
		p = dropSpaces(p)
		if p != "" && !slices.Contains(pns, p) {
			pns = append(pns, p)
		}
	}
	c.PNumbers = pns
	if c.Contacts == nil {
		c.Contacts = []Contact{}
	}
	for i := range c.Contacts {
		c.Contacts[i].Normalize()
	}
}

// Normalize trims the fields, lowercases e-mail and language and defaults
// an empty language to "da".
func (ct *Contact) Normalize() {
	ct.Name = strings.TrimSpace(ct.Name)
	ct.Email = strings.ToLower(strings.TrimSpace(ct.Email))
	ct.Phone = strings.TrimSpace(ct.Phone)
	ct.Language = strings.ToLower(strings.TrimSpace(ct.Language))
	if ct.Language == "" {
		ct.Language = LanguageDanish
	}
}

// Normalize trims the text fields, drops all spaces from the CVR and
// lowercases the kind.
func (a *Authority) Normalize() {
	a.CVR = dropSpaces(a.CVR)
	a.Name = strings.TrimSpace(a.Name)
	a.Kind = strings.ToLower(strings.TrimSpace(a.Kind))
}

// Validate returns nil or FieldErrors naming each invalid field. It does not
// normalize: call Normalize first.
func (c Company) Validate() error {
	var es FieldErrors
	checkCVRField(&es, c.CVR)
	checkText(&es, "name", c.Name, MaxNameLen, true)
	checkKind(&es, c.Kind, CompanyKinds)
	checkText(&es, "cohort", c.Cohort, MaxCohortLen, false)
	for i, p := range c.PNumbers {
		if err := CheckPNumber(p); err != nil {
			es.add(fmt.Sprintf("p_numbers[%d]", i), "%s", err)
		}
	}
	for i, ct := range c.Contacts {
		prefix := fmt.Sprintf("contacts[%d].", i)
		checkText(&es, prefix+"name", ct.Name, MaxNameLen, true)
		checkEmail(&es, prefix+"email", ct.Email)
		if ct.Email != "" {
			for j := range i {
				if c.Contacts[j].Email == ct.Email {
					es.add(prefix+"email", "same e-mail address as contacts[%d]", j)
					break
				}
			}
		}
		checkPhone(&es, prefix+"phone", ct.Phone)
		if !slices.Contains(Languages, ct.Language) {
			es.add(prefix+"language", "must be one of %s", strings.Join(Languages, ", "))
		}
	}
	return es.result()
}

// Validate returns nil or FieldErrors naming each invalid field. It does not
// normalize: call Normalize first.
func (a Authority) Validate() error {
	var es FieldErrors
	checkCVRField(&es, a.CVR)
	checkText(&es, "name", a.Name, MaxNameLen, true)
	checkKind(&es, a.Kind, AuthorityKinds)
	if a.WeeklyTarget != nil && *a.WeeklyTarget < 0 {
		es.add("weekly_target", "must not be negative")
	}
	return es.result()
}

func checkCVRField(es *FieldErrors, cvr string) {
	if cvr == "" {
		es.add("cvr", "is required")
	} else if err := CheckCVR(cvr); err != nil {
		es.add("cvr", "%s", err)
	}
}

func checkKind(es *FieldErrors, kind string, kinds []string) {
	if kind == "" {
		es.add("kind", "is required")
	} else if !slices.Contains(kinds, kind) {
		es.add("kind", "must be one of %s", strings.Join(kinds, ", "))
	}
}

// checkText checks a free-text field: required if asked, valid UTF-8, no
// control characters, at most max characters.
func checkText(es *FieldErrors, field, s string, max int, required bool) {
	switch {
	case s == "":
		if required {
			es.add(field, "is required")
		}
	case !utf8.ValidString(s):
		es.add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(s) > max:
		es.add(field, "must be at most %d characters", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		es.add(field, "must not contain control characters")
	}
}

func checkEmail(es *FieldErrors, field, email string) {
	if email == "" {
		es.add(field, "is required")
		return
	}
	if len(email) > MaxEmailLen {
		es.add(field, "must be at most %d characters", MaxEmailLen)
		return
	}
	if !validEmail(email) {
		es.add(field, "must be a valid e-mail address, e.g. name@example.dk")
	}
}

// validEmail accepts a bare address (no display name, no angle brackets)
// that net/mail parses back to itself and whose domain has a dot.
func validEmail(email string) bool {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Name != "" || addr.Address != email {
		return false
	}
	at := strings.LastIndexByte(email, '@')
	domain := email[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func checkPhone(es *FieldErrors, field, phone string) {
	if phone == "" {
		return
	}
	if len(phone) > MaxPhoneLen {
		es.add(field, "must be at most %d characters", MaxPhoneLen)
		return
	}
	digits := 0
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-':
		default:
			es.add(field, "may contain only digits, spaces, + and -")
			return
		}
	}
	if digits == 0 {
		es.add(field, "must contain digits")
	}
}

// dropSpaces removes every white-space character, including no-break
// spaces pasted from spreadsheets.
func dropSpaces(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
