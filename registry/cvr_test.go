package registry

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

// refCVRValid is an independent reading of the modulus-11 rule: it walks the
// number from the right, where the weights are 1,2,3,4,5,6,7,2.
func refCVRValid(s string) bool {
	if len(s) != 8 {
		return false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strings.ContainsAny(s, "+-") {
		return false
	}
	fromRight := []int{1, 2, 3, 4, 5, 6, 7, 2}
	sum := 0
	for _, w := range fromRight {
		sum += (n % 10) * w
		n /= 10
	}
	return sum%11 == 0
}

// makeCVR completes a 7-digit prefix with the check digit, or returns "" if
// no digit completes it.
func makeCVR(prefix int) string {
	s := strconv.Itoa(prefix)
	sum := 0
	for i, w := range []int{2, 7, 6, 5, 4, 3, 2} {
		sum += int(s[i]-'0') * w
	}
	d := (11 - sum%11) % 11
	if d == 10 {
		return ""
	}
	return s + strconv.Itoa(d)
}

func TestRefCVRKnownValues(t *testing.T) {
	// 10103940: 1*2+0*7+1*6+0*5+3*4+9*3+4*2+0*1 = 55 = 5*11.
	if !refCVRValid("10103940") {
		t.Fatal("reference rule rejects 10103940")
	}
	// 12345674: 2+14+18+20+20+18+14+4 = 110 = 10*11.
	if !refCVRValid("12345674") || refCVRValid("12345678") {
		t.Fatal("reference rule is wrong on 12345674/12345678")
	}
}

func TestCheckCVR(t *testing.T) {
	var generated []string
	for _, p := range []int{1000000, 1234567, 2961681, 5555555, 9999999, 3071225} {
		if s := makeCVR(p); s != "" {
			generated = append(generated, s)
		}
	}
	if len(generated) < 4 {
		t.Fatalf("too few generated examples: %v", generated)
	}

	tests := []struct {
		name string
		in   string
		want string // "" for valid
	}{
		{"known valid", "10103940", ""},
		{"valid 12345674", "12345674", ""},
		{"testdata company", "16480894", ""},
		{"bad checksum", "10103941", "fails the modulus-11 check"},
		{"bad checksum 2", "12345678", "fails the modulus-11 check"},
		{"7 digits", "1010394", "must be 8 digits"},
		{"9 digits", "101039400", "must be 8 digits"},
		{"empty", "", "must be 8 digits"},
		{"letters", "1010394a", "must contain only digits"},
		{"all letters", "abcdefgh", "must contain only digits"},
		{"inner space", "1010 3940", "must contain only digits"},
		{"leading space", " 10103940", "must contain only digits"},
		{"sign", "+1010394", "must contain only digits"},
		{"non-ASCII digits", "١٠١٠٣٩٤٠", "must contain only digits"},
	}
	for _, g := range generated {
		tests = append(tests, struct{ name, in, want string }{"generated " + g, g, ""})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCVR(tt.in)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tt.want {
				t.Fatalf("CheckCVR(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if tt.want == "" && !refCVRValid(tt.in) {
				t.Fatalf("%q is in the valid table but the reference rule rejects it", tt.in)
			}
			if tt.want == "fails the modulus-11 check" && refCVRValid(tt.in) {
				t.Fatalf("%q is in the bad-checksum table but the reference rule accepts it", tt.in)
			}
		})
	}
}

// TestCheckCVRAgreesWithReference compares the two readings of the rule on
// a stride through every 8-digit number.
func TestCheckCVRAgreesWithReference(t *testing.T) {
	valid := 0
	for n := 10000000; n <= 99999999; n += 997 {
		s := strconv.Itoa(n)
		got := CheckCVR(s) == nil
		if got != refCVRValid(s) {
			t.Fatalf("CheckCVR(%s) valid=%v, reference says %v", s, got, !got)
		}
		if got {
			valid++
		}
	}
	if valid == 0 {
		t.Fatal("no valid numbers found")
	}
}

