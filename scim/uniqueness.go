package scim

import "github.com/scimkit/scimkit/schema"

// advertise adjusts the attribute characteristics of rt, a resource type of
// the handler's own, to what the server enforces, so that /Schemas states
// the rules an identity provider meets (RFC 7643 §2.2, §7). RFC 7643's
// characteristics cannot say everything, so each attribute whose rule goes
// further says it in its description:
//
//   - User userName: uniqueness "server", unique within the group (the
//     tenant) served, ignoring case (caseExact false), as RFC 7643 §4.1
//     has it.
//   - User emails.value: uniqueness "global". An address belongs to one
//     account of the host, ignoring case: a User whose work (else primary)
//     address is an account's is linked to that account, and no two Users
//     of a group share it (409 uniqueness). RFC 7643 §2.2 has no
//     case-insensitive variant of "global"; the comparison ignores case,
//     as caseExact false says. Other addresses are kept as sent.
//   - Group displayName: uniqueness "server", unique within the group
//     served, ignoring case (409 uniqueness).
//   - Group members.value: caseExact true. It is the id of a User of the same
//     group, compared exactly, as ids are (RFC 7643 §3.1); RFC 7643 §8.7.1
//     leaves it case-insensitive. members.type and members.$ref: only "User",
//     since nested groups are not supported.
//
// externalId, a common attribute (RFC 7643 §3.1), is unique within the
// group served, ignoring case, for Users and for Groups, but is not listed:
// /Schemas lists a schema's own attributes, not the common ones, as RFC
// 7643 §8.7.1 does; the package documentation says it instead.
func advertise(rt *schema.ResourceType) {
	attrs := rt.Schema.Attributes
	switch rt.Schema.ID {
	case schema.UserURN:
		if a := findAttr(attrs, "userName"); a != nil {
			a.Uniqueness, a.CaseExact = schema.UniquenessServer, false
			a.Description += " Unique within the group served, ignoring case: a userName another User of the group holds is refused (409 uniqueness)."
		}
		if a := findAttr(attrs, "emails"); a != nil {
			if v := findAttr(a.SubAttributes, "value"); v != nil {
				v.Uniqueness, v.CaseExact = schema.UniquenessGlobal, false
				v.Description += " An address belongs to one account of the host, ignoring case (uniqueness global; RFC 7643 has no case-insensitive variant): a User whose work (else primary) address is an account's is linked to that account, and no two Users of a group share it (409 uniqueness). Other addresses are kept as sent."
			}
		}
	case schema.GroupURN:
		if a := findAttr(attrs, "displayName"); a != nil {
			a.Uniqueness, a.CaseExact = schema.UniquenessServer, false
			a.Description += " Unique within the group served, ignoring case (409 uniqueness)."
		}
		if a := findAttr(attrs, "members"); a != nil {
			if v := findAttr(a.SubAttributes, "value"); v != nil {
				v.CaseExact = true
				v.Description = "The id of a User of the same group, compared exactly, as ids are (RFC 7643 §3.1)."
			}
			if ref := findAttr(a.SubAttributes, "$ref"); ref != nil {
				ref.ReferenceTypes = []string{"User"}
			}
			if t := findAttr(a.SubAttributes, "type"); t != nil {
				t.CanonicalValues = []string{"User"}
				t.Description = "The type of the member: \"User\". Nested groups are not supported."
			}
		}
	}
}
