package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/store"
)

func TestFold(t *testing.T) {
	tests := []struct {
		a, b  string
		equal bool
	}{
		{"Ada@Example.COM", "ada@example.com", true},
		{"ÄDA", "äda", true},
		{"\u212a", "k", true}, // Kelvin sign folds to k, as in strings.EqualFold
		{"ſ", "S", true},      // long s
		{"Σ", "ς", true},
		{"ß", "SS", false},     // simple folding only, as in strings.EqualFold
		{"\u0130", "i", false}, // dotted capital I: its lower case is i, but strings.EqualFold keeps them apart
		{"\u0130", "I", false},
		{"\u0131", "I", false}, // dotless i
		{"ada", "adb", false},
		{"", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			if got := store.Fold(tc.a) == store.Fold(tc.b); got != tc.equal {
				t.Errorf("Fold(%q) == Fold(%q) is %v, want %v", tc.a, tc.b, got, tc.equal)
			}
			if ef := strings.EqualFold(tc.a, tc.b); ef != tc.equal {
				t.Errorf("test case disagrees with strings.EqualFold: %v", ef)
			}
		})
	}
	// Every rune folds to a rune strings.EqualFold takes for it, so that
	// Fold never puts two keys together that EqualFold keeps apart.
	for r := rune(0); r <= 0x10FFFF; r++ {
		if unicode.SimpleFold(r) == r && unicode.ToLower(r) == r {
			continue // no case: Fold keeps it
		}
		if f := store.Fold(string(r)); !strings.EqualFold(string(r), f) {
			t.Errorf("Fold(%q) = %q, which strings.EqualFold does not take for it", r, f)
		}
	}
	if got := store.Fold("Ada.LOVELACE"); got != "ada.lovelace" {
		t.Errorf("Fold of ASCII = %q, want lower case", got)
	}
}

func TestResource(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 500, time.FixedZone("x", 3600))
	s := &store.SCIMIdentity{
		ID: "id-1", ExternUID: "ext-1", Active: false, Created: at, Updated: at.Add(time.Hour),
		Document: map[string]any{
			"ID": "stale", "ExternalId": "stale", "active": true, "userName": "ada",
			"Meta": map[string]any{"version": `W/"1"`, "Created": "stale", "location": "https://x/Users/id-1"},
		},
	}
	want := map[string]any{
		"id": "id-1", "externalId": "ext-1", "active": false, "userName": "ada",
		"meta": map[string]any{
			"resourceType": "User", "created": "2024-05-01T11:00:00.0000005Z", "lastModified": "2024-05-01T12:00:00.0000005Z",
			"version": `W/"1"`, "location": "https://x/Users/id-1",
		},
	}
	if d := cmp.Diff(want, s.Resource()); d != "" {
		t.Errorf("Resource (-want +got):\n%s", d)
	}
	if s.Document["ID"] != "stale" {
		t.Error("Resource modified Document")
	}
	// With "meta" spelled twice, the exact spelling is the one merged.
	both := &store.SCIMIdentity{ID: "x", ExternUID: "y", Document: map[string]any{
		"META": map[string]any{"location": "folded"}, "meta": map[string]any{"location": "exact"},
	}}
	if got := both.Resource()["meta"].(map[string]any)["location"]; got != "exact" {
		t.Errorf("meta.location = %v, want the exact key's", got)
	}
	// An identity without a document or times still has the overlay.
	empty := &store.SCIMIdentity{ID: "x", ExternUID: "y", Active: true}
	want = map[string]any{"id": "x", "externalId": "y", "active": true, "meta": map[string]any{"resourceType": "User"}}
	if d := cmp.Diff(want, empty.Resource()); d != "" {
		t.Errorf("Resource of an empty identity (-want +got):\n%s", d)
	}
}

