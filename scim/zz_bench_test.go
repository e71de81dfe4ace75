package scim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/scimkit/scimkit/scim/internal/jsondoc"
	"github.com/scimkit/scimkit/store"
)

func BenchmarkZZUserResource(b *testing.B) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var doc map[string]any
	json.Unmarshal([]byte(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"jane","name":{"givenName":"Test","familyName":"User"},"emails":[{"primary":true,"value":"jane@example.com","type":"work"}]}`), &doc)
	s := &store.SCIMIdentity{ID: "2819c223-7f76-453a-919d-413861904646", ExternUID: "jane", Active: true, Document: doc, Version: 1, Created: at, Updated: at}
	b.Run("resource", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = s.Resource()
		}
	})
	b.Run("userResource", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = userResource(s, "http://example.com/Users/2819c223-7f76-453a-919d-413861904646")
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		buf := make([]byte, 0, 1024)
		r := userResource(s, "http://example.com/Users/2819c223-7f76-453a-919d-413861904646")
		for b.Loop() {
			buf, _ = jsondoc.Append(buf[:0], r)
		}
	})
}
