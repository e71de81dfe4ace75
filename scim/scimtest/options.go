package scimtest

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/scimkit/scimkit/scim"
	"github.com/scimkit/scimkit/store"
)

// Option configures [NewServer], the scripted clients ([NewEntra],
// [NewOkta], [NewOneLogin]) and [Check]. Options are created only by this
// package's With functions; each says which of those functions read it.
// An option given to a function that does not read it fails the test, so
// a misplaced option is not silently ignored.
type Option struct {
	name   string
	server bool // read by NewServer
	client bool // read by the clients and Check
	apply  func(*config) error
}

// config holds what the options set.
type config struct {
	profile scim.Profile
	// server
	st     store.Store
	groups []groupSpec
	// clients
	httpClient *http.Client
	groupsMode groupsMode
}

// groupSpec is a group NewServer creates.
type groupSpec struct{ path, token string }

// groupsMode says whether the clients run their group steps.
type groupsMode uint8

const (
	groupsDiscover groupsMode = iota // GET /ResourceTypes decides
	groupsOn
	groupsOff
)

// WithProfile selects the wire profile. NewServer serves it; the clients
// and Check send what the IdP apps built for it send: with
// [scim.ProfileGitLab], the shapes of Okta's and OneLogin's GitLab catalog
// apps and of Entra ID configured as GitLab documents it (no PUT, PATCH
// answered 204, id equal to the externalId, no Groups). The default is
// [scim.ProfileRFC].
func WithProfile(p scim.Profile) Option {
	return Option{name: "WithProfile", server: true, client: true, apply: func(c *config) error {
		if p != scim.ProfileRFC && p != scim.ProfileGitLab {
			return fmt.Errorf("unknown profile %q", p)
		}
		c.profile = p
		return nil
	}}
}

// WithStore makes NewServer provision into st instead of a new memstore:
// a host's own store.Store implementation, or a sqlstore. Read by
// NewServer only.
func WithStore(st store.Store) Option {
	return Option{name: "WithStore", server: true, apply: func(c *config) error {
		if st == nil {
			return fmt.Errorf("nil store")
		}
		c.st = st
		return nil
	}}
}

// WithGroup adds a group (tenant) at path to NewServer, with token as its
// SCIM token; an empty token means "scimtest-token-" followed by the path.
// The first group given is the one of Server.URL and Server.Token; without
// WithGroup the server has one group, "acme". Read by NewServer only.
func WithGroup(path, token string) Option {
	return Option{name: "WithGroup", server: true, apply: func(c *config) error {
		if path == "" || strings.ContainsAny(path, "/?#") {
			return fmt.Errorf("group path %q must be one non-empty path segment", path)
		}
		if token == "" {
			token = "scimtest-token-" + path
		}
		c.groups = append(c.groups, groupSpec{path: path, token: token})
		return nil
	}}
}

// WithHTTPClient makes the clients send their requests through hc, for
// example an httptest.Server's Client() for a TLS server. The default is a
// client with a 30-second timeout. Read by the clients and Check.
func WithHTTPClient(hc *http.Client) Option {
	return Option{name: "WithHTTPClient", client: true, apply: func(c *config) error {
		if hc == nil {
			return fmt.Errorf("nil http.Client")
		}
		c.httpClient = hc
		return nil
	}}
}

// WithGroupProvisioning turns the clients' group steps (Entra ID's group
// provisioning, Okta's Group Push) on or off. Without it a client asks
// the server once, with GET /ResourceTypes (a request of scimtest's, not
// of the IdP), and runs them when a resource type named "Group" is listed;
// with the GitLab profile they are off. Read by the clients and Check.
func WithGroupProvisioning(on bool) Option {
	return Option{name: "WithGroupProvisioning", client: true, apply: func(c *config) error {
		c.groupsMode = groupsOff
		if on {
			c.groupsMode = groupsOn
		}
		return nil
	}}
}

// configure applies opts for a function named fn that reads server or
// client options.
func configure(fn string, server bool, opts []Option) (config, error) {
	c := config{profile: scim.ProfileRFC}
	for _, o := range opts {
		if o.apply == nil {
			continue
		}
		if server && !o.server || !server && !o.client {
			return c, fmt.Errorf("scimtest: %s does not take %s", fn, o.name)
		}
		if err := o.apply(&c); err != nil {
			return c, fmt.Errorf("scimtest: %s: %w", o.name, err)
		}
	}
	return c, nil
}