// TestResourceMetaTimes checks meta's created and lastModified for every
// combination of zero, equal and different times.
func TestResourceMetaTimes(t *testing.T) {
	at := time.Date(2024, 5, 1, 12, 0, 0, 500, time.UTC)
	later := at.Add(time.Second)
	const atS, laterS = "2024-05-01T12:00:00.0000005Z", "2024-05-01T12:00:01.0000005Z"
	tests := []struct {
		name             string
		created, updated time.Time
		want             map[string]any
	}{
		{"neither", time.Time{}, time.Time{}, map[string]any{}},
		{"created only", at, time.Time{}, map[string]any{"created": atS}},
		{"updated only", time.Time{}, at, map[string]any{"lastModified": atS}},
		{"equal", at, at, map[string]any{"created": atS, "lastModified": atS}},
		{"same instant in another zone", at, at.In(time.FixedZone("x", -7200)), map[string]any{"created": atS, "lastModified": atS}},
		{"with a monotonic reading", time.Now().Round(0), time.Now(), nil},
		{"different", at, later, map[string]any{"created": atS, "lastModified": laterS}},
		{"updated before created", later, at, map[string]any{"created": laterS, "lastModified": atS}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]any{"resourceType": "User"}
			if tt.want == nil {
				want["created"] = tt.created.UTC().Format(time.RFC3339Nano)
				want["lastModified"] = tt.updated.UTC().Format(time.RFC3339Nano)
			}
			for k, v := range tt.want {
				want[k] = v
			}
			s := &store.SCIMIdentity{ID: "x", ExternUID: "y", Created: tt.created, Updated: tt.updated}
			if d := cmp.Diff(want, s.Resource()["meta"]); d != "" {
				t.Errorf("meta (-want +got):\n%s", d)
			}
		})
	}
}

func TestCloneDocument(t *testing.T) {
	doc := map[string]any{
		"emails": []any{map[string]any{"value": "a@example.com"}},
		"name":   map[string]any{"givenName": "Ada"},
		"tags":   []string{"x"},
		"n":      1.5,
		"nil":    nil,
	}
	c := store.CloneDocument(doc)
	if d := cmp.Diff(doc, c); d != "" {
		t.Fatalf("clone differs (-orig +clone):\n%s", d)
	}
	c["emails"].([]any)[0].(map[string]any)["value"] = "changed"
	c["name"].(map[string]any)["givenName"] = "changed"
	c["tags"].([]string)[0] = "changed"
	if doc["emails"].([]any)[0].(map[string]any)["value"] != "a@example.com" ||
		doc["name"].(map[string]any)["givenName"] != "Ada" || doc["tags"].([]string)[0] != "x" {
		t.Errorf("mutating the clone changed the original: %v", doc)
	}
	if store.CloneDocument(nil) != nil {
		t.Error("CloneDocument(nil) != nil")
	}
}

func TestErrors(t *testing.T) {
	var err error = &store.ConflictError{Entity: "user", Key: store.KeyEmail}
	wrapped := fmt.Errorf("identity: provision: %w", err)
	if !errors.Is(wrapped, store.ErrConflict) {
		t.Error("a wrapped *ConflictError does not match ErrConflict")
	}
	if errors.Is(wrapped, store.ErrNotFound) {
		t.Error("a *ConflictError matches ErrNotFound")
	}
	var ce *store.ConflictError
	if !errors.As(wrapped, &ce) || ce.Key != store.KeyEmail {
		t.Errorf("errors.As = %v", ce)
	}
	if got, want := err.Error(), "store: user email has already been taken"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if errors.Is(store.ErrNotFound, store.ErrConflict) {
		t.Error("sentinels match each other")
	}
}

func TestRoleString(t *testing.T) {
	for r, want := range map[store.Role]string{store.RoleOwner: "owner", store.RoleGuest: "guest", store.Role(7): "role(7)"} {
		if got := r.String(); got != want {
			t.Errorf("Role(%d).String() = %q, want %q", int(r), got, want)
		}
	}
}

