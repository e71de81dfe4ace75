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
	// DedupeHeldUserName gives a new account a de-duplicated username
	// ("name1") when the sanitised userName is held by an account with an
	// identity in the group (GitLab). Otherwise (RFC) that is a KindConflict
	// error "Username has already been taken". A userName held by an account
	// outside the group is always de-duplicated: refusing would disclose
	// other tenants' usernames.
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
