package registry

import "errors"

var (
	errCVRLength  = errors.New("must be 8 digits")
	errCVRDigits  = errors.New("must contain only digits")
	errCVRModulus = errors.New("fails the modulus-11 check")
	errPLength    = errors.New("must be 10 digits")
	errPDigits    = errors.New("must contain only digits")
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
