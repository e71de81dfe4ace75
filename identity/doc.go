// Package identity holds GitLab's group provisioning and SAML-linking rules
// over a [store.Store]: what a SCIM request means for the host's accounts. It
// speaks no HTTP; the scim handler calls it for every create, read, list,
// replace, patch and delete, and a host may call it straight from Go.
//
// The shortest correct use:
//
//	p, err := identity.New(st, identity.WithEventSink(sink))
//	g, tok, err := p.CreateGroup(ctx, identity.GroupSpec{ID: "g1", Path: "acme"})
//	// show tok to the administrator once; only its digest is stored
//	g, err = p.Authenticate(ctx, "acme", presented)
//	res, err := p.Provision(ctx, g.ID, doc) // doc: the POSTed SCIM User
//
// # Rules
//
// Each decision writes in ONE [store.Store.Update] call, which reads what
// the decision depends on, so a failure leaves nothing half-written and
// concurrent duplicate creates give exactly one account. Events are emitted
// only after the commit. A PATCH or PUT works its document out before that
// call (prepare.go): the heavy part of a write holds no lock another write
// waits for, and the Update writes only if the identity is still at the
// version the document was worked out on. Every document written is checked
// against the User schema's types ([schema.ResourceType.Check]). The rules
// and the GitLab behaviour they follow are described in docs/design.md
// §Provisioning rules and docs/gitlab.md §4–§9:
//
//   - [Provisioner.Provision] (POST): idempotent repeat or 409 per
//     [Profile]; link an account found by email (primary or secondary); refuse
//     under enforced SSO an account without a SAML identity; otherwise create
//     an account with a sanitised, de-duplicated username ([SanitizeUsername]),
//     marked provisioned by the group, with SCIM and SAML identities and a
//     membership at the group's default role. A POST for an inactive identity
//     reprovisions it (GitLab's failure there, issue 433194, is not copied).
//   - [Provisioner.Modify] (PATCH) and [Provisioner.Replace] (PUT): the
//     caller's mutate function runs before the atomic unit, on a resource
//     of its own read in a View, and again if the identity changed before
//     the write (removing externalId is KindMutability); the old and new
//     documents are compared to find deprovision (active false),
//     reprovision (active true), an externalId change and attribute updates.
//     Attribute updates are applied only to accounts the group provisioned;
//     on linked pre-existing accounts they are acknowledged and kept in the
//     document, but the account is not changed (GitLab since 15.0). A PATCH
//     without active=true never reactivates an inactive identity (GitLab
//     does: a security hole, not copied).
//   - [Provisioner.Deprovision] (active=false): membership removed,
//     identity inactive, account and SAML identity kept; refused with nothing
//     changed when the user is the group's last owner.
//   - [Provisioner.Reprovision]: identity active again, membership restored
//     at the role its linked IdP groups give, else the default role.
//   - [Provisioner.Delete] (DELETE): Deprovision, and in the RFC profile
//     the resource is gone for good (RFC 7644 §3.6): it leaves every IdP
//     group, its id answers KindNotFound to every call from then on, and a
//     later POST for the same person (same externalId, or the account's
//     email) creates an identity with a new id for the same account, its
//     membership restored as a reprovisioning restores it. Modify, Replace
//     and Delete check an If-Match version inside their atomic unit.
//   - [Provisioner.Get], [Provisioner.List] and, for the GitLab profile's
//     `userName eq` search, [Provisioner.FindByUserName] read identities
//     with their accounts; [Provisioner.LookupGroup] finds a group as
//     GitLab's API names it, for its "Group <path> not found" answer.
//   - [Linker] implements SAML sign-in: NameID lookup, explicit linking by a
//     signed-in user, NameID change only with a verified email.
//
// # IdP groups and group links
//
// The SCIM Group resource is an IdP group inside the tenant
// ([store.IdPGroup]; the tenant itself is a [store.Group]), with its
// members stored as rows. Its calls, each one atomic store operation with
// its events emitted after the commit:
//
//   - [Provisioner.CreateIdPGroup] (POST /Groups), [Provisioner.GetIdPGroup]
//     (GET /Groups/{id}), [Provisioner.ListIdPGroups] (GET /Groups, with
//     [store.ListIdPGroups]'s indexes), [Provisioner.ReplaceIdPGroup] (PUT),
//     [Provisioner.PatchIdPGroup] (PATCH) and [Provisioner.DeleteIdPGroup]
//     (DELETE). Reads and writes list the members only when asked for
//     ([IncludeMembers]); adding or removing k members costs O(k).
//   - A PATCH is an [IdPGroupPatch]: the member changes as sets
//     ([MemberChanges], built in the order of the request's operations)
//     and a Mutate function for the other attributes, which the scim
//     handler runs patch.Apply in. Members never pass through a document,
//     so a PATCH of a group of 100,000 members does not read them.
//   - Members are SCIM identities of the tenant, named by their ids: one to
//     add that names none (or a deleted one) is KindInvalid naming it; one
//     to remove that is not a member is passed over (Entra ID retries the
//     removal of users it just deleted).
//   - [Provisioner.SetIdPGroupLink], [Provisioner.RemoveIdPGroupLink] and
//     [Provisioner.IdPGroupLinks] configure GitLab's SAML group links: an
//     IdP group, by displayName or externalId, gives a role. A member's
//     role is the highest role among the linked IdP groups that contain
//     them, else the tenant's default role, recomputed in the operation
//     that changes a membership, a link or a linked group's name
//     (EventRoleChanged); IdP groups no link names never change a role.
//     Deprovisioned and deleted users have no role whatever their groups;
//     reprovisioning gives the role their groups give. A change that would
//     take the owner role from the last owner is refused (KindRefused,
//     GitLab's "Cannot remove last group owner") and writes nothing.
//
// docs/design.md §Groups has the decisions and the reasons.
//
// # Ownership
//
// The documents handed to [Provisioner.Provision], [Provisioner.Replace],
// [Provisioner.CreateIdPGroup] and [Provisioner.ReplaceIdPGroup], and the
// ones mutate returns to [Provisioner.Modify] and IdPGroupPatch.Mutate
// returns to [Provisioner.PatchIdPGroup], become the Provisioner's, as a slice handed to bytes.NewBuffer becomes the
// buffer's: the identity may keep them and change them, so the caller does
// not use them after the call. The resource mutate receives is mutate's
// own. Results hold fresh copies the caller owns.
//
// # Errors
//
// Every refusal is a *[Error] with a [Kind] the handler maps to a status;
// conflicts carry GitLab's wording ("Email has already been taken", "User has
// already been taken", "Extern UID has already been taken", "Username has
// already been taken"). Errors that are not *Error are internal (a failing
// store) and must become a 500 without their text reaching the client.
//
// # Tokens
//
// A SCIM token is 32 random bytes, base64url-encoded behind the prefix
// [TokenPrefix] so secret scanners recognise it. Only its SHA-256 digest is
// stored on the group; [VerifyToken] compares digests in constant time;
// [Provisioner.RotateToken] replaces the token at once.
//
// # Concurrency and state
//
// A [Provisioner] and a [Linker] are safe for concurrent use. The package has
// no package-level mutable state: clocks, random sources, id generators, the
// event sink and the logger are options ([WithClock], [WithRandom],
// [WithIDGenerator], [WithEventSink], [WithLogger]).
package identity
