// Package schema is the SCIM schema model (RFC 7643 §2, §6, §7): attribute
// characteristics, schemas, resource types, and the built-in User (with the
// Enterprise User extension, RFC 7643 §4.1, §4.3) and Group (§4.2) resource
// types with every attribute of RFC 7643 §8.7.1. It uses the standard library
// only.
//
// Package filter evaluates filters under a [ResourceType], package patch
// checks PATCH targets and mutability against it, and package scim publishes
// it at /Schemas and /ResourceTypes. A host with its own attributes builds
// its own ResourceType from these types.
//
//	rt := schema.User()
//	r, ok := rt.Resolve("", "emails", "value") // r.Attr is emails, r.Sub its value
//
// Names and URNs compare case-insensitively (RFC 7643 §2.1). The built-in
// constructors return a fresh value on every call; a ResourceType is
// read-only once in use and then safe for concurrent use.
//
// # Choices
//
//   - Group's members has a "display" sub-attribute beside value, $ref and
//     type: RFC 7643 §8.4's examples and the identity providers use it.
//     Pinned by TestBuiltinSchemas.
package schema
