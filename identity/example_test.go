package identity_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// welcomeMailer is a host's event sink: it queues the welcome email for
// accounts SCIM created and writes an audit line for every change.
type welcomeMailer struct{ outbox []string }

func (w *welcomeMailer) Emit(_ context.Context, e identity.Event) {
	if e.Type == identity.EventProvisioned {
		w.outbox = append(w.outbox, "welcome "+e.Detail["email"])
	}
	fmt.Printf("audit: %s user=%s\n", e.Type, e.UserID)
}

// ids is a deterministic id generator for the examples; hosts keep the
// default (random UUIDs).
func ids() func() (string, error) {
	n := 0
	return func() (string, error) { n++; return fmt.Sprintf("id-%d", n), nil }
}

// A host wires the rules to a store (here the in-memory one; a host with its
// own user tables implements store.Store over them and runs
// storetest.Run against it), creates a group with a SCIM token, and
// provisions the users an identity provider sends.
func Example() {
	ctx := context.Background()
	mailer := &welcomeMailer{}
	p, err := identity.New(memstore.New(),
		identity.WithEventSink(mailer),
		identity.WithIDGenerator(ids()),
		identity.WithClock(func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }))
	if err != nil {
		panic(err)
	}
	g, token, err := p.CreateGroup(ctx, identity.GroupSpec{ID: "acme", Path: "acme", DefaultRole: store.RoleDeveloper})
	if err != nil {
		panic(err)
	}
	fmt.Println("token prefix ok:", strings.HasPrefix(string(token), identity.TokenPrefix))

	// The scim handler authenticates each request...
	g, err = p.Authenticate(ctx, "acme", string(token))
	if err != nil {
		panic(err)
	}
	// ...and hands the decoded POST body to Provision.
	res, err := p.Provision(ctx, g.ID, map[string]any{
		"externalId": "00ujl29u0le5T6Aj10h7",
		"userName":   "test.user@okta.local",
		"name":       map[string]any{"givenName": "Test", "familyName": "User"},
		"emails":     []any{map[string]any{"primary": true, "value": "test.user@okta.local", "type": "work"}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Changes, res.User.Username, res.User.Name, res.User.ProvisionedByGroup)
	fmt.Println(mailer.outbox)
	// Output:
	// audit: group_created user=
	// token prefix ok: true
	// audit: provisioned user=id-1
	// created test.user Test User acme
	// [welcome test.user@okta.local]
}

// The handler applies a PATCH inside the atomic unit through Modify's
// callback; identity compares the documents and deprovisions on
// active=false.
func ExampleProvisioner_Modify() {
	ctx := context.Background()
	p, _ := identity.New(memstore.New(), identity.WithIDGenerator(ids()))
	g, _, _ := p.CreateGroup(ctx, identity.GroupSpec{Path: "acme"})
	res, _ := p.Provision(ctx, g.ID, map[string]any{
		"externalId": "e-1", "userName": "jdoe",
		"emails": []any{map[string]any{"type": "work", "value": "jdoe@acme.test"}},
	})
	res, err := p.Modify(ctx, g.ID, res.Identity.ID, res.Identity.Version, func(doc map[string]any) (map[string]any, error) {
		doc["active"] = "False" // as Entra ID sends it; patch.Apply would run here
		return doc, nil
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Changes, res.Identity.Active, res.Member)
	// Output: deprovisioned false false
}

// Provision takes ownership of the document, as the scim handler gives it
// the body it decoded: the identity keeps it, without the keys its own
// fields supply, and the caller does not use it again.
func ExampleProvisioner_Provision() {
	ctx := context.Background()
	p, _ := identity.New(memstore.New(), identity.WithIDGenerator(ids()))
	g, _, _ := p.CreateGroup(ctx, identity.GroupSpec{Path: "acme"})
	body := map[string]any{
		"externalId": "e-1", "userName": "jdoe", "active": true,
		"emails": []any{map[string]any{"type": "work", "value": "jdoe@acme.test"}},
	}
	res, err := p.Provision(ctx, g.ID, body)
	if err != nil {
		panic(err)
	}
	// body is not used from here on: it is the identity's now.
	_, hasExternalID := res.Identity.Document["externalId"]
	fmt.Println(res.Changes, res.Identity.ExternUID, hasExternalID)
	// Output: created e-1 false
}

// Delete checks If-Match in the same atomic operation: a DELETE that read
// the resource before someone else changed it fails, and changes nothing.
func ExampleProvisioner_Delete() {
	ctx := context.Background()
	p, _ := identity.New(memstore.New(), identity.WithIDGenerator(ids()))
	g, _, _ := p.CreateGroup(ctx, identity.GroupSpec{Path: "acme"})
	res, _ := p.Provision(ctx, g.ID, map[string]any{
		"externalId": "e-1", "userName": "jdoe",
		"emails": []any{map[string]any{"type": "work", "value": "jdoe@acme.test"}},
	})
	seen := res.Identity.Version
	_, _ = p.Modify(ctx, g.ID, res.Identity.ID, 0, func(doc map[string]any) (map[string]any, error) {
		doc["title"] = "CTO"
		return doc, nil
	})
	_, err := p.Delete(ctx, g.ID, res.Identity.ID, seen)
	fmt.Println(identity.KindOf(err))
	cur, _ := p.Get(ctx, g.ID, res.Identity.ID)
	res, err = p.Delete(ctx, g.ID, res.Identity.ID, cur.Identity.Version)
	fmt.Println(res.Changes, err)
	// Output:
	// version mismatch
	// deprovisioned|hidden <nil>
}

// Errors carry a Kind for the HTTP status and GitLab's wording for the
// detail.
func ExampleError() {
	ctx := context.Background()
	p, _ := identity.New(memstore.New(), identity.WithProfile(identity.GitLabProfile()))
	g, _, _ := p.CreateGroup(ctx, identity.GroupSpec{Path: "acme"})
	doc := func(ext string) map[string]any {
		return map[string]any{"externalId": ext, "userName": "jdoe",
			"emails": []any{map[string]any{"type": "work", "value": "jdoe@acme.test"}}}
	}
	if _, err := p.Provision(ctx, g.ID, doc("first")); err != nil {
		panic(err)
	}
	_, err := p.Provision(ctx, g.ID, doc("second"))
	var ie *identity.Error
	if errors.As(err, &ie) {
		fmt.Println(ie.Kind, "-", ie.Detail)
	}
	_, err = p.Provision(ctx, g.ID, map[string]any{"externalId": "x", "userName": "u"})
	fmt.Println(identity.KindOf(err), "-", err)
	// Output:
	// conflict - User has already been taken
	// invalid - identity: emails: is required: a work or primary email address
}

// A SAML sign-in finds the account by NameID; a signed-in user links their
// account explicitly.
func ExampleLinker() {
	ctx := context.Background()
	st := memstore.New()
	p, _ := identity.New(st)
	l, _ := identity.NewLinker(st)
	g, _, _ := p.CreateGroup(ctx, identity.GroupSpec{Path: "acme"})
	_ = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutUser(ctx, &store.User{ID: "u1", Username: "alice", Email: "alice@home.test", Confirmed: true, State: store.UserActive})
	})
	if _, err := l.SignIn(ctx, g.ID, identity.Assertion{NameID: "alice-at-idp"}); identity.KindOf(err) == identity.KindNotFound {
		fmt.Println("not linked yet: ask the user to sign in and link")
	}
	res, err := l.Link(ctx, g.ID, "u1", "alice-at-idp")
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Changes)
	res, _ = l.SignIn(ctx, g.ID, identity.Assertion{NameID: "ALICE-AT-IDP"})
	fmt.Println(res.User.Username)
	// Output:
	// not linked yet: ask the user to sign in and link
	// saml_linked|member_added
	// alice
}

func ExampleSanitizeUsername() {
	fmt.Println(identity.SanitizeUsername(" --ricky.^#!__the._raccoon--"))
	fmt.Println(identity.SanitizeUsername("José.Müller@example.com"))
	// Output:
	// ricky.the.raccoon
	// Jose.Muller
}
