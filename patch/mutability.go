package patch

import "github.com/scimkit/scimkit/schema"

// The mutability rules of RFC 7643 §2.2, checked before every write and
// removal of an attribute or sub-attribute the schema defines (attributes it
// does not define may always change).

// checkWrite checks that attribute attr (nil: one no schema defines) may be
// set to nv when it holds old (had: it holds a value). RFC 7643 §2.2: readOnly
// never changes; immutable may be set when it has no value (or to the value
// it has).
func checkWrite(attr *schema.Attribute, label string, had bool, old, nv any) *opError {
	if attr == nil {
		return nil
	}
	switch attr.Mutability {
	case schema.MutabilityReadOnly:
		return errorf(TypeMutability, "%s is readOnly", label)
	case schema.MutabilityImmutable:
		if had && !equal(old, nv) {
			return errorf(TypeMutability, "%s is immutable and already has a value", label)
		}
	}
	return nil
}

// checkRemove checks that attribute attr may be unassigned (RFC 7644
// §3.5.2.2: not when it is required or readOnly; nor when immutable).
func checkRemove(attr *schema.Attribute, label string, had bool) *opError {
	if attr == nil {
		return nil
	}
	if attr.Mutability == schema.MutabilityReadOnly {
		return errorf(TypeMutability, "%s is readOnly", label)
	}
	if !had {
		return nil
	}
	if attr.Required {
		return errorf(TypeMutability, "%s is required and cannot be removed", label)
	}
	if attr.Mutability == schema.MutabilityImmutable {
		return errorf(TypeMutability, "%s is immutable", label)
	}
	return nil
}
