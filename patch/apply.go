package patch

import (
	"errors"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
)

// Apply applies ops, in order, to resource under the resource type rt
// (RFC 7644 §3.5.2), and returns the patched resource and what changed.
//
// Apply takes ownership of resource: the map and every object and array in
// it. It may modify them and return them, or parts of them, in its result;
// the caller must not use resource after the call, whether Apply succeeds or
// fails. A caller that needs the resource as it was passes a copy (a store's
// read returns a fresh one). A nil resource is an empty one.
//
// The result shares nothing with ops: the values Apply takes from the
// operations are checked against the schema and copied, so the caller may
// keep, reuse or change ops afterwards.
//
// Apply is all-or-nothing: when an operation fails it returns a nil map and
// an *[Error] with the operation's index and SCIM error type, and the caller
// goes on with the copy of the resource it has (RFC 7644 §3.5.2: a PATCH
// request is atomic). Apply does not touch "meta": keeping it current is the
// caller's job.
//
// rt must not be nil; use [schema.User] or [schema.Group] for the built-in
// resource types. Attributes rt does not define are kept and patched as they
// are, without type checks; their names compare case-insensitively like all
// others. The package documentation lists how Apply answers the questions the
// RFC leaves open. Apply is safe for concurrent use on different resources
// (rt is only read).
func Apply(resource map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, *Result, error) {
	if rt == nil || rt.Schema == nil {
		return nil, nil, errors.New("patch: Apply needs a resource type with a core schema")
	}
	if len(ops) > MaxOperations {
		return nil, nil, tooManyOperations(len(ops))
	}
	if resource == nil {
		resource = map[string]any{}
	}
	a := &applier{rt: rt, res: resource}
	for i, op := range ops {
		if err := a.apply(op); err != nil {
			return nil, nil, err.at(i)
		}
	}
	return a.res, a.result(), nil
}

// applier holds the state of one Apply call.
type applier struct {
	rt      *schema.ResourceType
	res     map[string]any // the resource being patched, in place
	touched []touchedKey   // keys of res the operations wrote: attribute names and extension URNs (result.go)
	// budget bounds the work on values of multi-valued attributes:
	// MaxComparisons units (limits.go), shared by the value filters;
	// made on first use (see work), so that an Apply that walks no values
	// allocates none.
	budget *filter.Budget
}

// apply applies one operation: it checks the op name and the value, and
// sends the operation on by the kind of its path: none or an extension URN
// (pathless.go), or an attribute path (applyTarget).
func (a *applier) apply(op Operation) *opError {
	kind, err := parseOp(op.Op)
	if err != nil {
		return err
	}
	path := strings.TrimSpace(op.Path)
	if path == "" {
		if kind == opRemove {
			return errorf(TypeNoTarget, `"remove" needs a path (RFC 7644 §3.5.2.2)`)
		}
		obj, ok := op.Value.(map[string]any)
		if !ok {
			if op.Value == nil {
				return errorf(TypeInvalidValue, `"value" is required for %q`, kind)
			}
			return errorf(TypeInvalidValue, "an operation without a path needs an object value, not %s", jsonType(op.Value))
		}
		return a.applyObject(kind, nil, obj)
	}
	if kind != opRemove && op.Value == nil {
		return errorf(TypeInvalidValue, `"value" is required for %q`, kind)
	}
	if s := a.rt.SchemaFor(path); s != nil {
		return a.applySchema(kind, s, op.Value)
	}
	p, perr := filter.ParsePath(path)
	if perr != nil {
		return &opError{typ: TypeInvalidPath, msg: fmt.Sprintf("%s is not a valid path: %v", quote(path), perr), err: perr}
	}
	t, err := a.resolve(p)
	if err != nil {
		return err
	}
	return a.applyTarget(kind, t, op.Value)
}

// applyTarget applies an operation on a resolved attribute path: through a
// value filter (valuepath.go), on a sub-attribute (subattribute.go), or on
// the whole attribute (attribute.go).
func (a *applier) applyTarget(kind string, t *target, v any) *opError {
	// An operation may walk every value of the attribute it names.
	if err := a.walk(a.values(t)); err != nil {
		return err
	}
	var err *opError
	switch {
	case t.filter != nil:
		err = a.applyFiltered(kind, t, v)
	case t.subName != "":
		err = a.applySub(kind, t, v)
	default:
		err = a.applyAttr(kind, t, v)
	}
	a.tidy(t)
	return err
}
