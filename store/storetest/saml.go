package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/scimkit/scimkit/store"
)

// samlConfig is a SAML configuration with every field set, metadata of a
// realistic size included.
func samlConfig() *store.SAMLConfig {
	return &store.SAMLConfig{
		Enabled:      true,
		IdPMetadata:  `<md:EntityDescriptor entityID="https://idp.example/">` + strings.Repeat("<!-- x -->", 2000) + `</md:EntityDescriptor>`,
		SSOURL:       "https://idp.example/sso?tenant=a&b=é",
		Certificate:  "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
		Fingerprint:  "AB:CD:EF",
		IdPEntityID:  "https://idp.example/",
		NameIDFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
	}
}

// testGroupSAML checks that a group's SAML configuration is stored, read
// back field for field, replaced, removed and rolled back with the group,
// and that no one shares it with the store.
func testGroupSAML(t *testing.T, st store.Store) {
	plain := newGroup("plain")
	g := newGroup("g1")
	g.TokenDigest = make([]byte, 32) // the path Clone takes for a SHA-256 digest
	g.SAML = samlConfig()
	put(t, st, plain, g)
	if got := stored(t, st, plain).(*store.Group); got.SAML != nil {
		t.Errorf("a group stored without SAML configuration reads back with %+v", got.SAML)
	}
	got := stored(t, st, g).(*store.Group)
	if d := diff(g, got); d != "" {
		t.Fatalf("group with SAML configuration (-want +got):\n%s", d)
	}

	// Values held by the caller are copies.
	g.SAML.SSOURL = "https://changed.example/"
	got.SAML.IdPEntityID = "changed"
	want := samlConfig()
	if d := diff(want, stored(t, st, g).(*store.Group).SAML); d != "" {
		t.Errorf("changing a held SAMLConfig changed the store (-want +got):\n%s", d)
	}

	// Replaced: an empty configuration is a configuration, not none.
	g.SAML = &store.SAMLConfig{}
	put(t, st, g)
	if d := diff(&store.SAMLConfig{}, stored(t, st, g).(*store.Group).SAML); d != "" {
		t.Errorf("empty SAML configuration (-want +got):\n%s", d)
	}
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		byPath, err := tx.GroupByPath(ctx, "G1")
		if err != nil || byPath.SAML == nil || byPath.SAML.Enabled {
			t.Errorf("GroupByPath(G1) = %+v, %v; want the empty configuration", byPath, err)
		}
		return nil
	})

	// Removed.
	g.SAML = nil
	put(t, st, g)
	if got := stored(t, st, g).(*store.Group); got.SAML != nil {
		t.Errorf("SAML configuration after removal = %+v, want nil", got.SAML)
	}

	// A failed Update leaves the configuration as it was.
	g.SAML = samlConfig()
	put(t, st, g)
	err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		c, err := tx.Group(ctx, "g1")
		if err != nil {
			return err
		}
		c.SAML.Enabled = false
		if err := tx.PutGroup(ctx, c); err != nil {
			return err
		}
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("Update returned %v, want errAbort", err)
	}
	if d := diff(samlConfig(), stored(t, st, g).(*store.Group).SAML); d != "" {
		t.Errorf("SAML configuration after a rolled-back change (-want +got):\n%s", d)
	}
}

// testSAMLKey checks the host's one SAML service-provider key pair:
// insert, read, replace under optimistic versioning, required fields,
// copies and rollback.
func testSAMLKey(t *testing.T, st store.Store) {
	view(t, st, func(ctx context.Context, tx store.Tx) error {
		if _, err := tx.SAMLKey(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SAMLKey on an empty store: %v, want store.ErrNotFound", err)
		}
		return nil
	})
	getKey := func() *store.SAMLKey {
		t.Helper()
		var k *store.SAMLKey
		view(t, st, func(ctx context.Context, tx store.Tx) error {
			var err error
			k, err = tx.SAMLKey(ctx)
			return err
		})
		return k
	}
	putKey := func(k *store.SAMLKey) error {
		t.Helper()
		return tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error { return tx.PutSAMLKey(ctx, k) })
	}

	for name, k := range map[string]*store.SAMLKey{
		"nil":            nil,
		"no private key": {Certificate: []byte{1}},
		"no certificate": {PrivateKey: []byte{1}},
	} {
		if err := putKey(k); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("PutSAMLKey(%s) = %v, want store.ErrInvalid", name, err)
		}
	}
	if err := putKey(&store.SAMLKey{PrivateKey: []byte{1}, Certificate: []byte{2}, Version: 1}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("PutSAMLKey(Version 1) on an empty store = %v, want store.ErrNotFound", err)
	}

	k := &store.SAMLKey{PrivateKey: []byte{0, 1, 2, 0xff}, Certificate: []byte{3, 4, 0}}
	if err := putKey(k); err != nil {
		t.Fatalf("PutSAMLKey: %v", err)
	}
	if k.Version != 1 {
		t.Errorf("Version after insert = %d, want 1", k.Version)
	}
	k.PrivateKey[0] = 9 // the caller's slice is not the store's
	want := &store.SAMLKey{PrivateKey: []byte{0, 1, 2, 0xff}, Certificate: []byte{3, 4, 0}, Version: 1}
	got := getKey()
	if d := diff(want, got); d != "" {
		t.Errorf("stored key (-want +got):\n%s", d)
	}
	got.Certificate[0] = 9
	if d := diff(want, getKey()); d != "" {
		t.Errorf("changing a read key changed the store (-want +got):\n%s", d)
	}

	// One per store: a second insert conflicts, with nothing changed.
	wantConflict(t, putKey(&store.SAMLKey{PrivateKey: []byte{7}, Certificate: []byte{7}}), store.KeyID)
	// Replace under versioning.
	next := &store.SAMLKey{PrivateKey: []byte{5}, Certificate: []byte{6}, Version: 1}
	if err := putKey(next); err != nil || next.Version != 2 {
		t.Fatalf("PutSAMLKey(Version 1) = %v, Version %d; want nil, 2", err, next.Version)
	}
	stale := &store.SAMLKey{PrivateKey: []byte{8}, Certificate: []byte{8}, Version: 1}
	wantIs(t, putKey(stale), store.ErrVersionMismatch)

	// A failed Update and a View change nothing.
	err := tryUpdate(t, st, func(ctx context.Context, tx store.Tx) error {
		if err := tx.PutSAMLKey(ctx, &store.SAMLKey{PrivateKey: []byte{1}, Certificate: []byte{1}, Version: 2}); err != nil {
			return err
		}
		return errAbort
	})
	if err != errAbort {
		t.Fatalf("Update returned %v, want errAbort", err)
	}
	err = st.View(t.Context(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutSAMLKey(ctx, &store.SAMLKey{PrivateKey: []byte{1}, Certificate: []byte{1}, Version: 2})
	})
	wantIs(t, err, store.ErrReadOnly)
	if d := diff(&store.SAMLKey{PrivateKey: []byte{5}, Certificate: []byte{6}, Version: 2}, getKey()); d != "" {
		t.Errorf("key after a rolled-back and a read-only write (-want +got):\n%s", d)
	}
}
