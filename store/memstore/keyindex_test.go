package memstore

import (
	"slices"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// TestKeyIndex adds and removes documents and a user under one key in
// several orders and checks what docsIn and user answer after each step.
func TestKeyIndex(t *testing.T) {
	entry := func(id, group string) *scimEntry {
		return &scimEntry{ident: store.SCIMIdentity{ID: id, GroupID: group}}
	}
	a, b, c := entry("a", "g1"), entry("b", "g2"), entry("c", "g1")
	u := &store.User{ID: "u"}
	tests := []struct {
		name  string
		steps func(x keyIndex)
		g1    string // IDs of docsIn(k, g1), sorted, joined
		g2    string
		user  bool
		empty bool // k is gone from the map
	}{
		{"one doc", func(x keyIndex) { x.addDoc("k", a) }, "a", "", false, false},
		{"added twice", func(x keyIndex) { x.addDoc("k", a); x.addDoc("k", a) }, "a", "", false, false},
		{"three docs", func(x keyIndex) { x.addDoc("k", a); x.addDoc("k", b); x.addDoc("k", c) }, "a c", "b", false, false},
		{"first removed", func(x keyIndex) {
			x.addDoc("k", a)
			x.addDoc("k", b)
			x.addDoc("k", c)
			x.delDoc("k", a)
		}, "c", "b", false, false},
		{"middle removed", func(x keyIndex) {
			x.addDoc("k", a)
			x.addDoc("k", b)
			x.addDoc("k", c)
			x.delDoc("k", b)
			x.addDoc("k", b)
			x.delDoc("k", b)
		}, "a c", "", false, false},
		{"all removed", func(x keyIndex) { x.addDoc("k", a); x.addDoc("k", b); x.delDoc("k", b); x.delDoc("k", a) }, "", "", false, true},
		{"user and doc", func(x keyIndex) { x.setUser("k", u); x.addDoc("k", a) }, "a", "", true, false},
		{"user kept when docs go", func(x keyIndex) { x.setUser("k", u); x.addDoc("k", a); x.delDoc("k", a) }, "", "", true, false},
		{"docs kept when user goes", func(x keyIndex) { x.setUser("k", u); x.addDoc("k", b); x.setUser("k", nil) }, "", "b", false, false},
		{"user removed", func(x keyIndex) { x.setUser("k", u); x.setUser("k", nil) }, "", "", false, true},
		{"missing key removed", func(x keyIndex) { x.delDoc("k", a); x.setUser("k", nil) }, "", "", false, true},
	}
	ids := func(es []*scimEntry) string {
		var s []string
		for _, e := range es {
			s = append(s, e.ident.ID)
		}
		slices.Sort(s)
		return strings.Join(s, " ")
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x := keyIndex{}
			tc.steps(x)
			if got := ids(x.docsIn("k", "g1")); got != tc.g1 {
				t.Errorf("docsIn(g1) = %q, want %q", got, tc.g1)
			}
			if got := ids(x.docsIn("k", "g2")); got != tc.g2 {
				t.Errorf("docsIn(g2) = %q, want %q", got, tc.g2)
			}
			if got := x.user("k") != nil; got != tc.user {
				t.Errorf("user != nil is %v, want %v", got, tc.user)
			}
			if _, ok := x["k"]; ok == tc.empty {
				t.Errorf("key present is %v, want %v", ok, !tc.empty)
			}
		})
	}
}
