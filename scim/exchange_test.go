package scim

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeaderKeysCanonical(t *testing.T) {
	t.Parallel()
	for _, k := range []string{headerRequestID, headerContentType, headerETag, headerLocation} {
		if got := textproto.CanonicalMIMEHeaderKey(k); got != k {
			t.Errorf("header key %q is not canonical: %q", k, got)
		}
	}
}

func TestSetHeader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int // values set
	}{
		{"within the exchange's room", 3},
		{"beyond it", 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			x := &exchange{ResponseWriter: rec}
			want := http.Header{}
			for i := range tc.n {
				k := textproto.CanonicalMIMEHeaderKey("x-test-" + string(rune('a'+i)))
				setHeader(x, k, k+"-value")
				want.Set(k, k+"-value")
			}
			// Adding to a value set copies it: the other values stay.
			x.Header().Add("X-Test-A", "more")
			want.Add("X-Test-A", "more")
			if diff := cmp.Diff(want, rec.Header()); diff != "" {
				t.Errorf("headers (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRequestCtx(t *testing.T) {
	t.Parallel()
	type key struct{}
	parent := context.WithValue(t.Context(), key{}, "parent value")
	ctx, cancel := context.WithCancel(&requestCtx{Context: parent, id: "req-1"})
	defer cancel()
	if got := RequestID(ctx); got != "req-1" {
		t.Errorf("RequestID = %q, want req-1", got)
	}
	if got := ctx.Value(key{}); got != "parent value" {
		t.Errorf("parent's value = %v", got)
	}
	if got := RequestID(t.Context()); got != "" {
		t.Errorf("RequestID outside a request = %q", got)
	}
}
