package settings

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/scimkit/scimkit/identity/sso"
)

// Option configures a [Handler]. Options are created only by this package's
// With functions.
type Option struct {
	apply func(*config) error
}

// config holds what the options set; New validates it.
type config struct {
	prefix  string
	scimURL string
	events  EventLog
	origins []string
	logger  *slog.Logger
	// samlURLs gives a group's SAML service-provider addresses; nil
	// without [WithSAML].
	samlURLs func(groupPath string) sso.URLs
}

// Defaults: GitLab's paths.
const (
	// DefaultPrefix is where the page of a group is served unless
	// [WithPrefix] says otherwise: GitLab's path of a group's SAML SSO
	// settings.
	DefaultPrefix = "/groups/{group}/-/saml"
	// DefaultSCIMURL is the group's SCIM base URL shown on the page unless
	// [WithSCIMURL] says otherwise: GitLab's path, completed with the
	// request's scheme and host.
	DefaultSCIMURL = "/api/scim/v2/groups/{group}"
)

// pageSize is the number of identities on a page of the table.
const pageSize = 50

// recentEvents is the number of events the page asks an [EventLog] for.
const recentEvents = 20

// WithPrefix serves the page of group G at prefix with its {group} segment
// replaced by G's path (default [DefaultPrefix]); the token form posts to
// prefix + "/token", the SAML form ([WithSAML]) to the prefix itself. The prefix must start with "/" and hold exactly
// one whole {group} segment.
func WithPrefix(prefix string) Option {
	return Option{func(c *config) error {
		p := strings.TrimSuffix(prefix, "/")
		if err := checkGroupPath(p); err != nil {
			return fmt.Errorf("settings: prefix %q: %w", prefix, err)
		}
		c.prefix = p
		return nil
	}}
}

// WithSCIMURL sets the group's SCIM base URL the page shows for the IdP
// administrator to copy, with a whole {group} segment standing for the
// group's path: either absolute ("https://scim.example.com/api/scim/v2/groups/{group}",
// for a host behind a proxy) or a path ("/api/scim/v2/groups/{group}"),
// completed with the scheme and host of the request for the page. It must
// name the URL where the host mounts the scim handler. The default is
// [DefaultSCIMURL].
func WithSCIMURL(u string) Option {
	return Option{func(c *config) error {
		pu, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("settings: SCIM URL: %w", err)
		}
		if pu.RawQuery != "" || pu.Fragment != "" || pu.User != nil {
			return fmt.Errorf("settings: SCIM URL %q: want no user, query or fragment", u)
		}
		if pu.IsAbs() && (pu.Scheme != "http" && pu.Scheme != "https" || pu.Host == "") {
			return fmt.Errorf("settings: SCIM URL %q: want an absolute http(s) URL or a path", u)
		}
		p := strings.TrimSuffix(pu.Path, "/")
		if err := checkGroupPath(p); err != nil {
			return fmt.Errorf("settings: SCIM URL %q: %w", u, err)
		}
		c.scimURL = strings.TrimSuffix(u, "/")
		return nil
	}}
}

// WithEventLog shows the group's recent audit events, read from l, at the
// foot of the page. Without it the page has no events section.
func WithEventLog(l EventLog) Option {
	return Option{func(c *config) error {
		if l == nil {
			return fmt.Errorf("settings: nil EventLog")
		}
		c.events = l
		return nil
	}}
}

// WithSAML adds the SAML section to the page: the group's service-provider
// addresses for the IdP administrator to copy, the group's saved SAML
// configuration, and the form that changes it (posted to the prefix
// itself). urls gives a group's addresses from its path; pass the SAML
// handler's own method, sp.URLs of an [sso.Handler], so that the page shows
// exactly what the SAML routes serve. Without this option the page has no
// SAML section and no SAML form.
func WithSAML(urls func(groupPath string) sso.URLs) Option {
	return Option{func(c *config) error {
		if urls == nil {
			return fmt.Errorf("settings: nil SAML URLs")
		}
		c.samlURLs = urls
		return nil
	}}
}

// WithTrustedOrigin accepts form posts from origin ("https://admin.example.com")
// besides the page's own origin, for a host whose proxy changes the Host
// header (see [http.CrossOriginProtection.AddTrustedOrigin]). The page's
// own origin needs no option.
func WithTrustedOrigin(origin string) Option {
	return Option{func(c *config) error {
		c.origins = append(c.origins, origin)
		return nil
	}}
}

// WithLogger sets the logger for internal errors (a failing store) and
// token resets. The default discards everything. Tokens are never logged.
func WithLogger(l *slog.Logger) Option {
	return Option{func(c *config) error {
		if l == nil {
			return fmt.Errorf("settings: nil logger")
		}
		c.logger = l
		return nil
	}}
}

// checkGroupPath checks that p is a path starting with "/" that holds
// exactly one {group} segment and no other wildcard.
func checkGroupPath(p string) error {
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("must start with \"/\"")
	}
	n := 0
	for _, seg := range strings.Split(p, "/") {
		switch {
		case seg == "{group}":
			n++
		case strings.ContainsAny(seg, "{}"):
			return fmt.Errorf("only a whole {group} segment may be a wildcard")
		}
	}
	if n != 1 {
		return fmt.Errorf("want exactly one {group} segment")
	}
	return nil
}
