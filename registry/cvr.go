package registry

import (
	"fmt"

	"github.com/pilotpulse/pilotpulse/internal/problem"
)

var (
	errCVRLength  = problem.Reason("registry.cvr_length")
	errCVRDigits  = problem.Reason("registry.digits_only")
	errCVRModulus = problem.Reason("registry.cvr_modulus")
	errPLength    = problem.Reason("registry.pnumber_length")
	errPDigits    = problem.Reason("registry.digits_only")
)

// cvrWeights are the modulus-11 weights of the eight CVR digits.
var cvrWeights = [8]int{2, 7, 6, 5, 4, 3, 2, 1}

// CheckCVR returns nil if s is a valid CVR number: exactly 8 ASCII digits
// whose weighted sum (weights 2,7,6,5,4,3,2,1) is divisible by 11.
// Otherwise the error says what is wrong: "must contain only digits",
// "must be 8 digits" or "fails the modulus-11 check". CheckCVR does not
// trim or drop spaces; Normalize does that.
func CheckCVR(s string) error {
	if !allDigits(s) {
		return errCVRDigits
	}
	if len(s) != len(cvrWeights) {
		return errCVRLength
	}
	sum := 0
	for i, w := range cvrWeights {
		sum += int(s[i]-'0') * w
	}
	if sum%11 != 0 {
		return errCVRModulus
	}
	return nil
}

// CheckPNumber returns nil if s is a P-number: exactly 10 ASCII digits.
// P-numbers have no public check digit, so only the form is checked.
func CheckPNumber(s string) error {
	if !allDigits(s) {
		return errPDigits
	}
	if len(s) != 10 {
		return errPLength
	}
	return nil
}

// allDigits reports whether every byte of s is an ASCII digit. It is true
// for the empty string; the length checks catch that.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// CompleteCVR appends the modulus-11 check digit to a 7-digit stem; ok is
// false when the stem is not 7 digits or no digit makes the number valid
// (one stem in eleven). For generated data and tests.
func CompleteCVR(stem string) (cvr string, ok bool) {
	if len(stem) != 7 || !allDigits(stem) {
		return "", false
	}
	sum := 0
	for i := range 7 {
		sum += int(stem[i]-'0') * cvrWeights[i]
	}
	d := (11 - sum%11) % 11 // the last weight is 1
	if d == 10 {
		return "", false
	}
	return stem + string(rune('0'+d)), true
}

// NextCVR returns the first valid CVR whose 7-digit stem is stem or after
// it (wrapping past 9999999).
func NextCVR(stem int) string {
	for p := stem; ; p++ {
		if c, ok := CompleteCVR(fmt.Sprintf("%07d", p%10_000_000)); ok {
			return c
		}
	}
}
