package identity

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

func TestCreateGroupStoresOnlyTheDigest(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	g, tok, err := f.p.CreateGroup(t.Context(), GroupSpec{Path: "beta", EnforceSSO: true})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(tok), TokenPrefix) {
		t.Errorf("token %q lacks the prefix", tok)
	}
	if !bytes.Equal(g.TokenDigest, TokenDigest(string(tok))) || bytes.Contains(g.TokenDigest, []byte(tok)) {
		t.Error("stored digest is not the token's SHA-256")
	}
	if g.ID == "" || g.DefaultRole != store.RoleGuest || !g.EnforceSSO || g.Version != 1 {
		t.Errorf("group = %+v", g)
	}
	if d := diff([]EventType{EventGroupCreated}, f.events.take()); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
}

func TestCreateGroupRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		spec GroupSpec
		kind Kind
	}{
		{"path taken, case-insensitively", GroupSpec{Path: "ACME"}, KindConflict},
		{"id taken", GroupSpec{ID: "g", Path: "beta"}, KindConflict},
		{"blank path", GroupSpec{Path: " "}, KindInvalid},
		{"control character in path", GroupSpec{Path: "a\x00"}, KindInvalid},
		{"short host token", GroupSpec{Path: "beta", Token: "short"}, KindInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, RFCProfile())
			_, _, err := f.p.CreateGroup(t.Context(), tc.spec)
			wantErr(t, err, tc.kind, "")
		})
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	_, otherTok, err := f.p.CreateGroup(t.Context(), GroupSpec{ID: "g2", Path: "other"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.p.CreateGroup(t.Context(), GroupSpec{ID: "g3", Path: "hosted", Token: "host-chosen-token-123"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path, token string
		wantGroup         string
	}{
		{"own token", "acme", string(f.token), "g"},
		{"path case-insensitive", "ACME", string(f.token), "g"},
		{"host-chosen token", "hosted", "host-chosen-token-123", "g3"},
		{"another group's token", "acme", string(otherTok), ""},
		{"wrong token", "acme", TokenPrefix + "nope", ""},
		{"empty token", "acme", "", ""},
		{"unknown group", "nope", string(f.token), ""},
		{"oversized path", strings.Repeat("a", 1000), string(f.token), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g, err := f.p.Authenticate(t.Context(), tc.path, tc.token)
			if tc.wantGroup == "" {
				wantErr(t, err, KindUnauthorized, "invalid SCIM token")
				if g != nil {
					t.Error("a group returned with the error")
				}
				return
			}
			if err != nil || g.ID != tc.wantGroup {
				t.Fatalf("Authenticate = %v, %v; want group %s", g, err, tc.wantGroup)
			}
		})
	}
}

func TestRotateTokenReplacesAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	newTok, err := f.p.RotateToken(t.Context(), "g", "")
	if err != nil {
		t.Fatal(err)
	}
	if newTok == f.token {
		t.Fatal("same token")
	}
	if _, err := f.p.Authenticate(t.Context(), "acme", string(f.token)); KindOf(err) != KindUnauthorized {
		t.Errorf("old token still works: %v", err)
	}
	if _, err := f.p.Authenticate(t.Context(), "acme", string(newTok)); err != nil {
		t.Errorf("new token refused: %v", err)
	}
	if d := diff([]EventType{EventTokenRotated}, f.events.take()); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	if _, err := f.p.RotateToken(t.Context(), "nope", ""); KindOf(err) != KindNotFound {
		t.Errorf("unknown group: %v", err)
	}
	if _, err := f.p.RotateToken(t.Context(), "g", "host-chosen-token-123"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.p.Authenticate(t.Context(), "acme", "host-chosen-token-123"); err != nil {
		t.Errorf("host-chosen token refused: %v", err)
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opt  Option
	}{
		{"nil clock", WithClock(nil)},
		{"nil ids", WithIDGenerator(nil)},
		{"nil random", WithRandom(nil)},
		{"nil sink", WithEventSink(nil)},
		{"nil logger", WithLogger(nil)},
		{"nil option", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := New(newFixture(t, RFCProfile()).st, tc.opt); err == nil {
				t.Error("New accepted it")
			}
			if _, err := NewLinker(newFixture(t, RFCProfile()).st, tc.opt); err == nil {
				t.Error("NewLinker accepted it")
			}
		})
	}
	if _, err := New(nil); err == nil {
		t.Error("New(nil) accepted")
	}
}

func TestLogsEventsWithoutSecrets(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	p, err := New(memstore.New(), WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	if err != nil {
		t.Fatal(err)
	}
	g, tok, err := p.CreateGroup(t.Context(), GroupSpec{Path: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Provision(t.Context(), g.ID, userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	if _, err := p.RotateToken(t.Context(), g.ID, ""); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"identity: group_created", "identity: provisioned", "identity: token_rotated"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, string(tok)) || strings.Contains(out, TokenPrefix) {
		t.Errorf("log leaks a token:\n%s", out)
	}
}
