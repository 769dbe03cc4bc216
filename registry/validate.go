package registry

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pilotpulse/pilotpulse/internal/problem"
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
type FieldError = problem.FieldError

// FieldErrors is the list of invalid fields of one record, in field order.
type FieldErrors = problem.Fields

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
			es.AddErr(fmt.Sprintf("p_numbers[%d]", i), err)
		}
	}
	for i, ct := range c.Contacts {
		prefix := fmt.Sprintf("contacts[%d].", i)
		checkText(&es, prefix+"name", ct.Name, MaxNameLen, true)
		checkEmail(&es, prefix+"email", ct.Email)
		if ct.Email != "" {
			for j := range i {
				if c.Contacts[j].Email == ct.Email {
					es.Add(prefix+"email", "registry.same_email", j+1)
					break
				}
			}
		}
		checkPhone(&es, prefix+"phone", ct.Phone)
		if !slices.Contains(Languages, ct.Language) {
			es.Add(prefix+"language", "field.must_be_one_of", strings.Join(Languages, ", "))
		}
	}
	return es.Err()
}

// Validate returns nil or FieldErrors naming each invalid field. It does not
// normalize: call Normalize first.
func (a Authority) Validate() error {
	var es FieldErrors
	checkCVRField(&es, a.CVR)
	checkText(&es, "name", a.Name, MaxNameLen, true)
	checkKind(&es, a.Kind, AuthorityKinds)
	if a.WeeklyTarget != nil && *a.WeeklyTarget < 0 {
		es.Add("weekly_target", "field.not_negative")
	}
	return es.Err()
}

func checkCVRField(es *FieldErrors, cvr string) {
	if cvr == "" {
		es.Add("cvr", "field.required")
	} else if err := CheckCVR(cvr); err != nil {
		es.AddErr("cvr", err)
	}
}

func checkKind(es *FieldErrors, kind string, kinds []string) {
	if kind == "" {
		es.Add("kind", "field.required")
	} else if !slices.Contains(kinds, kind) {
		es.Add("kind", "field.must_be_one_of", strings.Join(kinds, ", "))
	}
}

// checkText checks a free-text field: required if asked, valid UTF-8, no
// control characters, at most max characters.
func checkText(es *FieldErrors, field, s string, max int, required bool) {
	switch {
	case s == "":
		if required {
			es.Add(field, "field.required")
		}
	case !utf8.ValidString(s):
		es.Add(field, "field.not_utf8")
	case utf8.RuneCountInString(s) > max:
		es.Add(field, "field.too_long", max)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		es.Add(field, "field.control_chars")
	}
}

func checkEmail(es *FieldErrors, field, email string) {
	if email == "" {
		es.Add(field, "field.required")
		return
	}
	if len(email) > MaxEmailLen {
		es.Add(field, "field.too_long", MaxEmailLen)
		return
	}
	if !validEmail(email) {
		es.Add(field, "registry.bad_email")
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
		es.Add(field, "field.too_long", MaxPhoneLen)
		return
	}
	digits := 0
	for _, r := range phone {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '+' || r == '-':
		default:
			es.Add(field, "registry.phone_chars")
			return
		}
	}
	if digits == 0 {
		es.Add(field, "registry.phone_digits")
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
