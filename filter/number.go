package filter

import (
	"math"
	"strconv"
)

// The functions below read the text of a JSON number (a json.Number) without
// allocating. strconv allocates the error it returns, and a resource may hold
// any number, so Filter.Match checks the text itself before strconv sees it:
// that keeps a miss free of allocations (see
// TestMatchMissOnOddNumbersDoesNotAllocate).

// numberFloat converts the JSON number s to float64. It reports false when s
// is not a JSON number (RFC 8259 §6) or is beyond float64's range.
func numberFloat(s string) (float64, bool) {
	lead, ok := numberMagnitude(s)
	if !ok || lead > 308 {
		return 0, false // 10^309 and more overflow float64
	}
	if lead < 308 {
		f, err := strconv.ParseFloat(s, 64) // cannot fail: valid and below 10^308
		return f, err == nil
	}
	// Between 10^308 and 10^309, only strconv knows where float64 ends; the
	// error it may allocate is for numbers no identity provider sends.
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil && !math.IsInf(f, 0)
}

// numberMagnitude checks that s is a JSON number and returns the decimal
// exponent of its first significant digit (2 for 123, -2 for 0.0123),
// saturated far beyond float64's range. Zero has magnitude 0.
func numberMagnitude(s string) (int, bool) {
	const limit = 1 << 20 // well beyond float64's exponents, far from overflowing int
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	intDigits := s[start:i]
	if len(intDigits) == 0 || (len(intDigits) > 1 && intDigits[0] == '0') {
		return 0, false
	}
	lead, zero := len(intDigits)-1, intDigits[0] == '0'
	if i < len(s) && s[i] == '.' {
		i++
		fracStart := i
		for i < len(s) && isDigit(s[i]) {
			if zero && s[i] != '0' {
				lead, zero = -(i - fracStart + 1), false
			}
			i++
		}
		if i == fracStart {
			return 0, false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		neg := false
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			neg = s[i] == '-'
			i++
		}
		expStart, exp := i, 0
		for i < len(s) && isDigit(s[i]) {
			if exp < limit {
				exp = exp*10 + int(s[i]-'0')
			}
			i++
		}
		if i == expStart {
			return 0, false
		}
		if neg {
			exp = -exp
		}
		lead += exp
	}
	if i != len(s) {
		return 0, false
	}
	if zero {
		return 0, true
	}
	return lead, true
}

// numberInt converts the JSON number s to int64 when it is written as an
// integer (no fraction, no exponent) within int64's range.
func numberInt(s string) (int64, bool) {
	neg := len(s) > 0 && s[0] == '-'
	digits := s
	if neg {
		digits = s[1:]
	}
	if len(digits) == 0 || len(digits) > 19 {
		return 0, false
	}
	var u uint64
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) {
			return 0, false
		}
		u = u*10 + uint64(digits[i]-'0') // 19 digits fit in uint64
	}
	switch {
	case neg && u <= 1<<63:
		return -int64(u-1) - 1, true
	case !neg && u < 1<<63:
		return int64(u), true
	}
	return 0, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }
