package patch_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"

	"github.com/scimkit/scimkit/patch"
	"github.com/scimkit/scimkit/schema"
)

// Microsoft Entra ID disables a user with a capitalised op and a string
// boolean. Apply takes the resource it is given, here one fresh from
// encoding/json as a store's read returns it, and patches it.
func ExampleApply() {
	var resource map[string]any
	if err := json.Unmarshal([]byte(`{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "2819c223",
		"userName": "bjensen",
		"active": true
	}`), &resource); err != nil {
		fmt.Println(err)
		return
	}
	req, err := patch.Decode([]byte(`{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": "False"}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	updated, res, err := patch.Apply(resource, req.Operations, schema.User())
	if err != nil {
		fmt.Println(err)
		return
	}
	// resource is Apply's now: the caller goes on with updated.
	fmt.Println("active:", updated["active"])
	fmt.Println("deprovisioned:", res.Changed("active") && updated["active"] == false)
	fmt.Println("externalId changed:", res.Changed("externalId"))
	// Output:
	// active: false
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
// and the SCIM error type to answer with. Apply takes the resource it is
// given, so a caller that goes on with the resource as it was gives Apply a
// copy (a store's read is one).
func ExampleError() {
	stored := map[string]any{"id": "2819c223", "userName": "bjensen", "active": true}
	ops := []patch.Operation{
		{Op: "replace", Path: "active", Value: false},
		{Op: "replace", Path: "id", Value: "other"},
	}
	_, _, err := patch.Apply(maps.Clone(stored), ops, schema.User())
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
