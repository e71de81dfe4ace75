package patch

import (
	"maps"
	"testing"

	"github.com/scimkit/scimkit/schema"
)

// applyFuncs are the three ways to apply, as benchApply runs them.
// ApplyOwned patches its argument, so it gets a fresh top-level map per
// iteration, as a caller holding a freshly read resource has (the clone is
// part of its cost here).
var applyFuncs = []struct {
	name  string
	apply func(res map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, *Result, error)
}{
	{"Apply", Apply},
	{"ApplyShared", ApplyShared},
	{"ApplyOwned", func(res map[string]any, ops []Operation, rt *schema.ResourceType) (map[string]any, *Result, error) {
		return ApplyOwned(maps.Clone(res), ops, rt)
	}},
}

// benchApply applies body's operations to a typical User once per
// iteration, with each of applyFuncs, and reports applies per second, of
// wall-clock time and of CPU time.
func benchApply(b *testing.B, body string) {
	for _, f := range applyFuncs {
		b.Run(f.name, func(b *testing.B) { benchApplyWith(b, body, f.apply) })
	}
}

func benchApplyWith(b *testing.B, body string, apply func(map[string]any, []Operation, *schema.ResourceType) (map[string]any, *Result, error)) {
	rt := schema.User()
	res := user()
	o := ops(b, body)
	b.ReportAllocs()
	start, ok := cpuTime()
	for b.Loop() {
		if _, _, err := apply(res, o, rt); err != nil {
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
