package schema

// URNs of the built-in schemas (RFC 7643 §8.7.1).
const (
	UserURN           = "urn:ietf:params:scim:schemas:core:2.0:User"
	EnterpriseUserURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	GroupURN          = "urn:ietf:params:scim:schemas:core:2.0:Group"
)

// User returns the User resource type: endpoint "/Users", the core User
// schema and the Enterprise User extension (not required). Each call returns
// a fresh value.
func User() *ResourceType {
	return &ResourceType{
		ID:          "User",
		Name:        "User",
		Endpoint:    "/Users",
		Description: "User Account",
		Schema:      UserSchema(),
		Extensions:  []Extension{{Schema: EnterpriseUserSchema(), Required: false}},
	}
}

// Group returns the Group resource type: endpoint "/Groups" and the core
// Group schema. Each call returns a fresh value.
func Group() *ResourceType {
	return &ResourceType{
		ID:          "Group",
		Name:        "Group",
		Endpoint:    "/Groups",
		Description: "Group",
		Schema:      GroupSchema(),
	}
}

// attribute builders, used only to write the built-in schemas compactly.

func newAttr(name string, t Type, desc string) *Attribute {
	return &Attribute{
		Name:        name,
		Type:        t,
		Description: desc,
		Mutability:  MutabilityReadWrite,
		Returned:    ReturnedDefault,
		Uniqueness:  UniquenessNone,
		CaseExact:   t == TypeBinary,
	}
}

func strAttr(name, desc string) *Attribute { return newAttr(name, TypeString, desc) }

func (a *Attribute) exact() *Attribute           { a.CaseExact = true; return a }
func (a *Attribute) required() *Attribute        { a.Required = true; return a }
func (a *Attribute) multi() *Attribute           { a.MultiValued = true; return a }
func (a *Attribute) mut(m Mutability) *Attribute { a.Mutability = m; return a }
func (a *Attribute) ret(r Returned) *Attribute   { a.Returned = r; return a }
func (a *Attribute) uniq(u Uniqueness) *Attribute {
	a.Uniqueness = u
	return a
}
func (a *Attribute) canon(v ...string) *Attribute { a.CanonicalValues = v; return a }
func (a *Attribute) refs(v ...string) *Attribute  { a.ReferenceTypes = v; return a }
func (a *Attribute) subs(v ...*Attribute) *Attribute {
	a.Type = TypeComplex
	a.SubAttributes = v
	return a
}

// allMut sets the mutability of a complex attribute and of its sub-attributes.
func (a *Attribute) allMut(m Mutability) *Attribute {
	a.Mutability = m
	for _, s := range a.SubAttributes {
		s.Mutability = m
	}
	return a
}

// multiValued builds the usual multi-valued complex attribute with the
// sub-attributes value, display, type and primary (RFC 7643 §2.4).
func multiValued(name, desc string, value *Attribute, types ...string) *Attribute {
	return newAttr(name, TypeComplex, desc).multi().subs(
		value,
		strAttr("display", "A human-readable name, primarily used for display purposes."),
		strAttr("type", "A label indicating the attribute's function.").canon(types...),
		newAttr("primary", TypeBoolean, "A Boolean value indicating the 'primary' or preferred attribute value for this attribute."),
	)
}

// commonAttrs returns the attributes every resource has (RFC 7643 §3.1).
func commonAttrs() []*Attribute {
	return []*Attribute{
		strAttr("id", "A unique identifier for a SCIM resource as defined by the service provider.").
			exact().mut(MutabilityReadOnly).ret(ReturnedAlways).uniq(UniquenessServer),
		strAttr("externalId", "A String that is an identifier for the resource as defined by the provisioning client.").
			exact(),
		newAttr("meta", TypeComplex, "A complex attribute containing resource metadata.").subs(
			strAttr("resourceType", "The name of the resource type of the resource.").exact(),
			newAttr("created", TypeDateTime, "The \"DateTime\" that the resource was added to the service provider."),
			newAttr("lastModified", TypeDateTime, "The most recent DateTime that the details of this resource were updated at the service provider."),
			newAttr("location", TypeReference, "The URI of the resource being returned.").refs("uri"),
			strAttr("version", "The version of the resource being returned.").exact(),
		).allMut(MutabilityReadOnly),
	}
}

