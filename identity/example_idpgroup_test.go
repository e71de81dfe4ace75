package identity_test

import (
	"context"
	"fmt"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// An owner links the IdP group "Engineering" to the Maintainer role; the
// IdP creates the group and then adds a member with a PATCH (Entra ID's
// {"op":"Add","path":"members","value":[{"value":"<id>"}]}), which the
// scim handler turns into an IdPGroupPatch. The member's role follows in
// the same atomic operation.
func ExampleProvisioner_PatchIdPGroup() {
	ctx := context.Background()
	roles := identity.EventSinkFunc(func(_ context.Context, e identity.Event) {
		if e.Type == identity.EventRoleChanged {
			fmt.Println("role of", e.UserID, "from", e.Detail["from"], "to", e.Detail["to"])
		}
	})
	p, err := identity.New(memstore.New(), identity.WithIDGenerator(ids()), identity.WithEventSink(roles))
	if err != nil {
		panic(err)
	}
	if _, _, err := p.CreateGroup(ctx, identity.GroupSpec{ID: "acme", Path: "acme", DefaultRole: store.RoleDeveloper}); err != nil {
		panic(err)
	}
	user, err := p.Provision(ctx, "acme", map[string]any{
		"externalId": "8aa1a0c0", "userName": "ada",
		"emails": []any{map[string]any{"value": "ada@example.com", "type": "work"}},
	})
	if err != nil {
		panic(err)
	}
	if _, err := p.SetIdPGroupLink(ctx, "acme", store.LinkDisplayName, "Engineering", store.RoleMaintainer); err != nil {
		panic(err)
	}
	group, err := p.CreateIdPGroup(ctx, "acme", map[string]any{"displayName": "Engineering", "externalId": "e5f1"}, identity.OmitMembers)
	if err != nil {
		panic(err)
	}

	var ch identity.IdPGroupPatch
	ch.Members.Add(user.Identity.ID)
	res, err := p.PatchIdPGroup(ctx, "acme", group.Group.ID, 0, ch, identity.IncludeMembers)
	if err != nil {
		panic(err)
	}
	fmt.Println("added", res.Added, "members", len(res.Members), "version", res.Group.Version)
	// Output:
	// role of id-1 from developer to maintainer
	// added [id-2] members 1 version 2
}
