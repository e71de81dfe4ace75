package sso

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// TestProvisionThenSignIn is the flow scimkit exists for, on every store:
// the IdP provisions a user over SCIM with externalId X, the person starts
// SSO in the browser, the IdP asserts NameID X, and the host's session is
// for exactly that account, back where the person was going.
func TestProvisionThenSignIn(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			h, ti, _ := newSignIn(t, open(t), identity.GroupSpec{DefaultRole: store.RoleDeveloper})
			h.provision("acme", "00u1abcd", "jdoe", "jdoe@acme.example")
			// Another provisioned person, whom the sign-in must not pick.
			h.provision("acme", "00u2efgh", "asmith", "asmith@acme.example")
			want := h.userOf("acme", "00u1abcd")

			b := h.browser()
			ti.asUser("00u1abcd", "jdoe@acme.example")
			f := b.startSSO("acme", "/groups/acme/page?tab=members")
			if f.action != h.sp.URLs("acme").ACS || f.relayState != "/groups/acme/page?tab=members" {
				t.Fatalf("IdP posts to %q with RelayState %q", f.action, f.relayState)
			}
			wantRedirect(t, b.post(f), "/groups/acme/page?tab=members")
			if got := b.whoami(); got != want.ID {
				t.Fatalf("signed in as %q, want %q (%s)", got, want.ID, want.Username)
			}
			starts := h.sess.starts
			if len(starts) != 1 {
				t.Fatalf("%d sessions started, want 1", len(starts))
			}
			got := starts[0]
			if got.Group.Path != "acme" || got.User.ID != want.ID || got.NameID != "00u1abcd" || got.Changes != 0 ||
				got.ReturnTo != "/groups/acme/page?tab=members" {
				t.Errorf("SignIn = %+v", got)
			}
			// The page behind RequireSSO opens.
			if resp := b.get(h.base + "/groups/acme/page"); resp.StatusCode != http.StatusOK {
				t.Errorf("group page after SSO: %d %s", resp.StatusCode, body(resp))
			}
		})
	}
}

// TestAuthorizeLinksExistingAccount: an account that existed before SCIM
// (not linked to the IdP) is signed in to the host; SSO shows the Authorize
// page, writes nothing, and the confirmation links the account and adds it
// to the group; from then on the NameID alone signs the account in.
func TestAuthorizeLinksExistingAccount(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			h, ti, _ := newSignIn(t, open(t), identity.GroupSpec{DefaultRole: store.RoleReporter})
			err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
				return tx.PutUser(ctx, &store.User{ID: "alice", Username: "alice", Email: "alice@home.example", Confirmed: true, State: store.UserActive})
			})
			if err != nil {
				t.Fatal(err)
			}
			b := h.browser()
			b.login("alice")
			ti.asUser("okta-alice", "alice@acme.example")
			before := h.snap("alice")
			page := wantPage(t, b.post(b.startSSO("acme", "/groups/acme/page")), http.StatusOK, "Allow acme to sign you in")
			for _, s := range []string{"okta-alice", "alice@acme.example", `action="` + h.sp.authorizeURL("acme") + `"`} {
				if !strings.Contains(page, s) {
					t.Errorf("Authorize page without %q:\n%s", s, page)
				}
			}
			h.unchanged(before, "alice")

			wantRedirect(t, b.authorize("acme"), "/groups/acme/page")
			after := h.snap("alice")
			if d := cmp.Diff([]*store.SAMLIdentity{{GroupID: h.ids["acme"], UserID: "alice", ExternUID: "okta-alice", Version: 1}}, after.SAML); d != "" {
				t.Errorf("SAML identities (-want +got):\n%s", d)
			}
			if d := cmp.Diff([]*store.Membership{{GroupID: h.ids["acme"], UserID: "alice", Role: store.RoleReporter, Version: 1}}, after.Memberships); d != "" {
				t.Errorf("memberships (-want +got):\n%s", d)
			}
			if s := h.sess.starts; len(s) != 1 || !s[0].Changes.Has(identity.SAMLLinked|identity.MemberAdded) {
				t.Errorf("sessions started: %+v, want one with SAMLLinked and MemberAdded", s)
			}
			// The confirmation is used up.
			wantPage(t, b.authorize("acme"), http.StatusBadRequest, "expired")

			// A fresh browser, nobody signed in: the NameID signs alice in.
			b2 := h.browser()
			wantRedirect(t, b2.post(b2.startSSO("acme", "")), "/")
			if got := b2.whoami(); got != "alice" {
				t.Errorf("signed in as %q, want alice", got)
			}
		})
	}
}