func TestCheckPNumber(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"1001234567", ""},
		{"0000000000", ""},
		{"100123456", "must be 10 digits"},
		{"10012345678", "must be 10 digits"},
		{"", "must be 10 digits"},
		{"10012345a7", "must contain only digits"},
		{"1001 23456", "must contain only digits"},
	}
	for _, tt := range tests {
		err := CheckPNumber(tt.in)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("CheckPNumber(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func validCompany() Company {
	return Company{
		CVR:      "16480894",
		Name:     "Nordisk Emballage A/S",
		Kind:     "company",
		Cohort:   "pilot-2012",
		PNumbers: []string{"1001234567"},
		Contacts: []Contact{{Name: "Mette Jensen", Email: "mette@example.dk", Phone: "+45 12 34 56 78", Language: "da"}},
	}
}

func fieldsOf(t *testing.T, err error) map[string]string {
	t.Helper()
	if err == nil {
		return nil
	}
	var fes FieldErrors
	if !errors.As(err, &fes) {
		t.Fatalf("error %T is not FieldErrors: %v", err, err)
	}
	m := map[string]string{}
	for _, fe := range fes {
		m[fe.Field] = fe.Message.String()
	}
	return m
}

func TestCompanyValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(c *Company)
		fields []string // fields expected to be named; nil: valid
	}{
		{"valid", func(c *Company) {}, nil},
		{"no contacts, no p-numbers", func(c *Company) { c.Contacts, c.PNumbers, c.Cohort = nil, nil, "" }, nil},
		{"every kind", func(c *Company) { c.Kind = "state_institution" }, nil},
		{"empty cvr", func(c *Company) { c.CVR = "" }, []string{"cvr"}},
		{"bad cvr", func(c *Company) { c.CVR = "16480895" }, []string{"cvr"}},
		{"no name", func(c *Company) { c.Name = "" }, []string{"name"}},
		{"long name", func(c *Company) { c.Name = strings.Repeat("æ", 201) }, []string{"name"}},
		{"name of 200 runes", func(c *Company) { c.Name = strings.Repeat("æ", 200) }, nil},
		{"control char", func(c *Company) { c.Name = "A\x00B" }, []string{"name"}},
		{"bad kind", func(c *Company) { c.Kind = "authority" }, []string{"kind"}},
		{"no kind", func(c *Company) { c.Kind = "" }, []string{"kind"}},
		{"long cohort", func(c *Company) { c.Cohort = strings.Repeat("x", 101) }, []string{"cohort"}},
		{"bad p-number", func(c *Company) { c.PNumbers = []string{"1001234567", "12"} }, []string{"p_numbers[1]"}},
		{"no contact name", func(c *Company) { c.Contacts[0].Name = "" }, []string{"contacts[0].name"}},
		{"no email", func(c *Company) { c.Contacts[0].Email = "" }, []string{"contacts[0].email"}},
		{"bad email", func(c *Company) { c.Contacts[0].Email = "mette.example.dk" }, []string{"contacts[0].email"}},
		{"display name email", func(c *Company) { c.Contacts[0].Email = "Mette <mette@example.dk>" }, []string{"contacts[0].email"}},
		{"email without dot", func(c *Company) { c.Contacts[0].Email = "mette@localhost" }, []string{"contacts[0].email"}},
		{"long email", func(c *Company) { c.Contacts[0].Email = strings.Repeat("a", 250) + "@x.dk" }, []string{"contacts[0].email"}},
		{"bad phone", func(c *Company) { c.Contacts[0].Phone = "call me" }, []string{"contacts[0].phone"}},
		{"long phone", func(c *Company) { c.Contacts[0].Phone = strings.Repeat("1", 41) }, []string{"contacts[0].phone"}},
		{"phone without digits", func(c *Company) { c.Contacts[0].Phone = "+-" }, []string{"contacts[0].phone"}},
		{"bad language", func(c *Company) { c.Contacts[0].Language = "de" }, []string{"contacts[0].language"}},
		{"second contact duplicate email", func(c *Company) {
			c.Contacts = append(c.Contacts, Contact{Name: "B", Email: "mette@example.dk", Language: "en"})
		}, []string{"contacts[1].email"}},
		{"several", func(c *Company) {
			c.CVR, c.Kind = "1234567", "x"
			c.Contacts = append(c.Contacts, Contact{Name: "", Email: "b@example.dk", Language: "en"})
		}, []string{"cvr", "kind", "contacts[1].name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validCompany()
			tt.modify(&c)
			err := c.Validate()
			got := fieldsOf(t, err)
			if len(got) != len(tt.fields) {
				t.Fatalf("Validate() = %v, want errors on %v", err, tt.fields)
			}
			for _, f := range tt.fields {
				if _, ok := got[f]; !ok {
					t.Fatalf("Validate() = %v, want an error on %s", err, f)
				}
				if !strings.Contains(err.Error(), f+": ") {
					t.Fatalf("Error() = %q does not name %s", err.Error(), f)
				}
			}
		})
	}
}

