package schema_test

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

// TestCheck pins what ResourceType.Check accepts and refuses, with the
// values of issue 17's reproduction (a number where a string is expected,
// numbers beyond float64's range, "active":"bogus") and the shapes identity
// providers really send.
func TestCheck(t *testing.T) {
	rt := schema.User()
	decode := func(s string) map[string]any {
		t.Helper()
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			t.Fatalf("decoding %s: %v", s, err)
		}
		return m
	}
	cases := []struct {
		name string
		doc  string
		path string // "" when the document fits
	}{
		{"plain user", `{"userName":"a","active":true,"emails":[{"value":"a@x.io","primary":true}],"name":{"givenName":"A"}}`, ""},
		{"Entra's string booleans", `{"active":"False","emails":[{"value":"a@x.io","primary":"True"}]}`, ""},
		{"null unassigns", `{"nickName":null,"name":null,"emails":[null]}`, ""},
		{"one value for a multi-valued attribute", `{"emails":{"value":"a@x.io"}}`, ""},
		{"custom attributes keep their type", `{"loginCount":10,"tags":["a",1,true,null],"custom":{"n":-0}}`, ""},
		{"enterprise extension", `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7","manager":{"value":"m"}}}`, ""},
		{"decimal -0 and an exponent", `{"urn:example:custom":{"x":-0,"y":1e300}}`, ""},
		{"dateTime without a zone", `{"meta":{"created":"2024-01-02T03:04:05"}}`, ""},

		{"number where a string is expected", `{"nickName":1e400}`, "nickName"},
		{"negative zero where a string is expected", `{"nickName":-0}`, "nickName"},
		{"a small number where a string is expected", `{"userName":5}`, "userName"},
		{"bogus boolean", `{"active":"bogus"}`, "active"},
		{"number as a boolean", `{"active":1}`, "active"},
		{"sub-attribute boolean", `{"emails":[{"value":"a@x.io","primary":"yes"}]}`, "emails.primary"},
		{"sub-attribute string", `{"name":{"givenName":false}}`, "name.givenName"},
		{"complex given a string", `{"name":"Ada"}`, "name"},
		{"element of the wrong type", `{"emails":["a@x.io"]}`, "emails"},
		{"array for a single-valued attribute", `{"displayName":["a","b"]}`, "displayName"},
		{"overflowing custom number", `{"loginCount":0.1e999999999}`, "loginCount"},
		{"overflowing number deep in a custom value", `{"custom":{"list":[{"n":-1e309}]}}`, "custom.list.n"},
		{"overflowing number in an unknown sub-attribute", `{"name":{"rank":1e400}}`, "name.rank"},
		{"extension attribute", `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":7}}`,
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber"},
		{"extension not an object", `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":"x"}`,
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"},
		{"dateTime", `{"meta":{"created":"yesterday"}}`, "meta.created"},
		{"case-insensitive names", `{"ACTIVE":"maybe"}`, "active"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := rt.Check(decode(tc.doc))
			if tc.path == "" {
				if err != nil {
					t.Fatalf("Check(%s) = %v, want nil", tc.doc, err)
				}
				return
			}
			var ve *schema.ValueError
			if !errors.As(err, &ve) {
				t.Fatalf("Check(%s) = %v, want a *schema.ValueError", tc.doc, err)
			}
			if d := cmp.Diff(tc.path, ve.Path); d != "" {
				t.Errorf("Check(%s): path (-want +got):\n%s\nerror: %v", tc.doc, d, err)
			}
		})
	}
}

// TestCheckValueNumbers pins the ranges of integer and decimal attributes
// for the number types a Go caller may use.
func TestCheckValueNumbers(t *testing.T) {
	integer := &schema.Attribute{Name: "n", Type: schema.TypeInteger}
	decimal := &schema.Attribute{Name: "d", Type: schema.TypeDecimal}
	cases := []struct {
		a    *schema.Attribute
		v    any
		want bool
	}{
		{integer, json.Number("9223372036854775807"), true},
		{integer, json.Number("9223372036854775808"), false},
		{integer, json.Number("1.5"), false},
		{integer, json.Number("1e3"), false}, // an exponent is not an integer literal
		{integer, 1e3, true},
		{integer, math.Pow(2, 63), false},
		{integer, uint64(math.MaxUint64), false},
		{integer, -3, true},
		{decimal, json.Number("1e308"), true},
		{decimal, json.Number("1e309"), false},
		{decimal, math.Inf(1), false},
		{decimal, math.NaN(), false},
		{decimal, float32(1.5), true},
		{decimal, "1.5", false},
	}
	for _, tc := range cases {
		err := tc.a.CheckValue(tc.v)
		if (err == nil) != tc.want {
			t.Errorf("%s attribute, %T %v: CheckValue = %v, want ok=%v", tc.a.Type, tc.v, tc.v, err, tc.want)
		}
	}
}

// BenchmarkCheck checks a typical User as POSTed by Entra ID, the check every
// write now makes.
func BenchmarkCheck(b *testing.B) {
	rt := schema.User()
	d := json.NewDecoder(strings.NewReader(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],` +
		`"externalId":"0a21f0f2-8d2a-4f8e-bf98-7a2f5d8d3d4f","userName":"Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1","active":true,` +
		`"displayName":"BobIsAmazing","emails":[{"primary":true,"type":"work","value":"Test_User_fd0ea19b@testuser.com"}],` +
		`"meta":{"resourceType":"User"},"name":{"formatted":"Ryan Leenay","familyName":"Leenay","givenName":"Ryan"},` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"department":"Sales","employeeNumber":"7"}}`))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := rt.Check(doc); err != nil {
			b.Fatal(err)
		}
	}
}
