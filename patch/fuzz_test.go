package patch

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"
)

// FuzzApply decodes a resource and a PatchOp request and applies it. Apply
// must never panic, must answer a failure with a *Error and nothing else,
// must return a resource encoding/json can encode, and must keep its side
// of the ownership contract: the operations stay as they were, and the
// result shares no object or array with them nor holds one in two places.
// The seed corpus is in testdata/fuzz/FuzzApply (made from the shared
// cases).
func FuzzApply(f *testing.F) {
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"a","emails":[{"value":"a@example.com","primary":true}]}`),
		[]byte(`{"Operations":[{"op":"Add","path":"emails[type eq \"work\"].value","value":"b@example.com"}]}`))
	f.Fuzz(func(t *testing.T, resource, body []byte) {
		var res map[string]any
		if json.Unmarshal(resource, &res) != nil || res == nil {
			return
		}
		req, err := Decode(body)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Decode error %v is not a *patch.Error", err)
			}
			return
		}
		pristine, err := Decode(body)
		if err != nil {
			t.Fatalf("body decodes once only: %v", err)
		}
		got, result, err := Apply(res, req.Operations, resourceType(res))
		if !reflect.DeepEqual(pristine.Operations, req.Operations) {
			t.Fatalf("Apply changed the operations")
		}
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) {
				t.Fatalf("Apply error %v is not a *patch.Error", err)
			}
			if got != nil || result != nil {
				t.Fatalf("Apply returned a resource with its error")
			}
			return
		}
		if _, err := json.Marshal(got); err != nil {
			t.Fatalf("result does not encode: %v", err)
		}
		places := map[uintptr]string{}
		containers(t, got, "result", places)
		containers(t, opValues(req.Operations), "operations", places)
	})
}

// FuzzDecode checks that Decode never panics and answers every body it
// refuses with a *Error, and that what it accepts has only known ops and at
// most MaxOperations operations. Its seed corpus is in
// testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := Decode(body)
		if err != nil {
			var perr *Error
			if !errors.As(err, &perr) || req != nil {
				t.Fatalf("Decode = %v, %v; want only a *patch.Error", req, err)
			}
			return
		}
		if len(req.Operations) == 0 || len(req.Operations) > MaxOperations {
			t.Fatalf("Decode accepted %d operations", len(req.Operations))
		}
		for _, op := range req.Operations {
			if op.Op != opAdd && op.Op != opRemove && op.Op != opReplace {
				t.Fatalf("Decode accepted op %q", op.Op)
			}
		}
	})
}
