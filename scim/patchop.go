package scim

import (
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/scimkit/scimkit/patch"
)

// decodePatch decodes a PatchOp body (RFC 7644 §3.5.2) as patch.Decode
// does, after the body checks of decodeObject (UTF-8, depth). The common
// request (members spelled as the RFC spells them, known ops, string
// paths) is decoded by decodeJSON and read here; every other body goes to
// patch.Decode, which also makes the errors. FuzzDecodePatch checks that
// both give the same requests.
func decodePatch(data []byte, maxDepth int) (*patch.Request, error) {
	if v, replaced, ok := decodeJSON(data, min(maxDepth, patch.MaxDepth)); ok && !replaced {
		if req, ok := patchRequest(v); ok {
			return req, nil
		}
	}
	if !utf8.Valid(data) {
		return nil, errorf(http.StatusBadRequest, TypeInvalidSyntax, "the request body is not valid UTF-8")
	}
	if err := checkDepth(data, maxDepth); err != nil {
		return nil, err
	}
	return patch.Decode(data)
}

// patchRequest reads a decoded PatchOp body that patch.Decode accepts
// without question, with the result patch.Decode gives; ok is false for
// any other, which patch.Decode then decodes (and refuses or accepts).
func patchRequest(v any) (*patch.Request, bool) {
	top, ok := v.(map[string]any)
	if !ok || !exactNames(top, "schemas", "Operations") {
		return nil, false
	}
	req := &patch.Request{}
	if raw := top["schemas"]; raw != nil {
		list, ok := raw.([]any)
		if !ok || len(list) == 0 {
			return nil, false
		}
		req.Schemas = make([]string, len(list))
		for i, e := range list {
			s, ok := e.(string)
			if !ok || !strings.EqualFold(s, patch.PatchOpURN) {
				return nil, false
			}
			req.Schemas[i] = s
		}
	}
	list, ok := top["Operations"].([]any)
	if !ok || len(list) == 0 || len(list) > patch.MaxOperations {
		return nil, false
	}
	req.Operations = make([]patch.Operation, len(list))
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok || !exactNames(m, "op", "path", "value") {
			return nil, false
		}
		name, ok := m["op"].(string)
		if !ok {
			return nil, false
		}
		op := patch.Operation{Op: strings.ToLower(name), Value: m["value"]}
		if op.Op != "add" && op.Op != "remove" && op.Op != "replace" {
			return nil, false
		}
		if raw := m["path"]; raw != nil {
			path, ok := raw.(string)
			if !ok || strings.TrimSpace(path) == "" {
				return nil, false
			}
			op.Path = path
		}
		req.Operations[i] = op
	}
	return req, true
}

// exactNames reports whether every member of m whose name equals one of
// names case-insensitively is spelled as that name, so that m[name] finds
// what patch.Decode's case-insensitive lookup finds.
func exactNames(m map[string]any, names ...string) bool {
	for k := range m {
		for _, n := range names {
			if k != n && strings.EqualFold(k, n) {
				return false
			}
		}
	}
	return true
}
