package patch

import (
	"strconv"
	"testing"

	"github.com/scimkit/scimkit/schema"
)

// benchApply applies body's operations to a typical User once per
// iteration, and reports applies per second, of wall-clock time and of CPU
// time. Apply takes ownership of the resource it patches, so each iteration
// patches the resource the one before returned (the operations benchmarked
// give the same resource again): the benchmark measures Apply alone, not a
// copy a caller would make.
func benchApply(b *testing.B, body string) {
	rt := schema.User()
	res := user()
	o := ops(b, body)
	b.ReportAllocs()
	start, ok := cpuTime()
	for b.Loop() {
		var err error
		if res, _, err = Apply(res, o, rt); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	if end, ok2 := cpuTime(); ok && ok2 && b.N > 0 {
		// CPU time of the whole process (GC included) per apply, and the
		// applies per second of CPU: what one core would do undisturbed.
		perOp := float64(end-start) / float64(b.N)
		b.ReportMetric(perOp, "cpu-ns/op")
		b.ReportMetric(1e9/perOp, "ops/cpu-s")
	}
}

// BenchmarkApply is the apply of a request on a typical User (goal for a
// single operation: at least 200,000 per second on one core).
func BenchmarkApply(b *testing.B) {
	b.Run("replace active", func(b *testing.B) {
		benchApply(b, `[{"op":"Replace","path":"active","value":"False"}]`)
	})
	b.Run("replace through a filter", func(b *testing.B) {
		benchApply(b, `[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"x@example.com"}]`)
	})
	b.Run("Entra batch", func(b *testing.B) {
		benchApply(b, `[{"op":"Add","path":"title","value":"Guide"},{"op":"Replace","path":"active","value":"False"},{"op":"Replace","path":"emails[type eq \"work\"].value","value":"z@y.com"},{"op":"Replace","path":"name.familyName","value":"J"}]`)
	})
	b.Run("pathless", func(b *testing.B) {
		benchApply(b, `[{"op":"replace","value":{"name.givenName":"Babs","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department":"Sales"}}]`)
	})
}

// BenchmarkApplyMembers adds a member to a Group of 1,000 members and removes
// it again, as Entra ID and Okta keep group memberships: each operation
// looks the member up among the others (valueindex.go).
func BenchmarkApplyMembers(b *testing.B) {
	rt := schema.Group()
	members := make([]any, 1000)
	for i := range members {
		members[i] = map[string]any{"value": "member-" + strconv.Itoa(i), "display": "Member " + strconv.Itoa(i)}
	}
	res := map[string]any{"schemas": []any{schema.GroupURN}, "displayName": "Tour Guides", "members": members}
	o := ops(b, `[{"op":"add","path":"members","value":[{"value":"new-member"}]},{"op":"remove","path":"members[value eq \"new-member\"]"}]`)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if res, _, err = Apply(res, o, rt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode(b *testing.B) {
	body := []byte(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"emails[type eq \"work\"].value","value":"updatedEmail@microsoft.com"},{"op":"Replace","path":"name.familyName","value":"updatedFamilyName"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
