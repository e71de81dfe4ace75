package scim

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// groupPatch splits the operations of a PATCH of a Group (RFC 7644 §3.5.2)
// into identity's two halves: the operations on members become
// identity.MemberChanges, in the order of the operations, and every other
// operation runs through patch.Apply inside Mutate, on the group without
// its members. A group's members are thus never read, nor written, as one
// array: adding one member to a group of 100,000 adds one row.
//
// The operations on members, as the identity providers send them:
//
//	{"op":"add","path":"members","value":[{"value":"id"}]}          Add (Entra ID, Okta)
//	{"op":"remove","path":"members","value":[{"value":"id"}]}       Remove (Entra ID without aadOptscim062020)
//	{"op":"remove","path":"members[value eq \"id\"]"}               Remove (Okta; Entra ID with the flag)
//	{"op":"remove","path":"members"}                                remove them all
//	{"op":"replace","path":"members","value":[{"value":"id"}]}      Replace (Okta)
//	{"op":"add","value":{"members":[{"value":"id"}]}}               Add, no path (the rest of the value goes to patch)
//	{"op":"replace","value":{"members":[...]}}                      Replace, no path ({"members":null}: remove them all)
//
// The value filter of a remove may be value eq "id" conditions joined by
// "or"; any other filter on members is 400 invalidFilter, since members
// are found by their value alone. A path to a member's sub-attribute
// (members.display, members[value eq "id"].display) is 400 mutability: a
// member's sub-attributes are immutable (RFC 7643 §4.2), members are added
// and removed whole. An add or replace through a value filter is 400
// invalidPath. A single member object given for the list is a list of one,
// as patch takes it. Op names are case-insensitive (patch.Decode).
//
// Errors name the operation's index in the request, as patch's do.
func groupPatch(ops []patch.Operation, rt *schema.ResourceType) (identity.IdPGroupPatch, error) {
	var ch identity.IdPGroupPatch
	var others []patch.Operation
	var index []int // index[k] is the request's index of others[k]
	keep := func(i int, op patch.Operation) {
		others = append(others, op)
		index = append(index, i)
	}
	for i, op := range ops {
		if op.Path == "" {
			members, rest, ok := splitMembers(op)
			if !ok {
				keep(i, op) // patch.Apply judges it
				continue
			}
			for _, m := range members {
				if err := changeMembers(&ch.Members, i, op.Op, m, true); err != nil {
					return ch, err
				}
			}
			if len(rest) > 0 {
				keep(i, patch.Operation{Op: op.Op, Value: rest})
			}
			continue
		}
		path, err := filter.ParsePath(op.Path)
		if err != nil || !isMembers(path.Attr) {
			keep(i, op) // patch.Apply reports a bad path as invalidPath
			continue
		}
		switch {
		case path.Attr.Sub != "":
			return ch, &patch.Error{Index: i, Type: patch.TypeMutability, Msg: "the sub-attributes of a member are immutable (" +
				truncate(op.Path, 64) + "): add or remove the whole member, by its value"}
		case path.Filter != nil && !strings.EqualFold(op.Op, "remove"):
			return ch, &patch.Error{Index: i, Type: patch.TypeInvalidPath, Msg: "an " + op.Op +
				" of members takes the path \"members\" and a list of members; a value filter selects members to remove"}
		case path.Filter != nil:
			ids, ok := memberValues(path.Filter, nil)
			if !ok {
				return ch, errorf(http.StatusBadRequest, TypeInvalidFilter,
					"patch: operation %d: invalidFilter: members are selected by their value only, as members[value eq \"id\"] (or several joined by \"or\"), not by %s",
					i, truncate(path.Filter.String(), 64))
			}
			ch.Members.Remove(ids...)
		default:
			if err := changeMembers(&ch.Members, i, op.Op, op.Value, false); err != nil {
				return ch, err
			}
		}
	}
	if len(others) > 0 {
		ch.Mutate = func(cur map[string]any) (map[string]any, error) {
			next, _, err := patch.Apply(cur, others, rt)
			var pe *patch.Error
			if errors.As(err, &pe) && pe.Index >= 0 && pe.Index < len(index) {
				e := *pe
				e.Index = index[pe.Index]
				return nil, &e
			}
			return next, err
		}
	}
	return ch, nil
}

