package patch

import "strings"

// Operation is one PATCH operation (RFC 7644 §3.5.2).
type Operation struct {
	// Op is "add", "remove" or "replace". Decode lower-cases it; Apply accepts
	// any case.
	Op string
	// Path is the attribute path the operation targets ("" when the request
	// has none): attr, attr.sub, urn:...:attr, attr[filter] or attr[filter].sub.
	Path string
	// Value is the operation's value as encoding/json decodes it (numbers as
	// json.Number after Decode); nil when the request has none or null.
	Value any
}

// The op names, as Decode leaves them.
const (
	opAdd     = "add"
	opRemove  = "remove"
	opReplace = "replace"
)

// parseOp returns the op name op spells in any case (Entra ID sends "Add",
// "Replace" and "Remove"; RFC 7644 §3.5.2 spells them in lower case).
func parseOp(op string) (string, *opError) {
	switch {
	case op == opAdd || strings.EqualFold(op, opAdd):
		return opAdd, nil
	case op == opReplace || strings.EqualFold(op, opReplace):
		return opReplace, nil
	case op == opRemove || strings.EqualFold(op, opRemove):
		return opRemove, nil
	case op == "":
		return "", errorf(TypeInvalidSyntax, `"op" is required`)
	}
	return "", errorf(TypeInvalidSyntax, `unknown op %q (want "add", "remove" or "replace")`, op)
}
