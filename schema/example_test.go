package schema_test

import (
	"fmt"

	"github.com/scimkit/scimkit/schema"
)

func ExampleResourceType_Resolve() {
	r, ok := schema.User().Resolve("", "manager", "value")
	fmt.Println(ok, r.Schema.ID, r.Attr.Name, r.Sub.Name, r.Sub.Type)
	// Output: true urn:ietf:params:scim:schemas:extension:enterprise:2.0:User manager value string
}

func ExampleUser() {
	rt := schema.User()
	fmt.Println(rt.Endpoint, rt.Schema.ID, rt.Schema.Attr("USERNAME").Name, rt.Schema.Attr("userName").Uniqueness)
	// Output: /Users urn:ietf:params:scim:schemas:core:2.0:User userName server
}