// TestNotLinked: the NameID asserted is not the externalId of anyone (the
// IdP's NameID and SCIM mappings differ): GitLab's "User is not linked to
// a SAML account", with the next step, and nothing written. When the
// asserted email is the account's but not verified, the NameID is not
// taken as changed either.
func TestNotLinked(t *testing.T) {
	tests := []struct {
		name, nameID, email string
		msg                 string
	}{
		{"other NameID, no email", "jdoe-upn", "", "SAML authentication failed: User is not linked to a SAML account"},
		{"other NameID, another email", "jdoe-upn", "someone@else.example", "SAML authentication failed: User is not linked to a SAML account"},
		{"NameID changed to the account's unverified email", "jdoe@acme.example", "jdoe@acme.example",
			"SAML authentication failed: SAML Name ID and email address do not match your user account. Contact an administrator."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ti, _ := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{})
			h.provision("acme", "object-id-1", "jdoe", "jdoe@acme.example")
			before := h.snap()
			b := h.browser()
			ti.asUser(tc.nameID, tc.email)
			page := wantPage(t, b.post(b.startSSO("acme", "/groups/acme/page")), http.StatusForbidden, tc.msg)
			if strings.Contains(tc.msg, "not linked") && (!strings.Contains(page, "Sign in to your account on this site first") ||
				!strings.Contains(page, h.sp.URLs("acme").SSO+"?redirect=%2Fgroups%2Facme%2Fpage")) {
				t.Errorf("not-linked page without the next step:\n%s", page)
			}
			h.unchanged(before)
			if got := b.whoami(); got != "" {
				t.Errorf("signed in as %q", got)
			}
		})
	}
}

