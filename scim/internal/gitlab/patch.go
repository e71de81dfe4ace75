package gitlab

import (
	"strconv"
	"strings"
)

// Update is what a PATCH /Users/{id} asks for, read the way GitLab reads
// its Operations (docs/gitlab.md §6.1). A nil field was not asked
// for.
type Update struct {
	// Active is set by an operation on active whose value is a boolean or
	// the string true or false in any case.
	Active *bool
	// ExternUID is set by an operation on id or externalId.
	ExternUID *string
	// Name is set by an operation on displayName or name.formatted.
	Name *string
	// Email is set by an operation on `emails[type eq "work"].value`.
	Email *string
	// UserName is set by an operation on userName.
	UserName *string
}

// PatchError reports a PatchOp request GitLab cannot read (where GitLab
// itself would fail with a 500). The profile answers it with GitLab's 412
// "Error updating ...".
type PatchError struct {
	// Index is the operation's 0-based position, -1 for the whole request.
	Index int
	// Reason says what is wrong.
	Reason string
}

// Error returns "gitlab: operation N: reason" or "gitlab: reason".
func (e *PatchError) Error() string {
	if e.Index < 0 {
		return "gitlab: " + e.Reason
	}
	return "gitlab: operation " + strconv.Itoa(e.Index) + ": " + e.Reason
}

// Patch reads the Operations parameter (exact name; absent or null means
// no operations) of a PATCH /Users/{id}.
//
// Each operation's op is compared case-insensitively and only add and
// replace are acted on; remove and unknown ops are ignored. With a path
// (any non-null path), the path is mapped through GitLab's key map
// (exact, case-sensitive) and unknown paths are ignored. Without a path
// the value must be an object and only its first member is used (Okta's
// form). Operations are applied in order, a later one replacing what an
// earlier one set for the same field; a null value, or for active a value
// that is not true or false, clears the field.
//
// A non-array Operations, an operation that is not an object or has no
// string op, a path-less operation whose value is not an object, and an
// object or array value for a mapped field are a *[PatchError].
func (p *Params) Patch() (Update, error) {
	var u Update
	v, _ := p.obj.get("Operations")
	if v == nil {
		return u, nil
	}
	ops, ok := v.([]any)
	if !ok {
		return Update{}, &PatchError{Index: -1, Reason: "Operations is not an array"}
	}
	for i, e := range ops {
		op, ok := e.(object)
		if !ok {
			return Update{}, &PatchError{Index: i, Reason: "not an object"}
		}
		name, ok := op.getOr("op").(string)
		if !ok {
			return Update{}, &PatchError{Index: i, Reason: "op is missing or not a string"}
		}
		if n := strings.ToLower(name); n != "add" && n != "replace" {
			continue
		}
		var key string
		var val any
		if path := op.getOr("path"); path != nil {
			key, _ = path.(string)
			val = op.getOr("value")
		} else {
			obj, ok := op.getOr("value").(object)
			if !ok {
				return Update{}, &PatchError{Index: i, Reason: "value without path is not an object"}
			}
			if len(obj) == 0 {
				continue
			}
			key, val = obj[0].key, obj[0].val
		}
		if err := u.set(mapKey(key), val); err != nil {
			return Update{}, &PatchError{Index: i, Reason: err.Reason}
		}
	}
	return u, nil
}

// set applies one operation's value to field f.
func (u *Update) set(f field, val any) *PatchError {
	if f == fieldNone {
		return nil
	}
	if f == fieldActive {
		u.Active = nil
		if b, ok := castBool(val); ok {
			u.Active = &b
		}
		return nil
	}
	var sp *string
	if val != nil {
		s, ok := castString(val)
		if !ok {
			return &PatchError{Reason: "value is an object or array"}
		}
		sp = &s
	}
	switch f {
	case fieldExternUID:
		u.ExternUID = sp
	case fieldName:
		u.Name = sp
	case fieldEmail:
		u.Email = sp
	case fieldUsername:
		u.UserName = sp
	}
	return nil
}

// Action is what a PATCH does to an identity.
type Action uint8

// The PATCH actions, in the order they are decided.
const (
	// ActionNone changes nothing; the answer is still 204.
	ActionNone Action = iota
	// ActionDeprovision deactivates the identity and removes the
	// membership (active set to false).
	ActionDeprovision
	// ActionReprovision reactivates an inactive identity and restores the
	// membership (active set to true on an inactive identity).
	ActionReprovision
	// ActionExternUID changes the identity's extern_uid, and nothing else.
	ActionExternUID
	// ActionAttributes hands name, email and userName to the provisioning
	// rules, which apply them to accounts the group provisioned only.
	ActionAttributes
)

// String returns the action's name.
func (a Action) String() string {
	switch a {
	case ActionNone:
		return "none"
	case ActionDeprovision:
		return "deprovision"
	case ActionReprovision:
		return "reprovision"
	case ActionExternUID:
		return "externUID"
	case ActionAttributes:
		return "attributes"
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// Action decides what u does to an identity that is active or not
// (docs/gitlab.md §6.2), first match winning:
//
//  1. active false: deprovision; the other operations are ignored.
//  2. active true on an inactive identity: reprovision; the other
//     operations are ignored.
//  3. an id/externalId change: change the extern_uid only.
//  4. a name, email or userName: hand them to the provisioning rules.
//  5. otherwise nothing (active true on an active identity included).
//
// GitLab reprovisions an inactive identity on any PATCH that does not set
// active to false, even one that only renames; that is not copied: only
// an explicit active true reactivates. Rule 4 departs from GitLab too:
// since GitLab 15.0 a PATCH changes no name, email or userName, while
// scimkit applies them to accounts the group provisioned and acknowledges
// them unapplied for accounts it only linked (docs/gitlab.md, PATCH).
func (u Update) Action(identityActive bool) Action {
	switch {
	case u.Active != nil && !*u.Active:
		return ActionDeprovision
	case u.Active != nil && *u.Active && !identityActive:
		return ActionReprovision
	case u.ExternUID != nil:
		return ActionExternUID
	case u.Name != nil || u.Email != nil || u.UserName != nil:
		return ActionAttributes
	}
	return ActionNone
}
