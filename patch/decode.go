package patch

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// PatchOpURN is the schema URN of a PatchOp request (RFC 7644 §3.5.2).
const PatchOpURN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

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
// not. A body that is not valid UTF-8 (RFC 8259 §8.1) or not one JSON object,
// or that is nested deeper than [MaxDepth], is invalidSyntax. Errors are
// *[Error]: Index -1 for problems of the whole request, the operation's index
// otherwise.
func Decode(data []byte) (*Request, error) {
	if !utf8.Valid(data) {
		return nil, &Error{Index: -1, Type: TypeInvalidSyntax, Msg: "request body is not valid UTF-8"}
	}
	if err := checkDepth(data); err != nil {
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
	raw, _ := get(m, "op")
	if raw == nil {
		raw = ""
	}
	name, ok := raw.(string)
	if !ok {
		return Operation{}, errorf(TypeInvalidSyntax, `"op" must be a string, not %s`, jsonType(raw))
	}
	kind, err := parseOp(name)
	if err != nil {
		return Operation{}, err
	}
	op.Op = kind
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
