package identity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/scimkit/scimkit/store/memstore"
)

func TestErrorMatching(t *testing.T) {
	t.Parallel()
	cause := io.ErrUnexpectedEOF
	err := fmt.Errorf("wrapped: %w", &Error{Kind: KindConflict, Field: "emails", Detail: msgEmailTaken, Err: cause})
	tests := []struct {
		name   string
		target error
		want   bool
	}{
		{"same kind", &Error{Kind: KindConflict}, true},
		{"other kind", &Error{Kind: KindInvalid}, false},
		{"target with detail is not a kind match", &Error{Kind: KindConflict, Detail: "x"}, false},
		{"cause", cause, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := errors.Is(err, tc.target); got != tc.want {
				t.Errorf("errors.Is = %v, want %v", got, tc.want)
			}
		})
	}
	if got, want := err.Error(), "wrapped: identity: emails: Email has already been taken"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if KindOf(err) != KindConflict || KindOf(cause) != 0 || KindOf(nil) != 0 {
		t.Error("KindOf")
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := map[Kind]string{KindInvalid: "invalid", KindConflict: "conflict", KindNotFound: "not found",
		KindVersionMismatch: "version mismatch", KindRefused: "refused", KindUnauthorized: "unauthorized", 0: "kind(0)", 99: "kind(99)"}
	for k, w := range want {
		if k.String() != w {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), w)
		}
	}
	if got := (Created | Hidden).String(); got != "created|hidden" {
		t.Errorf("Change.String() = %q", got)
	}
	if got := Change(0).String(); got != "none" {
		t.Errorf("Change(0).String() = %q", got)
	}
}

func TestEventSinkFuncAndReservedNames(t *testing.T) {
	t.Parallel()
	var got []EventType
	sink := EventSinkFunc(func(_ context.Context, e Event) { got = append(got, e.Type) })
	p, err := New(memstore.New(), WithEventSink(sink), WithReservedUsernames("Jdoe"), WithProfile(GitLabProfile()))
	if err != nil {
		t.Fatal(err)
	}
	if !p.Profile().IDIsExternUID {
		t.Error("Profile() does not return the profile in force")
	}
	g, _, err := p.CreateGroup(t.Context(), GroupSpec{Path: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.Provision(t.Context(), g.ID, userDoc("ext-1", "jdoe", "jdoe@acme.test"))
	if err != nil {
		t.Fatal(err)
	}
	if res.User.Username != "jdoe1" {
		t.Errorf("username = %q, want the reserved name skipped", res.User.Username)
	}
	if d := diff([]EventType{EventGroupCreated, EventProvisioned}, got); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}
