package jsondoc

import (
	"encoding/json"
	"testing"
)

// resource is a User resource as the scim handler renders it.
var resource = map[string]any{
	"schemas":    []any{"urn:ietf:params:scim:schemas:core:2.0:User"},
	"id":         "2819c223-7f76-453a-919d-413861904646",
	"externalId": "jane",
	"userName":   "jane",
	"name":       map[string]any{"givenName": "Test", "familyName": "User"},
	"emails":     []any{map[string]any{"primary": true, "value": "jane@example.com", "type": "work"}},
	"active":     true,
	"meta": map[string]any{"resourceType": "User", "created": "2026-01-02T03:04:05Z", "lastModified": "2026-01-02T03:04:05Z",
		"location": "http://example.com/Users/2819c223-7f76-453a-919d-413861904646", "version": `W/"1"`},
}

func BenchmarkAppend(b *testing.B) {
	b.Run("jsondoc", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		for b.Loop() {
			var err error
			if buf, err = Append(buf[:0], resource); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(resource); err != nil {
				b.Fatal(err)
			}
		}
	})
}
