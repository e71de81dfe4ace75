package gitlab

import (
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzParams feeds client bytes through every reader of request
// parameters: none may panic, and errors are the documented types.
func FuzzParams(f *testing.F) {
	f.Fuzz(func(t *testing.T, query string, body []byte) {
		p, err := ParseParams(query, body)
		if err != nil {
			var be *BodyError
			if !errors.As(err, &be) {
				t.Fatalf("ParseParams error %T, want *BodyError", err)
			}
			return
		}
		p.AddRoute("group", "g")
		if d := p.Dump(); !utf8.ValidString(d) {
			t.Fatalf("Dump is not valid UTF-8: %q", d)
		}
		if _, err := p.Create(); err != nil {
			var me *MissingParamsError
			if !errors.As(err, &me) {
				t.Fatalf("Create error %T, want *MissingParamsError", err)
			}
		}
		u, err := p.Patch()
		if err != nil {
			var pe *PatchError
			if !errors.As(err, &pe) {
				t.Fatalf("Patch error %T, want *PatchError", err)
			}
			return
		}
		_ = u.Action(true)
		_ = u.Action(false)
	})
}
