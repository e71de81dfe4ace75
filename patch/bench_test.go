package patch

import (
	"testing"

	"github.com/scimkit/scimkit/filter"
)

// benchApply applies body's operations to a typical User once per iteration
// and reports applies per second, of wall-clock time and of CPU time.
func benchApply(b *testing.B, body string) {
	rt := filter.User()
	res := user()
	o := ops(b, body)
	b.ReportAllocs()
	start, ok := cpuTime()
	for b.Loop() {
		if _, _, err := Apply(res, o, rt); err != nil {
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

// BenchmarkApply is the single-operation apply on a typical User (goal: at
// least 200,000 per second on one core).
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
