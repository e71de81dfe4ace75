package fold

import (
	"strings"
	"testing"
)

// TestString checks that strings strings.EqualFold finds equal fold alike
// and that others mostly do not.
func TestString(t *testing.T) {
	t.Parallel()
	words := []string{"", "a", "A", "k", "K", "\u212a", "s", "S", "\u017f", "σ", "Σ", "ς", "straße", "STRASSE", "Straße",
		"İ", "i", "ı", "I", "bjensen@EXAMPLE.com", "BJENSEN@example.COM", "日本", "\xff", "\xfe", "u1", "U1", "ǅ", "ǆ", "Ǆ"}
	for _, a := range words {
		for _, b := range words {
			if strings.EqualFold(a, b) && String(a) != String(b) {
				t.Errorf("EqualFold(%q, %q) but keys %q and %q differ", a, b, String(a), String(b))
			}
		}
	}
	if String("abc") == String("abd") {
		t.Error("different strings fold alike")
	}
	if s := "bjensen@example.com"; String(s) != s {
		t.Errorf("String(%q) = %q, want the string itself", s, String(s))
	}
}
