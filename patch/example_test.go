package patch_test

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// Microsoft Entra ID disables a user with a capitalised op and a string
// boolean. The stored resource is not modified.
func ExampleApply() {
	stored := map[string]any{
		"schemas":  []any{schema.UserURN},
		"id":       "2819c223",
		"userName": "bjensen",
		"active":   true,
	}
	req, err := patch.Decode([]byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": "False"}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	updated, res, err := patch.Apply(stored, req.Operations, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("active:", updated["active"], "stored:", stored["active"])
	fmt.Println("deprovisioned:", res.Changed("active") && updated["active"] == false)
	fmt.Println("externalId changed:", res.Changed("externalId"))
	// Output:
	// active: false stored: true
	// deprovisioned: true
	// externalId changed: false
}

// An add through a value filter that matches nothing creates the value the
// filter describes, as Entra ID expects.
func ExampleApply_valuePath() {
	stored := map[string]any{"userName": "bjensen"}
	ops := []patch.Operation{
		{Op: "add", Path: `addresses[type eq "work"].streetAddress`, Value: "1 Main St"},
		{Op: "replace", Path: `addresses[type eq "work"].locality`, Value: "Seattle"},
	}
	updated, _, err := patch.Apply(stored, ops, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	out, _ := json.Marshal(updated["addresses"])
	fmt.Println(string(out))
	// Output:
	// [{"locality":"Seattle","streetAddress":"1 Main St","type":"work"}]
}

// A failing operation fails the whole request: the error names the operation
// and the SCIM error type to answer with.
func ExampleError() {
	stored := map[string]any{"id": "2819c223", "userName": "bjensen", "active": true}
	ops := []patch.Operation{
		{Op: "replace", Path: "active", Value: false},
		{Op: "replace", Path: "id", Value: "other"},
	}
	_, _, err := patch.Apply(stored, ops, schema.User())
	var perr *patch.Error
	if errors.As(err, &perr) {
		fmt.Println(perr.Index, perr.Type)
	}
	fmt.Println(err)
	fmt.Println("active:", stored["active"])
	// Output:
	// 1 mutability
	// patch: operation 1: mutability: id is readOnly
	// active: true
}

func ExampleDecode() {
	req, err := patch.Decode([]byte(`{"Operations":[
		{"op":"Add","path":"nickName","value":"Babs"},
		{"op":"remove","path":"members[value eq \"2819c223\"]"}
	]}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, op := range req.Operations {
		fmt.Printf("%s %s %v\n", op.Op, op.Path, op.Value)
	}
	_, err = patch.Decode([]byte(`{"Operations":{"op":"add"}}`))
	fmt.Println(err)
	// Output:
	// add nickName Babs
	// remove members[value eq "2819c223"] <nil>
	// patch: invalidSyntax: "Operations" must be an array, not an object
}

func ExampleResult_Attributes() {
	stored := map[string]any{"userName": "bjensen", "name": map[string]any{"givenName": "Barbara"}}
	ops := []patch.Operation{{Op: "replace", Value: map[string]any{
		"name.givenName": "Babs",
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Tours",
	}}}
	_, res, err := patch.Apply(stored, ops, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, name := range res.Attributes() {
		fmt.Println(name)
	}
	fmt.Println(res.Changed("department"))
	// Output:
	// name
	// name.givenName
	// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User
	// urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department
	// true
}

// A handler that stores the patched resource as it is, without changing it
// in place, spares the copy of the attributes the operations leave alone.
func ExampleApplyShared() {
	stored := map[string]any{
		"userName": "bjensen",
		"emails":   []any{map[string]any{"value": "bjensen@example.com", "type": "work"}},
		"active":   true,
	}
	ops := []patch.Operation{{Op: "replace", Path: "active", Value: false}}
	updated, res, err := patch.ApplyShared(stored, ops, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("active:", updated["active"], "stored:", stored["active"])
	fmt.Println("changed:", res.Attributes())
	// Output:
	// active: false stored: true
	// changed: [active]
}

// A handler that has a map of its own for the stored resource, made for
// this request, lets ApplyOwned patch that map instead of a copy.
func ExampleApplyOwned() {
	stored := map[string]any{"userName": "bjensen", "active": true}
	mine := map[string]any{"userName": stored["userName"], "active": stored["active"]}
	ops := []patch.Operation{{Op: "replace", Path: "active", Value: false}}
	updated, res, err := patch.ApplyOwned(mine, ops, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("active:", updated["active"], "stored:", stored["active"])
	fmt.Println("changed:", res.Attributes())
	// Output:
	// active: false stored: true
	// changed: [active]
}