func TestHasVerifiedEmail(t *testing.T) {
	u := &store.User{Email: "ada@example.com", Confirmed: false,
		SecondaryEmails: []store.Email{{Address: "Ada@Home.example", Verified: true}, {Address: "ada@old.example"}}}
	for addr, want := range map[string]bool{
		"ada@example.com": false, "ADA@home.example": true, "ada@old.example": false, "nobody@example.com": false,
	} {
		if got := u.HasVerifiedEmail(addr); got != want {
			t.Errorf("HasVerifiedEmail(%q) = %v, want %v", addr, got, want)
		}
	}
	u.Confirmed = true
	if !u.HasVerifiedEmail("ADA@example.com") {
		t.Error("confirmed primary email is not verified")
	}
}

func seq(ids ...*store.SCIMIdentity) iter.Seq2[*store.SCIMIdentity, error] {
	return func(yield func(*store.SCIMIdentity, error) bool) {
		for _, s := range ids {
			if !yield(s, nil) {
				return
			}
		}
	}
}

func TestSelectErrors(t *testing.T) {
	boom := errors.New("boom")
	failing := func(yield func(*store.SCIMIdentity, error) bool) {
		if yield(&store.SCIMIdentity{ID: "a"}, nil) {
			yield(nil, boom)
		}
	}
	if _, _, err := store.Select(failing, store.Query{}); !errors.Is(err, boom) {
		t.Errorf("Select over a failing sequence: %v, want boom", err)
	}
	e, err := filter.Parse(`userName gt true`)
	if err != nil {
		t.Fatal(err)
	}
	var se *filter.SchemaError
	if _, _, err := store.Select(seq(), store.Query{Filter: e}); !errors.As(err, &se) {
		t.Errorf("Select with a schema error: %v, want *filter.SchemaError", err)
	}
	var syn *filter.SyntaxError
	if _, _, err := store.Select(seq(), store.Query{SortBy: "name..x"}); !errors.As(err, &syn) {
		t.Errorf("Select with a bad sortBy: %v, want *filter.SyntaxError", err)
	}
	if _, _, err := store.Select(seq(), store.Query{SortBy: `emails[type eq "work"]`}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("Select with a value filter in sortBy: %v, want store.ErrInvalid", err)
	}
}

