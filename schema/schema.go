package schema

import "strings"

// Type is the data type of an attribute (RFC 7643 §2.3).
type Type string

// The attribute data types of RFC 7643 §2.3.
const (
	TypeString    Type = "string"
	TypeBoolean   Type = "boolean"
	TypeDecimal   Type = "decimal"
	TypeInteger   Type = "integer"
	TypeDateTime  Type = "dateTime"
	TypeBinary    Type = "binary"
	TypeReference Type = "reference"
	TypeComplex   Type = "complex"
)

// Mutability says whether and how a client may change an attribute
// (RFC 7643 §7, "mutability").
type Mutability string

// The mutability values of RFC 7643 §7.
const (
	MutabilityReadWrite Mutability = "readWrite"
	MutabilityReadOnly  Mutability = "readOnly"
	MutabilityImmutable Mutability = "immutable"
	MutabilityWriteOnly Mutability = "writeOnly"
)

// Returned says when an attribute is returned in a response
// (RFC 7643 §7, "returned").
type Returned string

// The returned values of RFC 7643 §7.
const (
	ReturnedAlways  Returned = "always"
	ReturnedNever   Returned = "never"
	ReturnedDefault Returned = "default"
	ReturnedRequest Returned = "request"
)

// Uniqueness says how a service provider enforces the uniqueness of an
// attribute's values (RFC 7643 §7, "uniqueness").
type Uniqueness string

// The uniqueness values of RFC 7643 §7.
const (
	UniquenessNone   Uniqueness = "none"
	UniquenessServer Uniqueness = "server"
	UniquenessGlobal Uniqueness = "global"
)

// Attribute describes one attribute of a schema, with the characteristics
// of RFC 7643 §7. Filter evaluation uses Type, MultiValued, CaseExact and
// SubAttributes; the other fields are for PATCH, validation and discovery.
type Attribute struct {
	Name            string
	Type            Type
	MultiValued     bool
	Description     string
	Required        bool
	CaseExact       bool
	Mutability      Mutability
	Returned        Returned
	Uniqueness      Uniqueness
	CanonicalValues []string
	ReferenceTypes  []string
	SubAttributes   []*Attribute
}

// Sub returns the sub-attribute of a called name, compared
// case-insensitively, or nil if a has none of that name.
func (a *Attribute) Sub(name string) *Attribute {
	if a == nil {
		return nil
	}
	return findAttr(a.SubAttributes, name)
}

// Schema is a SCIM schema (RFC 7643 §7): an id (a URN) and its attributes.
type Schema struct {
	ID          string
	Name        string
	Description string
	Attributes  []*Attribute
}

// Attr returns the top-level attribute of s called name, compared
// case-insensitively, or nil if s has none of that name.
func (s *Schema) Attr(name string) *Attribute {
	if s == nil {
		return nil
	}
	return findAttr(s.Attributes, name)
}

func findAttr(attrs []*Attribute, name string) *Attribute {
	// Names as the schema spells them, the usual case, are found without
	// folding case.
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	for _, a := range attrs {
		if strings.EqualFold(a.Name, name) {
			return a
		}
	}
	return nil
}

// Extension is a schema extension of a resource type (RFC 7643 §6,
// "schemaExtensions"). Its attributes live in the resource under a key equal
// to the extension schema's ID.
type Extension struct {
	Schema   *Schema
	Required bool
}

// ResourceType is RFC 7643 §6: what a resource is evaluated, patched and
// described under. It names the core schema and the extensions.
//
// A ResourceType is read-only once in use; it is then safe for concurrent use.
type ResourceType struct {
	ID          string
	Name        string
	Endpoint    string
	Description string
	Schema      *Schema
	Extensions  []Extension
}

// Resolved is the schema information an attribute path resolves to.
type Resolved struct {
	// Schema is the schema that defines Attr: the core schema or an extension.
	Schema *Schema
	// Attr is the top-level attribute.
	Attr *Attribute
	// Sub is the sub-attribute; nil unless the path has one.
	Sub *Attribute
}

// Resolve finds the attribute of the path urn:name.sub (urn and sub may be
// empty). Names and URNs compare case-insensitively. A path with a URN is
// looked up in the schema with that ID only; a path without one is looked
// up in the core schema first and then in the extensions, in order. Resolve
// reports false when the schema, the attribute or the sub-attribute is
// unknown, and when the path has a sub-attribute but the attribute is not
// complex.
//
// A path that names a whole extension, such as the PATCH path
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User", parses as
// URN "urn:ietf:params:scim:schemas:extension:enterprise:2.0" and name
// "User"; use [ResourceType.SchemaFor] with the whole path to recognise it.
func (rt *ResourceType) Resolve(urn, name, sub string) (Resolved, bool) {
	if rt == nil {
		return Resolved{}, false
	}
	if urn != "" {
		s := rt.SchemaFor(urn)
		if s == nil {
			return Resolved{}, false
		}
		return resolveIn(s, name, sub)
	}
	if r, ok := resolveIn(rt.Schema, name, sub); ok {
		return r, true
	}
	for _, ext := range rt.Extensions {
		if r, ok := resolveIn(ext.Schema, name, sub); ok {
			return r, true
		}
	}
	return Resolved{}, false
}

// SchemaFor returns the core or extension schema of rt whose ID equals urn
// (case-insensitively), or nil.
func (rt *ResourceType) SchemaFor(urn string) *Schema {
	if rt == nil {
		return nil
	}
	if rt.Schema != nil && strings.EqualFold(rt.Schema.ID, urn) {
		return rt.Schema
	}
	for _, ext := range rt.Extensions {
		if ext.Schema != nil && strings.EqualFold(ext.Schema.ID, urn) {
			return ext.Schema
		}
	}
	return nil
}

func resolveIn(s *Schema, name, sub string) (Resolved, bool) {
	a := s.Attr(name)
	if a == nil {
		return Resolved{}, false
	}
	r := Resolved{Schema: s, Attr: a}
	if sub != "" {
		r.Sub = a.Sub(sub)
		if r.Sub == nil {
			return Resolved{}, false
		}
	}
	return r, true
}