func TestValidateNilIsUntyped(t *testing.T) {
	c := validCompany()
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate() = %#v, want untyped nil", err)
	}
	a := Authority{CVR: "48646352", Name: "Styrelsen", Kind: "state"}
	if err := a.Validate(); err != nil {
		t.Fatalf("Validate() = %#v, want untyped nil", err)
	}
}

func TestAuthorityValidate(t *testing.T) {
	neg, zero := int64(-1), int64(0)
	tests := []struct {
		name   string
		a      Authority
		fields []string
	}{
		{"valid, no target", Authority{CVR: "48646352", Name: "Styrelsen", Kind: "state"}, nil},
		{"valid, zero target", Authority{CVR: "48646352", Name: "Styrelsen", Kind: "region", WeeklyTarget: &zero}, nil},
		{"negative target", Authority{CVR: "48646352", Name: "Styrelsen", Kind: "state", WeeklyTarget: &neg}, []string{"weekly_target"}},
		{"company kind", Authority{CVR: "48646352", Name: "Styrelsen", Kind: "state_institution"}, []string{"kind"}},
		{"everything", Authority{CVR: "4864635a"}, []string{"cvr", "name", "kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.a.Validate()
			got := fieldsOf(t, err)
			if len(got) != len(tt.fields) {
				t.Fatalf("Validate() = %v, want errors on %v", err, tt.fields)
			}
			for _, f := range tt.fields {
				if _, ok := got[f]; !ok {
					t.Fatalf("Validate() = %v, want an error on %s", err, f)
				}
			}
		})
	}
}

func TestFieldErrorsFormat(t *testing.T) {
	err := FieldErrors{{Field: "cvr", Message: problem.Msg("registry.cvr_length")}, {Field: "contacts[0].email", Message: problem.Msg("field.required")}}
	want := "cvr: must be 8 digits; contacts[0].email: is required"
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestNormalize(t *testing.T) {
	c := Company{
		CVR:      " 1648 0894 ",
		Name:     "  Nordisk Emballage A/S ",
		Kind:     " Company ",
		Cohort:   " pilot-2012 ",
		PNumbers: []string{" 1001234567", "1001 234568", "1001234567", ""},
		Contacts: []Contact{{Name: " Mette ", Email: " Mette@Example.DK ", Phone: " 12 ", Language: ""}, {Name: "P", Email: "p@x.dk", Language: " EN "}},
	}
	c.Normalize()
	if c.CVR != "16480894" || c.Name != "Nordisk Emballage A/S" || c.Kind != "company" || c.Cohort != "pilot-2012" {
		t.Fatalf("company fields not normalized: %+v", c)
	}
	if strings.Join(c.PNumbers, ",") != "1001234567,1001234568" {
		t.Fatalf("p-numbers = %v", c.PNumbers)
	}
	want := Contact{Name: "Mette", Email: "mette@example.dk", Phone: "12", Language: "da"}
	if c.Contacts[0] != want || c.Contacts[1].Language != "en" {
		t.Fatalf("contacts = %+v", c.Contacts)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("normalized company does not validate: %v", err)
	}

	var empty Company
	empty.Normalize()
	if empty.PNumbers == nil || empty.Contacts == nil {
		t.Fatal("Normalize must turn nil lists into empty ones")
	}

	a := Authority{CVR: "4864 6352", Name: " Styrelsen ", Kind: "STATE"}
	a.Normalize()
	if a.CVR != "48646352" || a.Name != "Styrelsen" || a.Kind != "state" {
		t.Fatalf("authority not normalized: %+v", a)
	}
}

func TestCompleteAndNextCVR(t *testing.T) {
	valid := 0
	for stem := 1000000; stem < 1000110; stem++ {
		s := strconv.Itoa(stem)
		c, ok := CompleteCVR(s)
		if ok {
			valid++
			if !refCVRValid(c) || c[:7] != s {
				t.Fatalf("CompleteCVR(%s) = %s, not a valid CVR with that stem", s, c)
			}
		}
		n := NextCVR(stem)
		if !refCVRValid(n) || n[:7] < s {
			t.Fatalf("NextCVR(%d) = %s", stem, n)
		}
	}
	if valid < 90 || valid > 110 {
		t.Fatalf("%d of 110 stems completed; about 10 in 11 should", valid)
	}
	if _, ok := CompleteCVR("123456"); ok {
		t.Fatal("a 6-digit stem completed")
	}
	if _, ok := CompleteCVR("12345a7"); ok {
		t.Fatal("a stem with a letter completed")
	}
}