// TestRefusedAccounts: a deprovisioned SCIM identity and a blocked account
// are refused, with nothing written.
func TestRefusedAccounts(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, h *host, id string)
		msg   string
	}{
		{"deprovisioned over SCIM", func(t *testing.T, h *host, id string) {
			req, _ := http.NewRequest(http.MethodPatch, h.base+"/api/scim/v2/groups/acme/Users/"+id,
				strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}`))
			req.Header.Set("Authorization", "Bearer "+h.token["acme"])
			req.Header.Set("Content-Type", "application/scim+json")
			resp, err := h.srv.Client().Do(req)
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("SCIM PATCH active=false: %v %v", resp, err)
			}
			resp.Body.Close()
		}, "SAML authentication failed: User has an inactive SCIM identity in this group"},
		{"blocked by the host", func(t *testing.T, h *host, _ string) {
			u := h.userOf("acme", "ext-1")
			u.State = store.UserBlocked
			if err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error { return tx.PutUser(ctx, u) }); err != nil {
				t.Fatal(err)
			}
		}, "Your account has been blocked"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, ti, _ := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{})
			code, b := h.scimPost("acme", "ext-1", "jdoe", "jdoe@acme.example")
			if code != http.StatusCreated {
				t.Fatalf("SCIM POST: %d %s", code, b)
			}
			var created struct{ ID string }
			json.Unmarshal([]byte(b), &created)
			tc.setup(t, h, created.ID)
			before := h.snap()
			br := h.browser()
			ti.asUser("ext-1", "jdoe@acme.example")
			wantPage(t, br.post(br.startSSO("acme", "")), http.StatusForbidden, tc.msg)
			h.unchanged(before)
			if got := br.whoami(); got != "" {
				t.Errorf("signed in as %q", got)
			}
		})
	}
}

// TestEnforcedSSO: with enforced SSO, a member signed in to the host
// without a SAML sign-in to the group is sent through the group's SSO and
// lands back on the page; others pass.
func TestEnforcedSSO(t *testing.T) {
	h, ti, clk := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{EnforceSSO: true})
	h.addGroup("open", newTestIdP(t, clk, "idp-b", ""), identity.GroupSpec{})
	h.provision("acme", "ext-1", "jdoe", "jdoe@acme.example")
	member := h.userOf("acme", "ext-1")
	err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
		return tx.PutUser(ctx, &store.User{ID: "outsider", Username: "outsider", Email: "o@else.example", State: store.UserActive})
	})
	if err != nil {
		t.Fatal(err)
	}
	page := h.base + "/groups/acme/page?tab=1"

	// Nobody signed in: the host's own rules apply.
	if resp := h.browser().get(page); resp.StatusCode != http.StatusOK {
		t.Errorf("anonymous: %d", resp.StatusCode)
	}
	// A non-member passes.
	o := h.browser()
	o.login("outsider")
	if resp := o.get(page); resp.StatusCode != http.StatusOK {
		t.Errorf("non-member: %d", resp.StatusCode)
	}
	// A member without SAML session: GET is redirected to the SSO URL,
	// other methods refused.
	b := h.browser()
	b.login(member.ID)
	resp := b.get(page)
	sso := h.sp.URLs("acme").SSO + "?redirect=" + url.QueryEscape("/groups/acme/page?tab=1")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != sso {
		t.Fatalf("member without SAML: %d to %q, want 302 to %q", resp.StatusCode, resp.Header.Get("Location"), sso)
	}
	resp.Body.Close()
	wantPage(t, b.postTo(page, url.Values{"x": {"1"}}), http.StatusForbidden, "acme requires you to sign in with its single sign-on")
	// A group without enforcement lets the member in.
	if resp := b.get(h.base + "/groups/open/page"); resp.StatusCode != http.StatusOK {
		t.Errorf("group without enforcement: %d", resp.StatusCode)
	}

	// Through the SSO URL and back.
	ti.asUser("ext-1", "jdoe@acme.example")
	r, err := b.c.Get(sso)
	if err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, b.post(b.form(r)), "/groups/acme/page?tab=1")
	if resp := b.get(page); resp.StatusCode != http.StatusOK || !strings.Contains(body(resp), "page of acme") {
		t.Errorf("member after SSO: %d", resp.StatusCode)
	}
}

// TestTwoGroupsTwoIdPs: each group trusts its own IdP only. A response
// meant for one group, posted to the other group's ACS, is refused with
// nothing written, whether it answers a request or is unsolicited.
func TestTwoGroupsTwoIdPs(t *testing.T) {
	clk := newClock()
	idpA := newTestIdP(t, clk, "idp-a", "")
	idpB := newTestIdP(t, clk, "idp-b", "")
	h := newHost(t, stores(t)["memstore"](t), clk, hostOptions{})
	h.addGroup("acme", idpA, identity.GroupSpec{})
	h.addGroup("beta", idpB, identity.GroupSpec{})
	for _, g := range []string{"acme", "beta"} {
		h.provision(g, "ext-1", "jdoe-"+g, "jdoe@"+g+".example")
	}
	idpA.asUser("ext-1", "jdoe@acme.example")
	idpB.asUser("ext-1", "jdoe@beta.example")
	before := h.snap()
	b := h.browser()
	// Both sign-ins started in this browser: beta's tracking cookie is
	// there, so only the group's own checks can refuse.
	f := b.startSSO("acme", "")
	b.startSSO("beta", "")
	f.action = h.sp.URLs("beta").ACS
	wantPage(t, b.post(f), http.StatusForbidden, "SAML authentication failed")
	unsolicited := b.idpInitiated(idpA, h.sp.URLs("acme").EntityID, "")
	unsolicited.action = h.sp.URLs("beta").ACS
	wantPage(t, b.post(unsolicited), http.StatusForbidden, "SAML authentication failed")
	h.unchanged(before)
	if got := b.whoami(); got != "" {
		t.Fatalf("signed in as %q", got)
	}
	// Each at its own ACS signs in.
	wantRedirect(t, b.post(b.idpInitiated(idpB, h.sp.URLs("beta").EntityID, "")), "/")
	if got, want := b.whoami(), h.userOf("beta", "ext-1").ID; got != want {
		t.Errorf("signed in as %q, want %q", got, want)
	}
}

// TestIdPInitiated: a sign-in started at the IdP (its dashboard tile) is
// accepted; its RelayState is honoured only when it is a local path.
func TestIdPInitiated(t *testing.T) {
	tests := []struct{ relay, want string }{
		{"/groups/acme/page", "/groups/acme/page"},
		{"", "/"},
		{"https://evil.example/", "/"},
		{"//evil.example/x", "/"},
		{"/\\evil.example", "/"},
		{"javascript:alert(1)", "/"},
	}
	h, ti, _ := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{})
	h.provision("acme", "ext-1", "jdoe", "jdoe@acme.example")
	ti.asUser("ext-1", "jdoe@acme.example")
	for _, tc := range tests {
		t.Run(tc.relay, func(t *testing.T) {
			b := h.browser()
			wantRedirect(t, b.post(b.idpInitiated(ti, h.sp.URLs("acme").EntityID, tc.relay)), tc.want)
			if b.whoami() == "" {
				t.Error("not signed in")
			}
		})
	}
}

// TestSSORedirectValidated: the SSO route sends only a local path as
// RelayState.
func TestSSORedirectValidated(t *testing.T) {
	h, ti, _ := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{})
	for redirect, want := range map[string]string{
		"/groups/acme/page?x=1": "/groups/acme/page?x=1",
		"https://evil.example/": "/",
		"//evil.example":        "/",
		"":                      "/",
	} {
		resp := h.browser().get(h.sp.URLs("acme").SSO + "?redirect=" + url.QueryEscape(redirect))
		resp.Body.Close()
		loc, err := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != http.StatusFound || err != nil || !strings.HasPrefix(loc.String(), ti.Server.URL+"/sso?") {
			t.Fatalf("redirect %q: %d to %q", redirect, resp.StatusCode, resp.Header.Get("Location"))
		}
		if got := loc.Query().Get("RelayState"); got != want || loc.Query().Get("SAMLRequest") == "" {
			t.Errorf("redirect %q: RelayState %q, want %q", redirect, got, want)
		}
	}
}

// TestConcurrentSignIns runs many sign-ins at once (run it with -race):
// different people, and one person in many browsers whose first sign-in
// makes them a member: exactly one membership, every browser signed in.
func TestConcurrentSignIns(t *testing.T) {
	for name, open := range stores(t) {
		t.Run(name, func(t *testing.T) {
			h, ti, _ := newSignIn(t, open(t), identity.GroupSpec{})
			const people = 6
			for i := range people {
				h.provision("acme", fmt.Sprint("ext-", i), fmt.Sprint("user", i), fmt.Sprintf("u%d@acme.example", i))
			}
			// One more person linked to the IdP but not a member yet.
			err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
				if err := tx.PutUser(ctx, &store.User{ID: "late", Username: "late", Email: "late@acme.example", State: store.UserActive}); err != nil {
					return err
				}
				return tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: h.ids["acme"], UserID: "late", ExternUID: "ext-late"})
			})
			if err != nil {
				t.Fatal(err)
			}
			type job struct {
				b    *browser
				f    samlForm
				want string
			}
			var jobs []job
			for i := range people {
				b := h.browser()
				ti.asUser(fmt.Sprint("ext-", i), "")
				jobs = append(jobs, job{b, b.startSSO("acme", ""), h.userOf("acme", fmt.Sprint("ext-", i)).ID})
			}
			ti.asUser("ext-late", "")
			for range 4 {
				b := h.browser()
				jobs = append(jobs, job{b, b.startSSO("acme", ""), "late"})
			}
			var wg sync.WaitGroup
			for _, j := range jobs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					resp := j.b.post(j.f)
					resp.Body.Close()
					if resp.StatusCode != http.StatusSeeOther {
						t.Errorf("concurrent sign-in of %s: %d", j.want, resp.StatusCode)
					}
				}()
			}
			wg.Wait()
			for _, j := range jobs {
				if got := j.b.whoami(); got != j.want {
					t.Errorf("signed in as %q, want %q", got, j.want)
				}
			}
			added := 0
			for _, s := range h.sess.starts {
				if s.Changes.Has(identity.MemberAdded) {
					added++
				}
			}
			if added != 1 {
				t.Errorf("%d sign-ins added the member, want exactly 1", added)
			}
		})
	}
}

// TestGitLabProfileNeedsSAML: in the GitLab profile a group's SCIM API
// answers GitLab's 404 until the group has SAML SSO configured (unknown
// group first, then SAML, then the token).
func TestGitLabProfileNeedsSAML(t *testing.T) {
	clk := newClock()
	ti := newTestIdP(t, clk, "idp-a", "")
	h := newHost(t, stores(t)["memstore"](t), clk, hostOptions{profile: scim.ProfileGitLab})
	h.addGroup("acme", nil, identity.GroupSpec{})
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, h.base+"/api/scim/v2/groups/"+path+"/Users", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body(resp)
	}
	steps := []struct {
		path, token string
		status      int
		want        string
	}{
		{"nope", "x", 404, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Group nope not found","status":404}`},
		{"acme", "wrong", 404, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Group acme does not have SAML SSO configured","status":404}`},
		{"acme", h.token["acme"], 404, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Group acme does not have SAML SSO configured","status":404}`},
	}
	for _, s := range steps {
		if code, b := get(s.path, s.token); code != s.status || b != s.want {
			t.Errorf("GET %s with %q: %d %s, want %d %s", s.path, s.token, code, b, s.status, s.want)
		}
	}
	h.configure("acme", store.SAMLConfig{Enabled: true, IdPMetadata: ti.metadataXML()})
	if code, b := get("acme", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("configured, wrong token: %d %s, want 401", code, b)
	}
	if code, b := get("acme", h.token["acme"]); code != http.StatusOK {
		t.Errorf("configured: %d %s, want 200", code, b)
	}
}

// TestNameIDChanged: the IdP now asserts another NameID for a linked
// person (an IdP app recreated, an attribute remapped). With an email the
// account has verified, the SAML identity follows the new NameID and the
// person signs in; with an unverified one it is refused, nothing written.
func TestNameIDChanged(t *testing.T) {
	for _, tc := range []struct {
		name     string
		verified bool
	}{{"verified email", true}, {"unverified email", false}} {
		t.Run(tc.name, func(t *testing.T) {
			h, ti, _ := newSignIn(t, stores(t)["memstore"](t), identity.GroupSpec{})
			err := h.st.Update(t.Context(), func(ctx context.Context, tx store.Tx) error {
				u := &store.User{ID: "ada", Username: "ada", Email: "ada@acme.example", Confirmed: tc.verified, State: store.UserActive}
				if err := tx.PutUser(ctx, u); err != nil {
					return err
				}
				if err := tx.PutMembership(ctx, &store.Membership{GroupID: h.ids["acme"], UserID: "ada", Role: store.RoleGuest}); err != nil {
					return err
				}
				return tx.PutSAMLIdentity(ctx, &store.SAMLIdentity{GroupID: h.ids["acme"], UserID: "ada", ExternUID: "old-id"})
			})
			if err != nil {
				t.Fatal(err)
			}
			before := h.snap("ada")
			ti.asUser("new-id", "ADA@acme.example")
			b := h.browser()
			resp := b.post(b.startSSO("acme", ""))
			if !tc.verified {
				wantPage(t, resp, http.StatusForbidden, "SAML Name ID and email address do not match your user account")
				h.unchanged(before, "ada")
				return
			}
			wantRedirect(t, resp, "/")
			if got := b.whoami(); got != "ada" {
				t.Fatalf("signed in as %q", got)
			}
			if s := h.snap("ada").SAML; len(s) != 1 || s[0].ExternUID != "new-id" {
				t.Errorf("SAML identities %+v, want ada's under new-id", s)
			}
			if s := h.sess.starts; len(s) != 1 || !s[0].Changes.Has(identity.NameIDChanged) {
				t.Errorf("sessions started: %+v", s)
			}
		})
	}
}
