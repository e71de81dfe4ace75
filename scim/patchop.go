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
	if req, ok := decodePatchOp(data, min(maxDepth, patch.MaxDepth)); ok {
		return req, nil
	}
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

// decodePatchOp decodes the common PatchOp body straight into a
// patch.Request, without the maps decodeJSON would build for it: members
// "schemas" and "Operations", each at most once and spelled so, and
// operations whose members "op", "path" and "value" are each given at most
// once and spelled so. It gives what decodeJSON and patchRequest give
// (TestDecodePatchOpAgrees); ok is false for any other body, which they
// then read.
func decodePatchOp(data []byte, maxDepth int) (*patch.Request, bool) {
	d := decoder{data: data, maxDepth: maxDepth}
	if len(data) <= maxSharedBody {
		d.src = string(data)
	}
	// The common body's one schema and one operation share the request's
	// allocation; a longer list grows out of it.
	c := &struct {
		req     patch.Request
		schemas [1]string
		ops     [1]patch.Operation
	}{}
	req := &c.req
	req.Schemas, req.Operations = c.schemas[:0:1], c.ops[:0:1]
	var seenSchemas, seenOps bool
	ok := d.members(func(k string) bool {
		switch {
		case k == "schemas" && !seenSchemas:
			seenSchemas = true
			return d.patchSchemas(req)
		case k == "Operations" && !seenOps:
			seenOps = true
			return d.patchOps(req)
		case strings.EqualFold(k, "schemas") || strings.EqualFold(k, "Operations"):
			return false
		}
		_, ok := d.value()
		return ok
	})
	if !ok || !seenOps || d.replaced {
		return nil, false
	}
	d.skipSpace()
	if d.i != len(d.data) {
		return nil, false
	}
	// An absent list is nil, as patchRequest leaves it.
	if len(req.Schemas) == 0 {
		req.Schemas = nil
	}
	if len(req.Operations) == 0 {
		req.Operations = nil
	}
	return req, true
}

// members reads the object at d.i, after optional white space, calling
// member after each member name with d.i before the value, which member
// reads.
func (d *decoder) members(member func(k string) bool) bool {
	d.skipSpace()
	if d.i >= len(d.data) || d.data[d.i] != '{' || !d.enter() {
		return false
	}
	d.i++
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == '}' {
		d.i++
		d.depth--
		return true
	}
	for {
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != '"' {
			return false
		}
		k, ok := d.str()
		if !ok {
			return false
		}
		d.skipSpace()
		if d.i >= len(d.data) || d.data[d.i] != ':' {
			return false
		}
		d.i++
		if !member(k) {
			return false
		}
		if more, ok := d.more('}'); !more {
			return ok
		}
	}
}

// patchSchemas reads a PatchOp's "schemas" as patchRequest does.
func (d *decoder) patchSchemas(req *patch.Request) bool {
	d.skipSpace()
	if d.i < len(d.data) && d.data[d.i] == '[' {
		// An array is read element by element, without the []any and
		// the boxed strings d.value would make: every element must be
		// the PatchOp URN, so anything but a string refuses the body.
		if !d.enter() {
			return false
		}
		d.i++
		for {
			d.skipSpace()
			if d.i >= len(d.data) || d.data[d.i] != '"' {
				return false // also "[]": an empty list is refused
			}
			s, ok := d.str()
			if !ok || !strings.EqualFold(s, patch.PatchOpURN) {
				return false
			}
			req.Schemas = append(req.Schemas, s)
			if more, ok := d.more(']'); !more {
				return ok
			}
		}
	}
	v, ok := d.value()
	if !ok {
		return false
	}
	if v == nil {
		return true
	}
	list, ok := v.([]any)
	if !ok || len(list) == 0 {
		return false
	}
	req.Schemas = make([]string, len(list))
	for i, e := range list {
		s, ok := e.(string)
		if !ok || !strings.EqualFold(s, patch.PatchOpURN) {
			return false
		}
		req.Schemas[i] = s
	}
	return true
}

// patchOps reads a PatchOp's "Operations" as patchRequest does.
func (d *decoder) patchOps(req *patch.Request) bool {
	d.skipSpace()
	if d.i >= len(d.data) || d.data[d.i] != '[' || !d.enter() {
		return false
	}
	d.i++
	for {
		if len(req.Operations) == patch.MaxOperations {
			return false
		}
		op, ok := d.patchOp()
		if !ok {
			return false
		}
		req.Operations = append(req.Operations, op)
		more, ok := d.more(']')
		if !ok {
			return false
		}
		if !more {
			return true
		}
	}
}

// patchOp reads one operation as patchRequest does.
func (d *decoder) patchOp() (patch.Operation, bool) {
	var op patch.Operation
	var seenOp, seenPath, seenValue bool
	ok := d.members(func(k string) bool {
		switch {
		case k == "op" && !seenOp:
			seenOp = true
			s, ok := d.strValue()
			if !ok {
				return false
			}
			op.Op = strings.ToLower(s)
			return op.Op == "add" || op.Op == "remove" || op.Op == "replace"
		case k == "path" && !seenPath:
			seenPath = true
			v, ok := d.value()
			if !ok {
				return false
			}
			if v == nil {
				return true
			}
			s, ok := v.(string)
			if !ok || strings.TrimSpace(s) == "" {
				return false
			}
			op.Path = s
			return true
		case k == "value" && !seenValue:
			seenValue = true
			v, ok := d.value()
			op.Value = v
			return ok
		case strings.EqualFold(k, "op") || strings.EqualFold(k, "path") || strings.EqualFold(k, "value"):
			return false
		}
		_, ok := d.value()
		return ok
	})
	return op, ok && seenOp
}

// strValue reads a string value, after optional white space.
func (d *decoder) strValue() (string, bool) {
	d.skipSpace()
	if d.i >= len(d.data) || d.data[d.i] != '"' {
		return "", false
	}
	return d.str()
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