// Stores without pushdown answer lists with Select; so can tests.
func ExampleSelect() {
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	ids := []*store.SCIMIdentity{
		{ID: "1", ExternUID: "a", Active: true, Created: at, Document: map[string]any{"userName": "zoe", "title": "CTO"}},
		{ID: "2", ExternUID: "b", Active: false, Created: at, Document: map[string]any{"userName": "ada"}},
		{ID: "3", ExternUID: "c", Active: true, Created: at, Document: map[string]any{"userName": "Max", "title": "CEO"}},
	}
	e, _ := filter.Parse(`title sw "c" or active eq false`)
	page, total, err := store.Select(seq(ids...), store.Query{Filter: e, SortBy: "userName", Count: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range page {
		fmt.Println(s.ID, s.Document["userName"])
	}
	fmt.Println("total", total)
	// Output:
	// 2 ada
	// 3 Max
	// total 3
}

// TestIndexDocument pins the keys a document gives: arrays expanded at any
// depth, a string standing for its own value, names matched in any case,
// and an object where a string belongs marking the document odd.
func TestIndexDocument(t *testing.T) {
	tests := []struct {
		name string
		doc  map[string]any
		want store.DocumentKeys
	}{
		{
			name: "arrays and strings",
			doc:  map[string]any{"userName": []any{"a", "b", "c"}, "emails": []any{map[string]any{"value": "x@example.com"}, "y@example.com"}},
			want: store.DocumentKeys{UserNames: []string{"a", "b", "c"}, Emails: []string{"x@example.com", "y@example.com"}},
		},
		{
			name: "names in any case, an object as an email value",
			doc:  map[string]any{"USERNAME": "d", "Emails": []any{map[string]any{"VALUE": map[string]any{}}}},
			want: store.DocumentKeys{UserNames: []string{"d"}, OddEmails: true},
		},
		{
			name: "an object as userName",
			doc:  map[string]any{"userName": map[string]any{"value": "e"}},
			want: store.DocumentKeys{OddUserName: true},
		},
		{name: "empty", doc: map[string]any{}},
		{
			name: "a single string for emails",
			doc:  map[string]any{"userName": "f", "emails": "g@example.com"},
			want: store.DocumentKeys{UserNames: []string{"f"}, Emails: []string{"g@example.com"}},
		},
		{
			name: "numbers and booleans are no keys",
			doc:  map[string]any{"userName": []any{json.Number("1"), true}, "emails": []any{map[string]any{"value": false}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, store.IndexDocument(tc.doc), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("IndexDocument (-want +got):\n%s", d)
			}
		})
	}
}

func TestGroupClone(t *testing.T) {
	tests := []struct {
		name   string
		digest []byte
	}{
		{"no digest", nil},
		{"sha-256 digest", bytes.Repeat([]byte{7}, 32)},
		{"other length", []byte{1, 2, 3}},
	}
	for _, tc := range tests {
		for _, saml := range []*store.SAMLConfig{nil, {Enabled: true, SSOURL: "https://idp.example/sso", Fingerprint: "AB"}} {
			name := tc.name
			if saml != nil {
				name += " with SAML"
			}
			t.Run(name, func(t *testing.T) {
				testGroupClone(t, tc.digest, saml)
			})
		}
	}
}

func testGroupClone(t *testing.T, digest []byte, saml *store.SAMLConfig) {
	g := &store.Group{ID: "g", Path: "p", Name: "n", TokenDigest: digest, DefaultRole: store.RoleGuest, EnforceSSO: true, SAML: saml.Clone(), Version: 3}
	want := &store.Group{ID: "g", Path: "p", Name: "n", TokenDigest: bytes.Clone(digest), DefaultRole: store.RoleGuest, EnforceSSO: true, SAML: saml.Clone(), Version: 3}
	c := g.Clone()
	if diff := cmp.Diff(want, c); diff != "" {
		t.Fatalf("Clone (-want +got):\n%s", diff)
	}
	if (c.TokenDigest == nil) != (digest == nil) {
		t.Errorf("Clone().TokenDigest == nil is %v, want %v", c.TokenDigest == nil, digest == nil)
	}
	if len(c.TokenDigest) > 0 {
		c.TokenDigest[0]++
		c.TokenDigest = append(c.TokenDigest, 9)
	}
	if c.SAML != nil {
		c.SAML.SSOURL = "changed"
	}
	c.Name = "changed"
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("changing the clone changed the group (-want +got):\n%s", diff)
	}
}

// TestSAMLKeyRedacted: printing or logging a SAMLKey never shows its
// private key.
func TestSAMLKeyRedacted(t *testing.T) {
	secret := []byte("PRIVATE-KEY-BYTES")
	k := store.SAMLKey{PrivateKey: secret, Certificate: []byte{1, 2, 3}, Version: 2}
	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("key", slog.Any("key", k), slog.Any("ptr", &k))
	outputs := map[string]string{"log": logged.String()}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%q"} {
		outputs[verb] = fmt.Sprintf(verb, k)
		outputs[verb+" pointer"] = fmt.Sprintf(verb, &k)
	}
	for name, out := range outputs {
		for _, leak := range []string{string(secret), fmt.Sprintf("%x", secret), fmt.Sprint(secret)} {
			if strings.Contains(out, leak) {
				t.Errorf("%s output shows the private key: %s", name, out)
			}
		}
		if !strings.Contains(out, "REDACTED") && name != "%x" && name != "%x pointer" {
			t.Errorf("%s output does not say the key is redacted: %s", name, out)
		}
	}
}

func TestGroupMemberRole(t *testing.T) {
	for _, tc := range []struct {
		set, want store.Role
	}{
		{store.RoleNone, store.RoleGuest},
		{store.RoleGuest, store.RoleGuest},
		{store.RoleDeveloper, store.RoleDeveloper},
		{store.RoleOwner, store.RoleOwner},
	} {
		g := &store.Group{DefaultRole: tc.set}
		if got := g.MemberRole(); got != tc.want {
			t.Errorf("DefaultRole %v: MemberRole() = %v, want %v", tc.set, got, tc.want)
		}
	}
}
