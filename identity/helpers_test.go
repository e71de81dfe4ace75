package identity

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// recorder is an EventSink that keeps what it receives.
type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) Emit(_ context.Context, e Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// types returns the types of the events received since the last call.
func (r *recorder) take() []EventType {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []EventType
	for _, e := range r.events {
		out = append(out, e.Type)
	}
	r.events = nil
	return out
}

// seqIDs returns an id generator giving "id-1", "id-2", ... safely from many
// goroutines.
func seqIDs() func() (string, error) {
	var mu sync.Mutex
	n := 0
	return func() (string, error) {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("id-%d", n), nil
	}
}

// countingReader is a deterministic, endless random source.
type countingReader struct {
	mu sync.Mutex
	n  byte
}

func (r *countingReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range p {
		r.n++
		p[i] = r.n
	}
	return len(p), nil
}

// fixture is a Provisioner over a memstore with one group "g" (path "acme",
// default role Developer) and an owner "owner" who is the group's only
// owner.
type fixture struct {
	st     store.Store
	p      *Provisioner
	l      *Linker
	events *recorder
	token  Token
}

type fixtureOpt func(*GroupSpec)

func enforceSSO(s *GroupSpec) { s.EnforceSSO = true }

func newFixture(t testing.TB, prof Profile, opts ...fixtureOpt) *fixture {
	t.Helper()
	return newFixtureOn(t, memstore.New(), prof, opts...)
}

func newFixtureOn(t testing.TB, st store.Store, prof Profile, opts ...fixtureOpt) *fixture {
	t.Helper()
	f := &fixture{st: st, events: &recorder{}}
	common := []Option{WithClock(func() time.Time { return testNow }), WithIDGenerator(seqIDs()),
		WithRandom(&countingReader{}), WithEventSink(f.events), WithProfile(prof)}
	var err error
	if f.p, err = New(st, common...); err != nil {
		t.Fatal(err)
	}
	if f.l, err = NewLinker(st, common...); err != nil {
		t.Fatal(err)
	}
	spec := GroupSpec{ID: "g", Path: "acme", Name: "Acme", DefaultRole: store.RoleDeveloper}
	for _, o := range opts {
		o(&spec)
	}
	if _, f.token, err = f.p.CreateGroup(t.Context(), spec); err != nil {
		t.Fatal(err)
	}
	f.put(t, &store.User{ID: "owner", Username: "boss", Name: "The Boss", Email: "boss@acme.test", Confirmed: true, State: store.UserActive},
		&store.Membership{GroupID: "g", UserID: "owner", Role: store.RoleOwner})
	f.events.take()
	return f
}

// put stores entities directly, bypassing the rules.
func (f *fixture) put(t testing.TB, entities ...any) {
	t.Helper()
	err := f.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
		for _, e := range entities {
			var err error
			switch e := e.(type) {
			case *store.Group:
				err = tx.PutGroup(ctx, e)
			case *store.User:
				err = tx.PutUser(ctx, e)
			case *store.Membership:
				err = tx.PutMembership(ctx, e)
			case *store.SCIMIdentity:
				err = tx.PutSCIMIdentity(ctx, e)
			case *store.SAMLIdentity:
				err = tx.PutSAMLIdentity(ctx, e)
			default:
				err = fmt.Errorf("unknown entity %T", e)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
}

// state is what snapshot reads.
type state struct {
	Groups  []*store.Group
	Users   []*store.User
	Members []*store.Membership
	SCIM    []*store.SCIMIdentity
	SAML    []*store.SAMLIdentity
}

// snapshot reads everything the tests can have written: users "owner",
// "alice", "bob", "carol" and "id-1" .. "id-40", their memberships and SAML
// identities, and every SCIM identity of group "g".
func (f *fixture) snapshot(t testing.TB) state {
	t.Helper()
	var s state
	err := f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		if g, err := tx.Group(ctx, "g"); err == nil {
			s.Groups = append(s.Groups, g)
		}
		ids := []string{"owner", "alice", "bob", "carol"}
		for i := 1; i <= 40; i++ {
			ids = append(ids, fmt.Sprintf("id-%d", i))
		}
		for _, id := range ids {
			if u, err := tx.User(ctx, id); err == nil {
				s.Users = append(s.Users, u)
			}
			if m, err := tx.Membership(ctx, "g", id); err == nil {
				s.Members = append(s.Members, m)
			}
			if x, err := tx.SAMLIdentityByUser(ctx, "g", id); err == nil {
				s.SAML = append(s.SAML, x)
			}
		}
		for x, err := range tx.SCIMIdentities(ctx, "g") {
			if err != nil {
				return err
			}
			s.SCIM = append(s.SCIM, x)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (f *fixture) user(t testing.TB, id string) *store.User {
	t.Helper()
	var u *store.User
	err := f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) (err error) {
		u, err = tx.User(ctx, id)
		return err
	})
	if err != nil {
		t.Fatalf("user %s: %v", id, err)
	}
	return u
}

func (f *fixture) membership(t testing.TB, userID string) *store.Membership {
	t.Helper()
	var m *store.Membership
	err := f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) (err error) {
		m, err = tx.Membership(ctx, "g", userID)
		return err
	})
	if err != nil {
		return nil
	}
	return m
}

func (f *fixture) saml(t testing.TB, userID string) *store.SAMLIdentity {
	t.Helper()
	var s *store.SAMLIdentity
	err := f.st.View(t.Context(), func(ctx context.Context, tx store.Tx) (err error) {
		s, err = tx.SAMLIdentityByUser(ctx, "g", userID)
		return err
	})
	if err != nil {
		return nil
	}
	return s
}

// userDoc builds a SCIM User document.
func userDoc(externalID, userName, email string) map[string]any {
	d := map[string]any{
		"schemas":  []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"userName": userName,
		"emails":   []any{map[string]any{"type": "work", "primary": true, "value": email}},
		"name":     map[string]any{"givenName": "Given", "familyName": strings.ToUpper(userName[:1]) + userName[1:]},
		"active":   true,
	}
	if externalID != "" {
		d["externalId"] = externalID
	}
	return d
}

// wantErr checks err's kind and detail (detail "" is not checked).
func wantErr(t testing.TB, err error, kind Kind, detail string) {
	t.Helper()
	if kind == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("error = %v (%T), want *Error of kind %v", err, err, kind)
	}
	if e.Kind != kind {
		t.Fatalf("kind = %v (%v), want %v", e.Kind, e, kind)
	}
	if detail != "" && e.Detail != detail {
		t.Fatalf("detail = %q, want %q", e.Detail, detail)
	}
}

func diff(want, got any) string { return cmp.Diff(want, got) }

// alice is a pre-existing personal account with a verified secondary email.
func alice() *store.User {
	return &store.User{ID: "alice", Username: "alice", Name: "Alice Personal", Email: "alice@home.test", Confirmed: true,
		SecondaryEmails: []store.Email{{Address: "Alice@Acme.test", Verified: true}, {Address: "old@acme.test"}}, State: store.UserActive}
}