// UserSchema returns the core User schema of RFC 7643 §4.1 and §8.7.1, with
// the common attributes id, externalId and meta (§3.1). Each call returns a
// fresh value.
func UserSchema() *Schema {
	attrs := append(commonAttrs(),
		strAttr("userName", "Unique identifier for the User, typically used by the user to directly authenticate to the service provider.").
			required().uniq(UniquenessServer),
		newAttr("name", TypeComplex, "The components of the user's real name.").subs(
			strAttr("formatted", "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
			strAttr("familyName", "The family name of the User, or last name in most Western languages."),
			strAttr("givenName", "The given name of the User, or first name in most Western languages."),
			strAttr("middleName", "The middle name(s) of the User."),
			strAttr("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages."),
			strAttr("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages."),
		),
		strAttr("displayName", "The name of the User, suitable for display to end-users."),
		strAttr("nickName", "The casual way to address the user in real life."),
		newAttr("profileUrl", TypeReference, "A fully qualified URL pointing to a page representing the User's online profile.").refs("external"),
		strAttr("title", "The user's title, such as \"Vice President\"."),
		strAttr("userType", "Used to identify the relationship between the organization and the user."),
		strAttr("preferredLanguage", "Indicates the User's preferred written or spoken language."),
		strAttr("locale", "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations."),
		strAttr("timezone", "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'."),
		newAttr("active", TypeBoolean, "A Boolean value indicating the User's administrative status."),
		strAttr("password", "The User's cleartext password.").mut(MutabilityWriteOnly).ret(ReturnedNever),
		multiValued("emails", "Email addresses for the user.",
			strAttr("value", "Email addresses for the user."),
			"work", "home", "other"),
		multiValued("phoneNumbers", "Phone numbers for the User.",
			strAttr("value", "Phone number of the User."),
			"work", "home", "mobile", "fax", "pager", "other"),
		multiValued("ims", "Instant messaging addresses for the User.",
			strAttr("value", "Instant messaging address for the User."),
			"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo"),
		multiValued("photos", "URLs of photos of the User.",
			newAttr("value", TypeReference, "URL of a photo of the User.").refs("external"),
			"photo", "thumbnail"),
		newAttr("addresses", TypeComplex, "A physical mailing address for this User.").multi().subs(
			strAttr("formatted", "The full mailing address, formatted for display or use with a mailing label."),
			strAttr("streetAddress", "The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information."),
			strAttr("locality", "The city or locality component."),
			strAttr("region", "The state or region component."),
			strAttr("postalCode", "The zip code or postal code component."),
			strAttr("country", "The country name component."),
			strAttr("type", "A label indicating the attribute's function, e.g., 'work' or 'home'.").canon("work", "home", "other"),
			newAttr("primary", TypeBoolean, "A Boolean value indicating the 'primary' or preferred address."),
		),
		newAttr("groups", TypeComplex, "A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.").multi().subs(
			strAttr("value", "The identifier of the User's group."),
			newAttr("$ref", TypeReference, "The URI of the corresponding 'Group' resource to which the user belongs.").refs("User", "Group"),
			strAttr("display", "A human-readable name, primarily used for display purposes."),
			strAttr("type", "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.").canon("direct", "indirect"),
		).allMut(MutabilityReadOnly),
		multiValued("entitlements", "A list of entitlements for the User that represent a thing the User has.",
			strAttr("value", "The value of an entitlement.")),
		multiValued("roles", "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
			strAttr("value", "The value of a role.")),
		multiValued("x509Certificates", "A list of certificates issued to the User.",
			newAttr("value", TypeBinary, "The value of an X.509 certificate.")),
	)
	return &Schema{ID: UserURN, Name: "User", Description: "User Account", Attributes: attrs}
}

// EnterpriseUserSchema returns the Enterprise User extension schema of
// RFC 7643 §4.3 and §8.7.1. Each call returns a fresh value.
func EnterpriseUserSchema() *Schema {
	return &Schema{
		ID:          EnterpriseUserURN,
		Name:        "EnterpriseUser",
		Description: "Enterprise User",
		Attributes: []*Attribute{
			strAttr("employeeNumber", "Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization."),
			strAttr("costCenter", "Identifies the name of a cost center."),
			strAttr("organization", "Identifies the name of an organization."),
			strAttr("division", "Identifies the name of a division."),
			strAttr("department", "Identifies the name of a department."),
			newAttr("manager", TypeComplex, "The User's manager.").subs(
				strAttr("value", "The id of the SCIM resource representing the User's manager."),
				newAttr("$ref", TypeReference, "The URI of the SCIM resource representing the User's manager.").refs("User"),
				strAttr("displayName", "The displayName of the User's manager.").mut(MutabilityReadOnly),
			),
		},
	}
}

// GroupSchema returns the core Group schema of RFC 7643 §4.2 and §8.7.1,
// with the common attributes id, externalId and meta (§3.1). Beside the
// sub-attributes value, $ref and type that §8.7.1 lists, members has the
// "display" sub-attribute that the RFC's own examples (§8.4) and the
// identity providers send. Each call returns a fresh value.
func GroupSchema() *Schema {
	attrs := append(commonAttrs(),
		strAttr("displayName", "A human-readable name for the Group.").required(),
		newAttr("members", TypeComplex, "A list of members of the Group.").multi().subs(
			strAttr("value", "Identifier of the member of this Group.").mut(MutabilityImmutable),
			newAttr("$ref", TypeReference, "The URI corresponding to a SCIM resource that is a member of this Group.").
				refs("User", "Group").mut(MutabilityImmutable),
			strAttr("type", "A label indicating the type of resource, e.g., 'User' or 'Group'.").
				canon("User", "Group").mut(MutabilityImmutable),
			strAttr("display", "A human-readable name for the member.").mut(MutabilityImmutable),
		),
	)
	return &Schema{ID: GroupURN, Name: "Group", Description: "Group", Attributes: attrs}
}
