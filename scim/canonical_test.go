package scim

import (
	"encoding/json"
	"maps"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scimkit/scimkit/schema"
)

func TestCanonicalize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
		wantErr        bool
	}{
		{name: "canonical already", in: `{"userName":"a","name":{"givenName":"G"},"emails":[{"value":"a@b.c","primary":true}]}`,
			want: `{"userName":"a","name":{"givenName":"G"},"emails":[{"value":"a@b.c","primary":true}]}`},
		{name: "other cases", in: `{"USERNAME":"a","Name":{"GIVENNAME":"G"},"Emails":[{"Value":"a@b.c","PRIMARY":true}],"Schemas":["x"]}`,
			want: `{"userName":"a","name":{"givenName":"G"},"emails":[{"value":"a@b.c","primary":true}],"schemas":["x"]}`},
		{name: "case folding beyond ASCII", in: `{"uſerName":"a"}`, want: `{"userName":"a"}`},
		{name: "one object for a multi-valued attribute", in: `{"emails":{"VALUE":"a@b.c"}}`, want: `{"emails":[{"value":"a@b.c"}]}`},
		{name: "unknown attributes kept", in: `{"Custom":{"X":1},"userName":"a"}`, want: `{"Custom":{"X":1},"userName":"a"}`},
		{name: "extension", in: `{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER":{"EmployeeNumber":"7"}}`,
			want: `{"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"employeeNumber":"7"}}`},
		{name: "elements of other cases", in: `{"emails":[{"value":"a@b.c"},{"VALUE":"d@e.f","Type":"work"}],"addresses":[{"type":"work"}]}`,
			want: `{"emails":[{"value":"a@b.c"},{"value":"d@e.f","type":"work"}],"addresses":[{"type":"work"}]}`},
		{name: "one object of other cases", in: `{"emails":{"VALUE":"a@b.c"},"Name":{"givenName":"G","FamilyName":"F"}}`,
			want: `{"emails":[{"value":"a@b.c"}],"name":{"givenName":"G","familyName":"F"}}`},
		{name: "core attributes named with their URN", in: `{"urn:ietf:params:scim:schemas:core:2.0:User:USERNAME":"a","URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:emails":{"VALUE":"a@b.c"}}`,
			want: `{"userName":"a","emails":[{"value":"a@b.c"}]}`},
		{name: "a URN and a name that is no attribute, kept", in: `{"urn:ietf:params:scim:schemas:core:2.0:User:custom":1}`,
			want: `{"urn:ietf:params:scim:schemas:core:2.0:User:custom":1}`},
		{name: "a name twice", in: `{"userName":"a","USERNAME":"b"}`, wantErr: true},
		{name: "a name with and without the URN", in: `{"userName":"a","urn:ietf:params:scim:schemas:core:2.0:User:userName":"b"}`, wantErr: true},
		{name: "a name with the URN and in another case", in: `{"USERNAME":"a","urn:ietf:params:scim:schemas:core:2.0:User:userName":"b"}`, wantErr: true},
		{name: "a sub-attribute twice", in: `{"name":{"givenName":"a","GivenName":"b"}}`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var doc map[string]any
			if err := json.Unmarshal([]byte(tc.in), &doc); err != nil {
				t.Fatal(err)
			}
			// shared holds the same nested values as doc: canonicalize
			// must leave them as they are.
			shared := maps.Clone(doc)
			var pristine map[string]any
			if err := json.Unmarshal([]byte(tc.in), &pristine); err != nil {
				t.Fatal(err)
			}
			err := canonicalize(doc, schema.User())
			if diff := cmp.Diff(pristine, shared); diff != "" {
				t.Errorf("canonicalize(%s) wrote into a nested value (-before +after):\n%s", tc.in, diff)
			}
			if tc.wantErr {
				if err == nil {
					t.Fatalf("canonicalize(%s) = nil, want an error", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("canonicalize(%s): %v", tc.in, err)
			}
			var want map[string]any
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, doc); diff != "" {
				t.Errorf("canonicalize(%s) (-want +got):\n%s", tc.in, diff)
			}
		})
	}
}
