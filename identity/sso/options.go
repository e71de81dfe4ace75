package sso

import (
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Option configures [New]. Options are made only by this package's With
// functions.
type Option struct {
	apply func(*config) error
}

// config is what the options set; every field has a default.
type config struct {
	prefix  string
	log     *slog.Logger
	now     func() time.Time
	render  Renderer
	replay  ReplayCache
	key     *rsa.PrivateKey
	cert    *x509.Certificate
	maxBody int64
	landing string
}

// DefaultPrefix is where the routes are mounted unless [WithPrefix] says
// otherwise: GitLab's layout, /groups/GROUP/-/saml/metadata and so on.
const DefaultPrefix = "/groups/{group}/-/saml"

// DefaultMaxResponseBytes is the largest ACS request body accepted (the
// form that carries the SAMLResponse); a larger one is answered 413.
const DefaultMaxResponseBytes = 512 << 10

// requestLifetime is how long a sign-in started at the SSO route may take
// at the IdP: its tracking cookie expires after it.
const requestLifetime = 10 * time.Minute

// WithPrefix mounts the routes under prefix, which must contain {group} as
// a whole path segment, once: for example "/sso/{group}" serves
// /sso/GROUP/metadata, /sso/GROUP/sso, /sso/GROUP/callback and
// /sso/GROUP/authorize. The default is [DefaultPrefix]. The groups' entity
// IDs follow the prefix: the base URL, then the prefix up to and including
// {group} ("https://HOST/groups/GROUP" with the default prefix, as GitLab's).
func WithPrefix(prefix string) Option {
	return Option{func(c *config) error {
		p := strings.TrimSuffix(prefix, "/")
		if !strings.HasPrefix(p, "/") {
			return fmt.Errorf("sso: prefix %q must start with \"/\"", prefix)
		}
		n := 0
		for _, seg := range strings.Split(p, "/") {
			if seg == "{group}" {
				n++
			} else if strings.ContainsAny(seg, "{}") {
				return fmt.Errorf("sso: prefix %q: only a whole {group} segment may be a wildcard", prefix)
			}
		}
		if n != 1 {
			return fmt.Errorf("sso: prefix %q must name {group} once", prefix)
		}
		c.prefix = p
		return nil
	}}
}

// WithLogger sets the logger for refused sign-ins (group and reason, never
// a NameID, a response or a key) and internal errors. The default discards
// everything.
func WithLogger(l *slog.Logger) Option {
	return Option{func(c *config) error {
		if l == nil {
			return errors.New("sso: nil logger")
		}
		c.log = l
		return nil
	}}
}

// WithClock sets the clock that SAML time windows, request tracking and the
// replay cache read (default time.Now). Tests use it to check expiry.
func WithClock(now func() time.Time) Option {
	return Option{func(c *config) error {
		if now == nil {
			return errors.New("sso: nil clock")
		}
		c.now = now
		return nil
	}}
}

// WithRenderer replaces the default pages (small HTML pages with the
// message and status) with the host's own.
func WithRenderer(r Renderer) Option {
	return Option{func(c *config) error {
		if r == nil {
			return errors.New("sso: nil renderer")
		}
		c.render = r
		return nil
	}}
}

// WithReplayCache sets where the IDs of accepted assertions are recorded,
// so that each is accepted once. The default is an in-memory cache of one
// process: several replicas behind one load balancer MUST share a cache
// (over their database or a shared key-value store), or an assertion
// captured in transit can be replayed to another replica while it is valid.
func WithReplayCache(rc ReplayCache) Option {
	return Option{func(c *config) error {
		if rc == nil {
			return errors.New("sso: nil replay cache")
		}
		c.replay = rc
		return nil
	}}
}

// WithServiceProviderKey gives the service provider's RSA key and its
// certificate, for a host that keeps keys in its own secret store. Without
// it, a key pair is generated on first use and kept in the store
// (store.SAMLKey), shared by the replicas of one database.
func WithServiceProviderKey(key *rsa.PrivateKey, cert *x509.Certificate) Option {
	return Option{func(c *config) error {
		if key == nil || cert == nil {
			return errors.New("sso: WithServiceProviderKey: nil key or certificate")
		}
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || !pub.Equal(&key.PublicKey) {
			return errors.New("sso: WithServiceProviderKey: the certificate is not the key's")
		}
		c.key, c.cert = key, cert
		return nil
	}}
}

// WithMaxResponseBytes sets the largest ACS request body accepted (default
// [DefaultMaxResponseBytes]); a larger one is answered 413 without being
// read.
func WithMaxResponseBytes(n int64) Option {
	return Option{func(c *config) error {
		if n < 16<<10 {
			return fmt.Errorf("sso: max response %d below 16 KiB", n)
		}
		c.maxBody = n
		return nil
	}}
}

// WithLanding sets the local path a person lands on after signing in when
// no valid RelayState says where to return (default "/").
func WithLanding(path string) Option {
	return Option{func(c *config) error {
		p, ok := localPath(path)
		if !ok {
			return fmt.Errorf("sso: landing %q is not a local path", path)
		}
		c.landing = p
		return nil
	}}
}
