package gitlab

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func BenchmarkParseFilter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseFilter(`userName eq "jane.doe@example.com"`); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshalList(b *testing.B) {
	users := make([]User, 20)
	for i := range users {
		users[i] = User{ExternUID: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", Active: true, Email: "jane.doe@example.com", Name: "Jane Q Doe", UserName: "jane.doe"}
	}
	p := ParsePage(url.Values{"startIndex": {"1"}, "count": {"20"}})
	b.ReportAllocs()
	for b.Loop() {
		_ = MarshalList(100, p, users)
	}
}

func BenchmarkCreateAndDump(b *testing.B) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"externalId":"0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef","userName":"Test_User",` +
		`"active":true,"emails":[{"primary":true,"type":"work","value":"test@example.com"}],"name":{"formatted":"givenName familyName","familyName":"familyName","givenName":"givenName"},"roles":[]}`)
	b.ReportAllocs()
	for b.Loop() {
		p, err := ParseParams("access_token=x", body)
		if err != nil {
			b.Fatal(err)
		}
		p.AddRoute("group", "acme")
		if _, err := p.Create(); err != nil {
			b.Fatal(err)
		}
		_ = p.Dump()
	}
}

// BenchmarkParseParamsManyKeys parses a body of 60,000 members (under the
// 1 MiB limit): the cost must grow with the size, not its square.
func BenchmarkParseParamsManyKeys(b *testing.B) {
	var body strings.Builder
	body.WriteString("{")
	for i := range 60000 {
		if i > 0 {
			body.WriteString(",")
		}
		fmt.Fprintf(&body, `"x%d":1`, i)
	}
	body.WriteString("}")
	data := []byte(body.String())
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseParams("", data); err != nil {
			b.Fatal(err)
		}
	}
}
