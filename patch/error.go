package patch

import (
	"encoding/json"
	"fmt"
)

// SCIM error types (RFC 7644 §3.12, "scimType") that [Error.Type] holds.
const (
	TypeInvalidSyntax = "invalidSyntax" // the request does not have the PatchOp shape
	TypeInvalidPath   = "invalidPath"   // a path is malformed or names no attribute of the schema
	TypeNoTarget      = "noTarget"      // a path or filter selects nothing where something is needed
	TypeInvalidValue  = "invalidValue"  // a value is missing, of the wrong type, or out of bounds
	TypeMutability    = "mutability"    // the operation would change a readOnly, immutable or required attribute
)

// Error is the error Decode and Apply return for a request a client got wrong.
// Index is the 0-based position of the failing operation in the request's
// Operations, or -1 when the problem is the request as a whole. Type is the SCIM
// error type (RFC 7644 §3.12) a server answers with status 400; it is one of the
// Type constants of this package.
type Error struct {
	Index int
	Type  string
	Msg   string
	Err   error // the cause, such as a *filter.SyntaxError; may be nil
}

// Error formats the error as "patch: operation 2: noTarget: ..." (or without the
// operation for whole-request problems).
func (e *Error) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("patch: %s: %s", e.Type, e.Msg)
	}
	return fmt.Sprintf("patch: operation %d: %s: %s", e.Index, e.Type, e.Msg)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// opError is the error of one operation before Apply knows the operation's index.
type opError struct {
	typ string
	msg string
	err error
}

func (e *opError) Error() string { return e.typ + ": " + e.msg }

func errorf(typ, format string, args ...any) *opError {
	return &opError{typ: typ, msg: fmt.Sprintf(format, args...)}
}

// at turns an operation error into an *Error for operation index.
func (e *opError) at(index int) *Error {
	return &Error{Index: index, Type: e.typ, Msg: e.msg, Err: e.err}
}

// describe names v for an error message: its JSON type, and the value itself
// when it is a short string.
func describe(v any) string {
	if s, ok := v.(string); ok && len(s) <= 40 {
		return "the string " + quote(s)
	}
	return jsonType(v)
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// jsonType names the JSON type of a decoded value, for error messages.
func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case string:
		return "a string"
	case json.Number, float64, float32, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64:
		return "a number"
	case []any, []string:
		return "an array"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("a %T", v)
	}
}
