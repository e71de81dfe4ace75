package identity

import (
	"testing"

	"github.com/scimkit/scimkit/store"
)

// TestProvisionKeepsDocument checks that Provision keeps the document it
// takes ownership of as the identity's document, without the keys the
// identity's fields supply or that are never stored.
func TestProvisionKeepsDocument(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	doc := userDoc("ext-1", "jdoe", "jdoe@acme.test")
	doc["id"], doc["meta"], doc["password"], doc["title"] = "client-id", map[string]any{"version": "x"}, "secret", "CTO"
	res, err := f.p.Provision(t.Context(), "g", doc)
	if err != nil {
		t.Fatal(err)
	}
	want := userDoc("", "jdoe", "jdoe@acme.test")
	delete(want, "active")
	want["title"] = "CTO"
	if d := diff(want, res.Identity.Document); d != "" {
		t.Errorf("the identity's document (-want +got):\n%s", d)
	}
	stored := f.snapshot(t).SCIM[0]
	if d := diff(want, stored.Document); d != "" {
		t.Errorf("the stored document (-want +got):\n%s", d)
	}
}

// TestModifyKeepsDocument checks that Modify keeps the document mutate
// returns, without the server's keys, as the identity's document.
func TestModifyKeepsDocument(t *testing.T) {
	t.Parallel()
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
		t.Fatal(err)
	}
	var next map[string]any
	res, err := f.p.Modify(t.Context(), "g", "id-2", 0, func(cur map[string]any) (map[string]any, error) {
		next = cur
		next["title"] = "CTO"
		return next, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := userDoc("", "jdoe", "jdoe@acme.test")
	delete(want, "active")
	want["title"] = "CTO"
	if d := diff(want, next); d != "" {
		t.Errorf("the returned document (-want +got):\n%s", d)
	}
	if d := diff(want, res.Identity.Document); d != "" {
		t.Errorf("the identity's document (-want +got):\n%s", d)
	}
}

// TestModifyOwnsWhatItHandsOut checks that mutate may change anything in
// the resource it receives, nested values included, and that Modify still
// sees the change: the resource is mutate's own, not the stored document.
func TestModifyOwnsWhatItHandsOut(t *testing.T) {
	t.Parallel()
	copying := func(edit func(map[string]any)) func(map[string]any) (map[string]any, error) {
		return func(cur map[string]any) (map[string]any, error) {
			next := store.CloneDocument(cur)
			edit(next)
			return next, nil
		}
	}
	inPlace := func(edit func(map[string]any)) func(map[string]any) (map[string]any, error) {
		return func(cur map[string]any) (map[string]any, error) {
			edit(cur)
			return cur, nil
		}
	}
	edits := []struct {
		name string
		edit func(map[string]any)
		want Change
	}{
		{"nothing", func(map[string]any) {}, 0},
		{"active false", func(m map[string]any) { m["active"] = false }, Deprovisioned},
		{"nested name", func(m map[string]any) { m["name"] = map[string]any{"givenName": "J", "familyName": "D"} }, AccountUpdated | DocumentUpdated},
		{"email changed inside its array", func(m map[string]any) {
			m["emails"].([]any)[0].(map[string]any)["value"] = "jd@acme.test"
		}, AccountUpdated | DocumentUpdated},
		{"new emails", func(m map[string]any) {
			delete(m, "emails")
			m["emails"] = []any{map[string]any{"type": "work", "value": "n@acme.test"}}
		}, AccountUpdated | DocumentUpdated},
		{"title", func(m map[string]any) { m["title"] = "CTO" }, DocumentUpdated},
	}
	for _, e := range edits {
		for _, how := range []struct {
			name   string
			mutate func(func(map[string]any)) func(map[string]any) (map[string]any, error)
		}{{"copy", copying}, {"in place", inPlace}} {
			t.Run(how.name+": "+e.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t, RFCProfile())
				if _, err := f.p.Provision(t.Context(), "g", userDoc("ext-1", "jdoe", "jdoe@acme.test")); err != nil {
					t.Fatal(err)
				}
				res, err := f.p.Modify(t.Context(), "g", "id-2", 0, how.mutate(e.edit))
				if err != nil {
					t.Fatal(err)
				}
				if res.Changes != e.want {
					t.Errorf("changes %v, want %v", res.Changes, e.want)
				}
				if d := diff(res.Identity.Document, f.snapshot(t).SCIM[0].Document); d != "" {
					t.Errorf("stored document differs from the Result's (-result +stored):\n%s", d)
				}
			})
		}
	}
	f := newFixture(t, RFCProfile())
	if _, err := f.p.Modify(t.Context(), "g", "id-2", 0, nil); err == nil {
		t.Error("nil mutate: no error")
	}
}
