package filter

import (
	"math"
	"strconv"
	"testing"
)

// TestNumberAgreesWithStrconv checks that the allocation-free readers of
// JSON numbers give what strconv gives for every JSON number, and refuse
// what is not one.
func TestNumberAgreesWithStrconv(t *testing.T) {
	t.Parallel()
	numbers := []string{
		"0", "-0", "1", "-1", "10", "1000.5", "0.0123", "-0.000e-5", "1e3", "1E+3", "2.5e-3", "0e999999",
		"9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
		"12345678901234567891", "1e307", "9.99e307", "1e308", "1.7976931348623157e308", "1.8e308", "9e308",
		"1e309", "-1e999", "123456789012345678901234567890e300", "1e-400", "0.5e99999999999999999999",
		"0.5e-99999999999999999999",
	}
	for _, s := range numbers {
		wantF, err := strconv.ParseFloat(s, 64)
		wantFOK := err == nil && !math.IsInf(wantF, 0)
		gotF, gotFOK := numberFloat(s)
		if gotFOK != wantFOK || (wantFOK && gotF != wantF) {
			t.Errorf("numberFloat(%q) = %v, %v; want %v, %v", s, gotF, gotFOK, wantF, wantFOK)
		}
		wantI, err := strconv.ParseInt(s, 10, 64)
		gotI, gotIOK := numberInt(s)
		if gotIOK != (err == nil) || gotI != wantI && err == nil {
			t.Errorf("numberInt(%q) = %v, %v; want %v, %v", s, gotI, gotIOK, wantI, err == nil)
		}
	}
	for _, s := range []string{"", "-", "+1", "01", "1.", ".5", "1e", "1e+", "1x", "--1", "1.5.5", "NaN", "Inf", "0x10", " 1", "1_000"} {
		if f, ok := numberFloat(s); ok {
			t.Errorf("numberFloat(%q) = %v, want a refusal", s, f)
		}
	}
	for _, s := range []string{"", "-", "+1", "1.0", "1e3", "1x", "--1", "12345678901234567890"} {
		if i, ok := numberInt(s); ok {
			t.Errorf("numberInt(%q) = %v, want a refusal", s, i)
		}
	}
}
