package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// testPrefix is the multi-tenant prefix the tests mount the handler under.
const testPrefix = "/api/scim/v2/groups/{group}"

// testEnv is a handler over a memstore with groups "acme" and "other".
type testEnv struct {
	h          *Handler
	st         store.Store
	prov       *identity.Provisioner
	token      string // acme's
	otherToken string
	base       string // acme's SCIM root path
}

var testNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newTestEnv(t testing.TB, opts ...Option) *testEnv {
	t.Helper()
	return newTestEnvOn(t, memstore.New(), opts...)
}

// newTestEnvOn is newTestEnv over st, an empty store.
func newTestEnvOn(t testing.TB, st store.Store, opts ...Option) *testEnv {
	t.Helper()
	return newProfileEnv(t, st, identity.RFCProfile(), opts...)
}

// newProfileEnv is newTestEnvOn in the wire profile of prof; for the
// GitLab profile both groups get a SAML configuration, which it requires.
func newProfileEnv(t testing.TB, st store.Store, prof identity.Profile, opts ...Option) *testEnv {
	t.Helper()
	var n atomic.Int64
	prov, err := identity.New(st,
		identity.WithProfile(prof),
		identity.WithClock(func() time.Time { return testNow }),
		identity.WithIDGenerator(func() (string, error) {
			return fmt.Sprintf("00000000-0000-4000-8000-%012d", n.Add(1)), nil
		}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, tok, err := prov.CreateGroup(ctx, identity.GroupSpec{ID: "g-acme", Path: "acme", Token: "acme-token-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := prov.CreateGroup(ctx, identity.GroupSpec{ID: "g-other", Path: "other", Token: "other-token-0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	if prof.IDIsExternUID {
		withSAML(t, st, "g-acme")
		withSAML(t, st, "g-other")
	}
	var rid atomic.Int64
	opts = append([]Option{
		WithPrefix(testPrefix),
		WithRequestID(func() string { return fmt.Sprintf("req-%d", rid.Add(1)) }),
	}, opts...)
	h, err := New(prov, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &testEnv{h: h, st: st, prov: prov, token: string(tok), otherToken: string(other), base: "/api/scim/v2/groups/acme"}
}

// do sends one request to the handler with acme's token (unless headers
// set Authorization) and returns the recorded response.
func (e *testEnv) do(t testing.TB, method, path string, body any, headers ...string) *httptest.ResponseRecorder {
	t.Helper()
	return e.serve(e.request(t, method, path, body, headers...))
}

// serve sends req to the handler and returns the recorded response.
func (e *testEnv) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// request builds the request do sends.
func (e *testEnv) request(t testing.TB, method, path string, body any, headers ...string) *http.Request {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	if !strings.HasPrefix(path, "/api/") {
		path = e.base + path
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+e.token)
	if rd != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// decode returns the JSON body of a response.
func decode(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("response body %q: %v", rec.Body.String(), err)
	}
	return m
}

// snapshot returns the whole store state of both groups, for
// before/after comparisons.
func (e *testEnv) snapshot(t testing.TB) string {
	t.Helper()
	var b strings.Builder
	err := e.st.View(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for _, gid := range []string{"g-acme", "g-other"} {
			g, err := tx.Group(ctx, gid)
			if err != nil {
				return err
			}
			// The SAML configuration is printed by value, not address.
			saml := g.SAML
			g.SAML = nil
			fmt.Fprintf(&b, "group %+v saml %+v\n", *g, saml)
			for s, err := range tx.SCIMIdentities(ctx, gid) {
				if err != nil {
					return err
				}
				doc, _ := json.Marshal(s.Document)
				fmt.Fprintf(&b, "identity %s %s %s active=%v deleted=%v v%d %s\n", s.ID, s.UserID, s.ExternUID, s.Active, s.Deleted, s.Version, doc)
				u, err := tx.User(ctx, s.UserID)
				if err != nil {
					return err
				}
				fmt.Fprintf(&b, "user %+v\n", *u)
				if m, err := tx.Membership(ctx, gid, s.UserID); err == nil {
					fmt.Fprintf(&b, "member %+v\n", *m)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// createUser provisions a user through the handler and returns its id.
func (e *testEnv) createUser(t testing.TB, externalID, userName, email string) string {
	t.Helper()
	rec := e.do(t, http.MethodPost, "/Users", map[string]any{
		"schemas":    []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"externalId": externalID,
		"userName":   userName,
		"name":       map[string]any{"givenName": "Given", "familyName": "Family"},
		"emails":     []any{map[string]any{"value": email, "type": "work", "primary": true}},
		"active":     true,
	})
	if rec.Code != http.StatusCreated {
		t.Fatalf("create %s: %d %s", userName, rec.Code, rec.Body)
	}
	return decode(t, rec)["id"].(string)
}
