package sso

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/store"
)

// authorizeEnv has group acme with its IdP, and two accounts that existed
// before SCIM: alice (signed in, not linked) and bob (linked as
// "bob-nameid").
func authorizeEnv(t *testing.T) (*host, *testIdP, *testClock) {
	t.Helper()
	h, ti, clk := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{})
	err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
		for _, u := range []*store.User{
			{ID: "alice", Username: "alice", Email: "alice@home.example", State: store.UserActive},
			{ID: "bob", Username: "bob", Email: "bob@home.example", State: store.UserActive},
		} {
			if err := tx.PutUser(ctx, u); err != nil {
				return err
			}
		}
		return tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: h.ids["acme"], UserID: "bob", ExternUID: "bob-nameid"})
	})
	if err != nil {
		t.Fatal(err)
	}
	return h, ti, clk
}

// TestAuthorizeConflicts: GitLab's linking conflicts, found at the ACS
// (nothing to confirm) or at the confirmation (the NameID was linked in
// between), each a 409 with GitLab's text and nothing written.
func TestAuthorizeConflicts(t *testing.T) {
	for _, tc := range []struct{ name, user, nameID, msg string }{
		{"NameID of another account", "alice", "BOB-NAMEID", "SAML authentication failed: Extern UID has already been taken"},
		{"account linked under another NameID", "bob", "bob-other", "SAML authentication failed: User has already been taken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, ti, _ := authorizeEnv(t)
			b := h.browser()
			b.login(tc.user)
			ti.asUser(tc.nameID, "")
			before := h.snap("alice", "bob")
			wantPage(t, b.post(b.startSSO("acme", "")), http.StatusConflict, tc.msg)
			h.unchanged(before, "alice", "bob")
		})
	}
	t.Run("NameID linked between the page and the confirmation", func(t *testing.T) {
		h, ti, _ := authorizeEnv(t)
		b := h.browser()
		b.login("alice")
		ti.asUser("carol-nameid", "")
		wantPage(t, b.post(b.startSSO("acme", "")), http.StatusOK, "Allow acme to sign you in")
		err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
			s, err := tx.SAMLIdentityByUser(ctx, h.ids["acme"], "bob")
			if err != nil {
				return err
			}
			s.ExternUID = "carol-nameid"
			return tx.PutSAMLIdentity(ctx, s)
		})
		if err != nil {
			t.Fatal(err)
		}
		before := h.snap("alice", "bob")
		wantPage(t, b.authorize("acme"), http.StatusConflict, "Extern UID has already been taken")
		h.unchanged(before, "alice", "bob")
	})
	t.Run("signed-in account linked by NameID signs in without a confirmation", func(t *testing.T) {
		h, ti, _ := authorizeEnv(t)
		b := h.browser()
		b.login("bob")
		ti.asUser("bob-nameid", "")
		wantRedirect(t, b.post(b.startSSO("acme", "/x")), "/x")
		if s := h.sess.starts; len(s) != 1 || s[0].User.ID != "bob" || !s[0].Changes.Has(identity.MemberAdded) {
			t.Errorf("sessions started: %+v", s)
		}
	})
}

// TestAuthorizeRefused: a confirmation that is not the person's own
// (cross-site, another account, expired, missing, for another group) links
// nothing.
func TestAuthorizeRefused(t *testing.T) {
	tests := []struct {
		name   string
		attack func(t *testing.T, h *host, b *browser, clk *testClock) *http.Response
		status int
		msg    string
	}{
		{"cross-site POST", func(t *testing.T, h *host, b *browser, _ *testClock) *http.Response {
			req, _ := http.NewRequest(http.MethodPost, h.sp.authorizeURL("acme"), nil)
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			return do(t, b, req)
		}, http.StatusForbidden, "did not come from this site"},
		{"cross-origin POST without Sec-Fetch-Site", func(t *testing.T, h *host, b *browser, _ *testClock) *http.Response {
			req, _ := http.NewRequest(http.MethodPost, h.sp.authorizeURL("acme"), nil)
			req.Header.Set("Origin", "https://evil.example")
			return do(t, b, req)
		}, http.StatusForbidden, "did not come from this site"},
		{"another account signed in since", func(t *testing.T, h *host, b *browser, _ *testClock) *http.Response {
			b.login("bob")
			return b.authorize("acme")
		}, http.StatusBadRequest, "expired"},
		{"signed out since", func(t *testing.T, h *host, b *browser, _ *testClock) *http.Response {
			u, _ := url.Parse(h.base)
			b.c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1}})
			return b.authorize("acme")
		}, http.StatusBadRequest, "expired"},
		{"expired", func(t *testing.T, h *host, b *browser, clk *testClock) *http.Response {
			clk.advance(requestLifetime + time.Second)
			return b.authorize("acme")
		}, http.StatusBadRequest, "expired"},
		{"without the cookie", func(t *testing.T, h *host, _ *browser, _ *testClock) *http.Response {
			other := h.browser()
			other.login("alice")
			return other.authorize("acme")
		}, http.StatusBadRequest, "expired"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ti, clk := authorizeEnv(t)
			b := h.browser()
			b.login("alice")
			ti.asUser("alice-nameid", "alice@acme.example")
			wantPage(t, b.post(b.startSSO("acme", "")), http.StatusOK, "Allow acme to sign you in")
			before := h.snap("alice", "bob")
			wantPage(t, tc.attack(t, h, b, clk), tc.status, tc.msg)
			h.unchanged(before, "alice", "bob")
			if len(h.sess.starts) != 0 {
				t.Errorf("sessions started: %+v", h.sess.starts)
			}
		})
	}
}

// do sends req in browser b without following redirects.
func do(t *testing.T, b *browser, req *http.Request) *http.Response {
	t.Helper()
	c := *b.c
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}
