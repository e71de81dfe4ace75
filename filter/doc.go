// Package filter parses and evaluates SCIM filters (RFC 7644 §3.4.2.2) and
// PATCH paths (RFC 7644 §3.5.2), under the SCIM schemas (RFC 7643) of
// package schema. It uses the standard library only.
//
// The shortest correct use:
//
//	e, err := filter.Parse(`emails[type eq "work" and value co "@example.com"]`)
//	if err != nil {
//		return err // a *filter.SyntaxError: 400 invalidFilter
//	}
//	f, err := filter.Compile(e, schema.User())
//	if err != nil {
//		return err // a *filter.SchemaError: 400 invalidFilter
//	}
//	for _, res := range resources { // map[string]any as encoding/json decodes it
//		if f.Match(res) { ... }
//	}
//
// # Parsing
//
// [Parse] accepts the whole grammar of RFC 7644 §3.4.2.2: attribute paths
// with a sub-attribute and an optional schema URN, the operators eq ne co sw
// ew gt ge lt le pr, "and", "or" and "not ( )" with the precedence not > and
// > or, parentheses, value filters (emails[type eq "work"]) and JSON
// literals (every string escape, numbers with fraction and exponent, true,
// false, null). Operators, "and", "or", "not" and attribute names are
// case-insensitive; the literals true, false and null are lower-case, as in
// JSON. The result is a tree of *[Compare], *[And], *[Or], *[Not] and
// *[ValuePath] nodes that [Walk] visits, for example to translate a filter
// into SQL. [Expr.String] prints the canonical form, which parses back to an
// equal tree.
//
// Errors are of type *[SyntaxError] and give the position and what was
// expected:
//
//	filter: 1:13: expected a value after "eq", found "bjensen" (strings are written in double quotes)
//
// Input length and nesting depth (parentheses, not, value filters) are
// bounded by [DefaultMaxLength] (64 KiB) and [DefaultMaxDepth] (64); a
// [Parser] sets other limits, its depth at most [MaxDepthLimit]. Parsing takes time linear in the input, and
// no input makes it panic, hang or overflow the stack.
//
// [ParsePath] parses PATCH paths: attr, attr.sub, urn:...:attr, attr[filter]
// and attr[filter].sub. In a filter, a sub-attribute after a value filter
// is accepted only as the comparison described next.
//
// # Entra ID's sub-attribute comparison
//
// The filter ABNF of RFC 7644 §3.4.2.2 allows attr[valFilter].sub only in
// PATCH paths (§3.5.2), but Microsoft Entra ID sends list filters of the
// form
//
//	emails[type eq "work"].value eq "a@example.com"
//
// when emails[type eq "work"] is the attribute it matches users on
// (Microsoft's "Develop and plan provisioning for a SCIM endpoint" guide;
// replayed from scim/testdata/transcripts/entra.json). A [Parser] with
// SubAttributeComparison set (the scim handler's) accepts,
// after attr[valFilter], one "." and a sub-attribute name followed by a
// comparison operator and value, or by pr, and returns the equivalent
// value filter:
//
//	&ValuePath{Attr: emails, Filter: &And{valFilter, &Compare{Attr: value, ...}}}
//
// so both conditions bind to the same value, and [Expr.String] prints the
// RFC form emails[type eq "work" and value eq "a@example.com"], which
// parses back to the same tree. Nothing else may follow the value filter:
// a second sub-attribute, a URN, another value filter or a missing operator
// is a *[SyntaxError]. The extension nests (a[b[c pr].d eq 1]) and counts
// towards the nesting limit like any value filter. [Parse] keeps to the
// RFC and refuses the form (shared case f079). Pinned by subcompare_test.go
// (TestParseSubCompare, TestParseSubCompareErrors, TestParseSubCompareOff).
//
// # Evaluation
//
// [Compile] resolves a filter's attributes against a [schema.ResourceType]
// once; [Filter.Match] then evaluates it without allocating when the
// resource does not match. The schema gives each attribute's type,
// multiValued, caseExact and sub-attributes ([schema.User], with the
// Enterprise User extension, and [schema.Group] are built in; a host plugs in
// its own by building a [schema.ResourceType]).
//
//   - Strings compare case-insensitively (simple Unicode folding) unless the
//     attribute is caseExact, as id, externalId and meta.version are.
//     gt/ge/lt/le order strings by code point, after case folding unless
//     caseExact.
//   - A multi-valued attribute matches when any of its values does, and a
//     value filter binds all its conditions to the same value.
//   - A complex attribute compared without a sub-attribute compares its
//     "value" sub-attribute: emails co "x" is emails.value co "x".
//   - dateTime attributes compare as instants:
//     "2013-02-03T10:00:00+02:00" is before "2013-02-03T09:00:00Z". co, sw
//     and ew compare them as strings.
//   - Numbers compare as numbers, whether the resource holds float64 or
//     json.Number; two integers held as json.Number compare exactly, even
//     beyond float64's 53 bits.
//   - gt/ge/lt/le on a boolean or binary attribute, co/sw/ew on a boolean or
//     number, and a value of the wrong type (userName eq 5, active eq "true")
//     are *[SchemaError]s, as is a value for a dateTime attribute that is not
//     a dateTime.
//   - An attribute the schema does not define (an IdP's custom attribute kept
//     in the document) compares by the JSON type of its value, strings
//     case-insensitively; the [Strict] option makes it a *[SchemaError]
//     instead. Nested paths such as a.b.c reach into such attributes.
//   - Values of the wrong JSON type, nulls, arrays of scalars where objects
//     are expected and other odd data never match and never panic.
//
// # Choices where RFC 7644 leaves the answer open
//
// The shared cases (testdata/filter-cases.json, run by TestSharedCases in
// cases_test.go) leave these open; this package decides, and names the
// RFC section and the tests that pin each choice (TestMatch cases are in
// eval_test.go, TestParse and TestString cases in parse_test.go):
//
//   - "ne" is the negation of "eq" (RFC 7644 §3.4.2.2 defines ne only as
//     "not equal"): title ne "x" matches a resource without a title, and a
//     multi-valued attribute matches "ne" only when none of its values
//     equals. Case f029; TestMatch "ne on absent", "ne means not eq on
//     multi-valued".
//   - eq null matches an attribute that is not present (see pr below); ne
//     null matches one that is (RFC 7643 §2.5: null is unassigned). Other
//     operators with null are an error. TestMatch "eq null absent", "eq
//     null present", "ne null present"; TestCompileErrors.
//   - pr is false for null, "", [] and {} (RFC 7644 §3.4.2.2: a "non-empty
//     value"), and for arrays and objects whose members are all empty.
//     Case f195; TestMatch "pr empty string", "pr array of empties".
//   - A complex attribute compared without a sub-attribute compares its
//     "value" (emails eq "x" is emails.value eq "x", as in RFC 7644
//     §3.4.2.2's example emails co "example.com"). Cases f067, f179;
//     TestMatch "complex compares value".
//   - An attribute the schema does not define is compared by JSON type, so
//     loginCount eq "10" does not match a loginCount of 10: a number never
//     equals a string (RFC 7644 §3.4.2.2 leaves undefined attributes to the
//     service provider). Case f069; TestMatch "number vs string".
//   - dateTime eq compares instants: "2011-05-13T04:42:34.000Z" equals
//     "2011-05-13T04:42:34Z" (RFC 7643 §2.3.5). A dateTime without a time
//     zone, which xsd:dateTime allows, is UTC. Case f117; TestMatch
//     "dateTime eq other form"; TestParseDateTime in fold_test.go.
//   - Spaces (and tabs and line breaks) around tokens are allowed, also at
//     the start and end of the filter, and between "not" and "(" (the ABNF
//     of RFC 7644 §3.4.2.2 has exactly one SP). Case f161; TestParse
//     "surrounding spaces"; TestString "not".
//   - An attribute without a schema URN is looked up in the core schema,
//     then in the extensions (RFC 7644 §3.10: clients may leave out the
//     core schema's URN, and only should qualify extension attributes).
//     TestMatch "extension without URN".
//   - A scalar where a complex value is expected stands for its "value"
//     (roles: ["admin"] matches roles eq "admin" and roles[value eq
//     "admin"]; RFC 7643 §2.4's "value" sub-attribute). TestMatch "scalar
//     elements stand for value", "scalar elements with eq".
//   - Group's members has a "display" sub-attribute beside value, $ref and
//     type: RFC 7643 §8.4's examples and the identity providers use it.
//     TestMatch "group members"; TestBuiltinSchemas in package schema.
//   - A number in a resource that is not a valid JSON number, or is beyond
//     float64's range, does not match any comparison (RFC 8259 §6).
//     TestMatchMissOnOddNumbersDoesNotAllocate, TestNumberAgreesWithStrconv.
package filter
