package identity

// Profile holds the few rule differences between the RFC and the GitLab wire
// profiles (docs/design.md §Wire profiles). The zero Profile is not a useful
// profile; start from [RFCProfile] or [GitLabProfile] and change fields.
type Profile struct {
	// IDIsExternUID makes the resource id the extern_uid (GitLab): the id
	// taken by Get, Modify, Replace, Deprovision and Reprovision is looked up
	// as an extern_uid, case-insensitively, and a POST body's "id" is read as
	// the extern_uid when "externalId" is absent. Otherwise (RFC) the id is
	// the server-assigned SCIM identity id.
	IDIsExternUID bool
	// ReturnExistingOnRepeat answers a POST repeating an active identity
	// whose user is a member with that identity (GitLab: 201). Otherwise
	// (RFC) it is a KindConflict error "Extern UID has already been taken"
	// (Okta's tests expect 409).
	ReturnExistingOnRepeat bool
	// DedupeHeldUserName lets several identities of the group carry one
	// SCIM userName (GitLab, which keys identities by extern_uid alone).
	// Otherwise (RFC) a userName another visible identity of the group
	// holds, compared case-insensitively, is a KindConflict "Username has
	// already been taken" (RFC 7643 §4.1). Either way the account a POST
	// creates gets a de-duplicated username ("name1") when its sanitised
	// userName is held by another account: john.doe@a-corp.com and
	// john.doe@b-corp.com are two people (docs/gitlab.md §4.4).
	DedupeHeldUserName bool
	// HideDeleted makes [Provisioner.Delete] (DELETE) remove the resource
	// for good as well as deprovision it (RFC 7644 §3.6): Get, List,
	// Modify, Replace, Delete and IdP group memberships then treat its id
	// as unknown, it leaves every IdP group, and a later Provision for the
	// person creates an identity with a new id for the same account (RFC).
	// Otherwise (GitLab) a deleted identity stays visible with active
	// false, and Delete is [Provisioner.Deprovision].
	HideDeleted bool
	// ExternUIDFromUserName lets a POST without externalId use userName as
	// the extern_uid (the RFC makes externalId optional and Okta's
	// conformance test omits it). Otherwise externalId is required.
	ExternUIDFromUserName bool
}

// RFCProfile returns the rules of the RFC 7644 wire profile, the default.
func RFCProfile() Profile {
	return Profile{HideDeleted: true, ExternUIDFromUserName: true}
}

// GitLabProfile returns the rules of the GitLab wire profile.
func GitLabProfile() Profile {
	return Profile{IDIsExternUID: true, ReturnExistingOnRepeat: true, DedupeHeldUserName: true}
}