// changeMembers adds op, an operation on members with value, to c: add
// adds the members value lists, replace makes them the members, remove
// removes those it lists or, without a value, every member. A path-less
// replace with "members": null removes every member too, as null
// unassigns an attribute (RFC 7643 §2.5); an add or replace with a path
// needs a value (RFC 7644 §3.5.2.1).
func changeMembers(c *identity.MemberChanges, i int, op string, value any, pathless bool) error {
	var ids []string
	if value != nil {
		var err error
		if ids, err = memberIDs(i, value); err != nil {
			return err
		}
	}
	switch {
	case strings.EqualFold(op, "add"):
		if value == nil {
			return &patch.Error{Index: i, Type: patch.TypeInvalidValue, Msg: "an add of members needs a list of members"}
		}
		c.Add(ids...)
	case strings.EqualFold(op, "replace"):
		if value == nil && !pathless {
			return &patch.Error{Index: i, Type: patch.TypeInvalidValue, Msg: "a replace of members needs a list of members (an empty list removes them all)"}
		}
		c.Replace(ids...)
	case strings.EqualFold(op, "remove") && value == nil:
		c.Replace()
	case strings.EqualFold(op, "remove"):
		c.Remove(ids...)
	default:
		return &patch.Error{Index: i, Type: patch.TypeInvalidSyntax, Msg: "op must be add, remove or replace"}
	}
	return nil
}

// memberIDs reads the member ids of operation i's value: a list of member
// objects, or one.
func memberIDs(i int, value any) ([]string, error) {
	if m, ok := value.(map[string]any); ok {
		value = []any{m}
	}
	ids, err := identity.ParseMembers(value)
	if err != nil {
		var ie *identity.Error
		if errors.As(err, &ie) {
			return nil, &patch.Error{Index: i, Type: patch.TypeInvalidValue, Msg: "members: " + ie.Detail, Err: err}
		}
		return nil, err
	}
	return ids, nil
}

// splitMembers splits the value of an add or replace without a path into
// the values of its "members" member (in any spelling, or qualified by the
// Group schema's URN) and the rest; ok is false when the value has no
// members, or the operation is no add or replace (which patch.Apply
// refuses). A value that spells members more than once ("members" and
// "Members") gives each, in the byte order of the names, the order in
// which patch applies the members of a path-less value: a replace by the
// last of them wins, whatever order the map gives.
func splitMembers(op patch.Operation) (members []any, rest map[string]any, ok bool) {
	obj, isObj := op.Value.(map[string]any)
	if !isObj || !strings.EqualFold(op.Op, "add") && !strings.EqualFold(op.Op, "replace") {
		return nil, nil, false
	}
	var names []string
	for k, v := range obj {
		if isMembersName(k) {
			names = append(names, k)
			continue
		}
		if rest == nil {
			rest = make(map[string]any, len(obj))
		}
		rest[k] = v
	}
	slices.Sort(names)
	for _, k := range names {
		members = append(members, obj[k])
	}
	return members, rest, len(names) > 0
}

// isMembers reports whether path names the Group's members attribute.
func isMembers(path filter.AttrPath) bool {
	return (path.URN == "" || strings.EqualFold(path.URN, schema.GroupURN)) && strings.EqualFold(path.Name, "members")
}

// isMembersName reports whether a member name of a path-less value names
// the Group's members attribute: "members", or "urn:…:Group:members".
func isMembersName(k string) bool {
	return strings.EqualFold(withoutURN(k, schema.GroupURN), "members")
}

// memberValues appends to ids the values of a filter made of `value eq
// "id"` conditions joined by "or", and reports whether e is one.
func memberValues(e filter.Expr, ids []string) ([]string, bool) {
	switch e := e.(type) {
	case *filter.Compare:
		s, ok := e.Value.(string)
		if !ok || e.Op != filter.Eq || e.Attr.URN != "" || e.Attr.Sub != "" || !strings.EqualFold(e.Attr.Name, "value") {
			return nil, false
		}
		return append(ids, s), true
	case *filter.Or:
		ids, ok := memberValues(e.Left, ids)
		if !ok {
			return nil, false
		}
		return memberValues(e.Right, ids)
	}
	return nil, false
}
