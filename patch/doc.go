// Package patch decodes SCIM PATCH requests and applies them to resources
// (RFC 7644 §3.5.2), all-or-nothing, with the request shapes Microsoft Entra
// ID, Okta and OneLogin really send.
//
// A resource is a map[string]any as encoding/json decodes it (numbers as
// float64 or json.Number); its schema is a [schema.ResourceType]:
//
//	req, err := patch.Decode(body)
//	if err != nil {
//		return err // *patch.Error: answer 400 with scimType err.Type
//	}
//	updated, res, err := patch.Apply(fresh, req.Operations, schema.User())
//	if err != nil {
//		return err // *patch.Error; the store still holds the resource as it was
//	}
//	if res.Changed("active") { ... }
//
// Apply takes ownership of the resource it is given, as [bytes.NewBuffer]
// takes its slice: it may patch the resource in place and return it, so the
// caller gives it a resource of its own (such as the fresh copy a store's
// read returns) and goes on with the result, never with what it passed. A
// failed operation fails the whole request (RFC 7644 §3.5.2: a PATCH request
// is atomic): Apply returns no resource, and the caller keeps the resource it
// has stored. The result shares nothing with the operations: what Apply takes
// from their values it copies. Every error of a client's making is an
// *[Error] that carries the failing operation's index and its SCIM error type
// (invalidSyntax, invalidPath, noTarget, invalidValue or mutability).
// [Result] says which attributes changed, so that a provisioning layer can
// tell a deprovisioning (active became false) or an externalId change from
// other edits.
//
// Apply neither copies nor walks the attributes the operations do not write.
// Of those they write, it copies only the ones an operation writes into (a
// sub-attribute, a value through a filter), once each, so that Result can
// compare them with their values before; replacing, removing and adding
// values copy nothing.
//
// # What Apply implements
//
// Paths "attr", "attr.sub", URN-qualified paths, "attr[filter]" and
// "attr[filter].sub", and the extension URN alone; operations without a path
// whose value is an object of attributes. Add appends to a multi-valued
// attribute, skipping values already there; replace on a complex attribute
// keeps the sub-attributes it does not give; replace through a value filter
// replaces the matched values; remove through a filter removes the matched
// values, and an attribute left without values is unassigned. Values are
// checked against the attribute's type (binary ones must be base64, RFC 7643
// §2.3.6; a dateTime may leave out its time zone, as xsd:dateTime allows,
// RFC 7643 §2.3.5; TestApplyRules); readOnly attributes never change,
// immutable ones only from unassigned, and required ones cannot be removed
// (mutability). Names compare case-insensitively (RFC 7643 §2.1).
// Attributes the schema does not define (an identity provider's custom
// attributes) are kept and patched without type checks. Filters are
// evaluated by package filter.
//
// # Decisions where the RFC is loose or the clients differ from it
//
// Each decision below names the RFC section, the file that implements it and
// the test that pins it. Test
// case ids (p021...) are those of testdata/patch-cases.json, run by TestCases
// in patch_test.go; golden files are in testdata/golden, run by TestGolden.
//
//   - Op names are case-insensitive ("Add", "Replace", "Remove" as Entra ID
//     sends them; RFC 7644 §3.5.2 spells them in lower case). operation.go;
//     cases p074, p093.
//   - A request without "schemas" is accepted (GitLab's documented requests
//     omit it); a "schemas" holding anything but the PatchOp URN is
//     invalidSyntax (RFC 7644 §3.5.2). decode.go; TestDecode.
//   - A request body that is not valid UTF-8 (RFC 8259 §8.1; encoding/json
//     would replace the bad bytes) or that is nested deeper than [MaxDepth]
//     is invalidSyntax, as a SCIM server answers any other body it cannot
//     read (RFC 7644 §3.12); too many operations, and a value nested too
//     deep, are invalidValue, as is an operation on an attribute of the
//     resource nested too deep (the rest of the resource is not walked). decode.go, limits.go; TestDecodeBadInput,
//     TestApplyBadInput, TestApplyResourceTooDeep.
//   - The strings "True" and "False" (any case) are taken for booleans: Entra
//     ID sends them without its aadOptscim062020 flag (RFC 7643 §2.3.2 wants
//     JSON booleans). coerce.go; cases p090, p091; golden
//     entra_string_booleans.json.
//   - An add or replace through a value filter that matches nothing creates
//     the value, made of the filter's eq conditions plus the operation's
//     value, when the op is add or when the attribute has no values yet;
//     replace when the attribute has values but none matches is noTarget
//     (RFC 7644 §3.5.2.3). A filter that is not eq conditions joined by
//     "and" cannot describe a value to create: noTarget. valuepath.go; cases
//     p077, p078, p079, p131, p055; golden valuepath_create.json.
//   - In an operation without a path, an "id" (Okta echoes the resource's
//     id) or "schemas" member of the value is ignored (RFC 7643 §3.1: id is
//     readOnly; a path "id" is still mutability, and so is a path
//     "schemas", which Apply keeps). pathless.go, target.go; case p104;
//     TestApplyRules.
//   - A remove whose value lists values removes those values from the
//     multi-valued attribute: by their "value" sub-attribute when given,
//     else the values that have all the listed sub-attributes (OneLogin, and
//     Entra ID for group members without its 2020 flag; RFC 7644 §3.5.2.2
//     has no value for remove). multivalued.go; case p106; golden
//     remove_members_by_value.json.
//   - A single value given for a multi-valued attribute is taken as an array
//     of one (RFC 7644 §3.5.2.1 wants an array). coerce.go; cases p021, p154,
//     p157.
//   - The value object of an operation without a path may use dotted
//     ("name.givenName") and URN-qualified member names, and a member named
//     by an extension URN holding that extension's attributes (Entra ID with
//     its 2020 flag; RFC 7644 §3.5.2.1 shows plain names only). Members
//     apply in the order of their names. pathless.go; cases p081, p142, p153.
//   - A value that is not an object, given for a single-valued complex
//     attribute with a "value" sub-attribute, is that sub-attribute: Entra ID
//     sends the Enterprise User's manager as the manager's id alone
//     (RFC 7643 §4.3 makes manager complex). attribute.go; TestApplyRules.
//   - A sub-attribute path on a multi-valued attribute without a filter
//     ("emails.display") applies to every value; when there is none, add and
//     replace create one. subattribute.go; cases p172, p176.
//   - Removing an attribute that has no value succeeds and changes nothing;
//     so does a remove through a filter that matches no value (RFC 7644
//     §3.5.2.2 is silent; identity providers retry removes). attribute.go,
//     valuepath.go; case p036; TestApplyRules.
//   - Writing primary true on a value sets primary false on the other values
//     that had it; a value without primary gets none written. One operation
//     that makes two values primary is invalidValue (RFC 7643 §2.4).
//     primary.go; cases p054, p091, p156; golden primary_moves.json.
//   - A value added to a multi-valued attribute that an existing value
//     already covers (same sub-attributes given, compared as a filter's eq
//     would) is not added again (RFC 7644 §3.5.2.1). multivalued.go,
//     valueindex.go; cases p149, p154.
//   - Replace through a value filter without a sub-attribute replaces each
//     matched value by the given one; add through it merges the given
//     sub-attributes into each matched value. valuepath.go; cases p043, p143.
//   - An immutable attribute may be set when it has no value, or to the value
//     it has (RFC 7643 §2.2 and RFC 7644 §3.5.2); group members, whose
//     sub-attributes are immutable, are added and removed whole.
//     mutability.go; TestApplyRules; golden remove_members_by_value.json.
//   - A null value member (in an operation without a path, or inside a
//     complex value) unassigns that attribute (RFC 7643 §2.5); a null or
//     missing value of an add or replace with a path is invalidValue
//     (RFC 7644 §3.5.2.1). attribute.go, apply.go; case p019;
//     TestApplyRules.
//   - The first write to an extension attribute creates the extension object
//     and lists the extension's URN in "schemas" (RFC 7643 §3); an extension
//     object left empty is dropped. extension.go; golden
//     extension_created.json.
//
// # Limits
//
// A request has at most [MaxOperations] operations and JSON nested at most
// [MaxDepth] deep; beyond that, Decode and Apply refuse it before doing any
// work, and Apply refuses to write an attribute of the resource nested
// deeper than MaxDepth (limits.go; TestDecodeBadInput, TestApplyBadInput,
// TestApplyResourceTooDeep). Values added to or removed from a multi-valued attribute
// are found by their "value" sub-attribute, in time linear in their number;
// values without a string "value" are compared one by one.
//
// The work on the values of multi-valued attributes is bounded per request
// by one budget of [MaxComparisons] units (a [filter.Budget]): every
// operation pays one unit per value of the attribute it names, a value
// filter one per value it looks at and per comparison it makes there, and
// the one-by-one comparisons one each. A request that needs more, such as a
// thousand filtered operations of 45 clauses over 40,000 emails, is refused
// with invalidValue at the operation that runs out, naming the limit,
// instead of running for a minute (limits.go; TestApplyCostBudget,
// TestApplyBadInput, TestManyMembers; BenchmarkApplyOverBudget).
package patch
