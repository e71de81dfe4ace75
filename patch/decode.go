package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// PatchOpURN is the schema URN of a PatchOp request (RFC 7644 §3.5.2).
const PatchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

// Bounds on what Decode and Apply accept. A request beyond them is refused with
// an *Error of type invalidValue, before any work is done on it.
const (
	// MaxOperations is the largest number of operations in one request.
	MaxOperations = 1000
	// MaxDepth is the deepest nesting of JSON arrays and objects in a request
	// body (the request object itself is depth 1, so an operation's value may
	// be nested MaxDepth-3 levels deep), and in a resource or value given to
	// Apply.
	MaxDepth = 32
	// MaxComparisons is the most value-by-value comparisons one Apply makes
	// to find the values an add duplicates or a remove lists, when they
	// have no string "value" to look them up by (an index finds those). A
	// request that needs more is refused: it would otherwise take time
	// quadratic in its number of values.
	MaxComparisons = 1 << 22
)

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

// Request is a decoded PatchOp request.
type Request struct {
	Schemas    []string
	Operations []Operation
}

// Decode decodes a PatchOp request body (RFC 7644 §3.5.2). It checks the
// request's shape only; paths and values are checked against the schema by
// [Apply]. Attribute names of the request ("schemas", "Operations", "op",
// "path", "value") and the op names are case-insensitive. A request without
// "schemas" is accepted; one whose "schemas" holds anything but [PatchOpURN] is
// not. Errors are *[Error]: Index -1 for problems of the whole request, the
// operation's index otherwise.
func Decode(data []byte) (*Request, error) {
	if err := checkDepth(data, MaxDepth); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var body any
	if err := dec.Decode(&body); err != nil {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: "request body is not valid JSON", Err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: "request body has data after the JSON object"}
	}
	top, ok := body.(map[string]any)
	if !ok {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: "request body must be a JSON object"}
	}
	req := &Request{}
	if raw, _ := get(top, "schemas"); raw != nil {
		schemas, err := decodeSchemas(raw)
		if err != nil {
			return nil, err
		}
		req.Schemas = schemas
	}
	raw, ok := get(top, "Operations")
	if !ok || raw == nil {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: `"Operations" is required`}
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: fmt.Sprintf(`"Operations" must be an array, not %s`, jsonType(raw))}
	}
	if len(list) == 0 {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: `"Operations" must hold at least one operation`}
	}
	if len(list) > MaxOperations {
		return nil, tooManyOperations(len(list))
	}
	req.Operations = make([]Operation, len(list))
	for i, item := range list {
		op, err := decodeOperation(item)
		if err != nil {
			return nil, err.at(i)
		}
		req.Operations[i] = op
	}
	return req, nil
}

func tooManyOperations(n int) *Error {
	return &Error{Index: -1, Type: TypeInvalidValue, Msg: fmt.Sprintf("%d operations, at most %d are allowed", n, MaxOperations)}
}

func decodeSchemas(raw any) ([]string, error) {
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: fmt.Sprintf(`"schemas" must be [%q]`, PatchOpURN)}
	}
	schemas := make([]string, len(list))
	for i, v := range list {
		s, ok := v.(string)
		if !ok || !strings.EqualFold(s, PatchOpURN) {
			return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: fmt.Sprintf(`"schemas" must be [%q]`, PatchOpURN)}
		}
		schemas[i] = s
	}
	return schemas, nil
}

func decodeOperation(item any) (Operation, *opError) {
	m, ok := item.(map[string]any)
	if !ok {
		return Operation{}, errorf(TypeInvalidSyntax, "an operation must be a JSON object, not %s", jsonType(item))
	}
	var op Operation
	raw, ok := get(m, "op")
	if !ok || raw == nil {
		return Operation{}, errorf(TypeInvalidSyntax, `"op" is required`)
	}
	name, ok := raw.(string)
	if !ok {
		return Operation{}, errorf(TypeInvalidSyntax, `"op" must be a string, not %s`, jsonType(raw))
	}
	op.Op = strings.ToLower(name)
	if op.Op != opAdd && op.Op != opRemove && op.Op != opReplace {
		return Operation{}, errorf(TypeInvalidSyntax, `unknown op %q (want "add", "remove" or "replace")`, name)
	}
	if raw, ok := get(m, "path"); ok && raw != nil {
		path, ok := raw.(string)
		if !ok {
			return Operation{}, errorf(TypeInvalidPath, `"path" must be a string, not %s`, jsonType(raw))
		}
		if strings.TrimSpace(path) == "" {
			return Operation{}, errorf(TypeInvalidPath, `"path" is empty`)
		}
		op.Path = path
	}
	op.Value, _ = get(m, "value")
	return op, nil
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

// checkDepth refuses JSON text nested deeper than max before it is decoded, so
// a hostile body costs one linear scan.
func checkDepth(data []byte, max int) error {
	depth := 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > max {
				return &Error{Index: -1, Type: TypeInvalidValue, Msg: fmt.Sprintf("request nested deeper than %d levels", max)}
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}
