package scimtest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
)

// prefix is the path under which a [Server] serves its groups: a group's
// SCIM base URL is the server's root URL, prefix without its {group}
// wildcard, and the group's path.
const prefix = "/api/scim/v2/groups/{group}"

// Server is scimkit's SCIM handler running on an [httptest.Server], with
// groups whose tokens are known. Create it with [NewServer]; it is closed
// when the test ends. Its fields must not be changed; Events is safe for
// concurrent use.
type Server struct {
	// URL is the SCIM base URL of the first group, such as
	// http://127.0.0.1:40123/api/scim/v2/groups/acme.
	URL string
	// Token is the first group's SCIM bearer token.
	Token string
	// Groups are every group served, the first one being that of URL and
	// Token.
	Groups []Group
	// Provisioner is the provisioner behind the handler, for assertions
	// straight from Go (Get, List...).
	Provisioner *identity.Provisioner
	// Store is the store the provisioner works on: the one of WithStore,
	// or a memstore.
	Store store.Store
	// HTTP is the running server; HTTP.URL is its root URL and
	// HTTP.Client() a client for it.
	HTTP *httptest.Server

	mu     sync.Mutex
	events []identity.Event
}

// Group is one group (tenant) of a [Server].
type Group struct {
	// ID is the group's store id; Path its URL path segment.
	ID, Path string
	// URL is the group's SCIM base URL.
	URL string
	// Token is the group's SCIM bearer token.
	Token string
}

// NewServer starts scimkit over a memstore (or the store of [WithStore])
// with the groups of [WithGroup] (by default one, "acme"), in the wire
// profile of [WithProfile] (by default RFC), and closes it with
// t.Cleanup. It fails the test when the server cannot be built, for
// example when a group of WithGroup already exists in the given store.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	cfg, err := configure("NewServer", true, opts)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.st == nil {
		cfg.st = memstore.New()
	}
	if len(cfg.groups) == 0 {
		cfg.groups = []groupSpec{{path: "acme", token: "scimtest-token-acme"}}
	}
	s := &Server{Store: cfg.st}
	sink := identity.EventSinkFunc(func(_ context.Context, e identity.Event) {
		s.mu.Lock()
		s.events = append(s.events, e)
		s.mu.Unlock()
	})
	prov, h, groups, err := scimkit(t.Context(), cfg.st, cfg.profile, sink, cfg.groups)
	if err != nil {
		t.Fatalf("scimtest: NewServer: %v", err)
	}
	s.Provisioner = prov
	s.HTTP = httptest.NewServer(h)
	t.Cleanup(s.HTTP.Close)
	for _, g := range groups {
		g.URL = s.HTTP.URL + "/api/scim/v2/groups/" + g.Path
		s.Groups = append(s.Groups, g)
	}
	s.URL, s.Token = s.Groups[0].URL, s.Groups[0].Token
	return s
}

// Events returns a copy of the events the provisioner has emitted so far,
// in order.
func (s *Server) Events() []identity.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// placeholderIdP returns the SAML configuration NewServer gives each group
// in the GitLab profile, which (as GitLab) serves SCIM only to groups with
// SAML SSO configured. Nobody signs in through it.
func placeholderIdP() store.SAMLConfig {
	return store.SAMLConfig{Enabled: true, SSOURL: "https://idp.scimtest.invalid/sso",
		Fingerprint: "00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33"}
}

// scimkit builds the provisioner and the SCIM handler of a profile over
// st, mounted at prefix, and creates the groups. It is the one place where
// scimtest constructs scimkit.
func scimkit(ctx context.Context, st store.Store, p scim.Profile, sink identity.EventSink, specs []groupSpec) (*identity.Provisioner, http.Handler, []Group, error) {
	prov, err := identity.New(st, identity.WithProfile(p.Rules()), identity.WithEventSink(sink))
	if err != nil {
		return nil, nil, nil, err
	}
	h, err := scim.New(prov, scim.WithProfile(p), scim.WithStore(st), scim.WithPrefix(prefix))
	if err != nil {
		return nil, nil, nil, err
	}
	var groups []Group
	for _, gs := range specs {
		g, tok, err := prov.CreateGroup(ctx, identity.GroupSpec{Path: gs.path, Token: gs.token})
		if err != nil {
			return nil, nil, nil, fmt.Errorf("group %q: %w", gs.path, err)
		}
		if p == scim.ProfileGitLab {
			if _, err := sso.Configure(ctx, st, g.ID, placeholderIdP()); err != nil {
				return nil, nil, nil, fmt.Errorf("group %q: %w", gs.path, err)
			}
		}
		groups = append(groups, Group{ID: g.ID, Path: g.Path, Token: string(tok)})
	}
	return prov, h, groups, nil
}
