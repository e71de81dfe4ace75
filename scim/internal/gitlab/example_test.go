package gitlab_test

import (
	"fmt"

	"github.com/scimkit/scimkit/scim/internal/gitlab"
)

func ExampleParseFilter() {
	f, err := gitlab.ParseFilter(`userName eq "jane@example.com"`)
	fmt.Println(f, err)
	fmt.Println(f.Attr == gitlab.AttrUserName, f.Value)
	_, err = gitlab.ParseFilter(`userName eq "jane" and active eq true`)
	fmt.Println(err)
	// Output:
	// userName eq "jane@example.com" <nil>
	// true jane@example.com
	// gitlab: unsupported filter: unexpected text after the value
}

func ExampleMarshalUser() {
	fmt.Printf("%s\n", gitlab.MarshalUser(&gitlab.User{
		ExternUID: "00ujl29u0le5T6Aj10h7", Active: true, Email: "jane@example.com", Name: "Jane Doe", UserName: "jane",
	}))
	// Output:
	// {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"00ujl29u0le5T6Aj10h7","active":true,"emails":[{"type":"work","value":"jane@example.com","primary":true}],"name":{"formatted":"Jane Doe","givenName":"Jane","familyName":"Doe"},"meta":{"resourceType":"User"},"userName":"jane"}
}

func ExampleParams_Create() {
	p, _ := gitlab.ParseParams("access_token=secret", []byte(`{"externalId":"x","userName":"jane"}`))
	p.AddRoute("group", "acme")
	_, err := p.Create()
	if me, ok := err.(*gitlab.MissingParamsError); ok {
		fmt.Printf("%s\n", gitlab.MarshalError(412, gitlab.DetailSaving(p, me.Message())))
	}
	// Output:
	// {"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Error saving user with {\"access_token\"=\u003e\"[FILTERED]\", \"externalId\"=\u003e\"x\", \"userName\"=\u003e\"jane\", \"group\"=\u003e\"acme\"}: Missing params: [:email]","status":412}
}

func ExampleParams_Patch() {
	p, _ := gitlab.ParseParams("", []byte(`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`))
	u, _ := p.Patch()
	fmt.Println(u.Action(true))
	// Output:
	// deprovision
}
