package scim

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
)

// Option configures a [Handler]. Options are created only by this package's
// With functions.
type Option struct {
	apply func(*config) error
}

// config holds everything New validates before building the handler.
type config struct {
	prefix       string
	group        string
	baseURL      *url.URL
	logger       *slog.Logger
	maxBody      int64
	maxDepth     int
	maxFilter    int
	maxCount     int
	defaultCount int
	requestID    func() string
	strict       bool
	timeout      time.Duration
}

// Limits a Handler applies unless options change them.
const (
	// DefaultMaxBodyBytes is the largest request body accepted (413 beyond).
	DefaultMaxBodyBytes = 1 << 20
	// DefaultMaxCount is the largest page size; a larger count is capped and
	// the cap is advertised in /ServiceProviderConfig (filter.maxResults).
	DefaultMaxCount = 200
	// DefaultCount is the page size when a request gives no count.
	DefaultCount = 100
	// maxJSONDepth bounds the nesting of a request body.
	maxJSONDepth = 32
	// defaultMaxFilterLen bounds the length of a filter expression in bytes.
	defaultMaxFilterLen = 4096
	// DefaultRequestTimeout is the deadline of a request when
	// WithRequestTimeout does not set one.
	DefaultRequestTimeout = 20 * time.Second
)

// WithPrefix mounts the routes under prefix, for example "/scim/v2" or, for
// several groups (tenants) on one handler, "/api/scim/v2/groups/{group}".
// The only wildcard allowed is {group}, which names the group served; it
// must be a whole path segment. The default prefix is empty: routes are
// "/Users", "/Schemas"..., which suits http.StripPrefix.
func WithPrefix(prefix string) Option {
	return Option{func(c *config) error {
		p := strings.TrimSuffix(prefix, "/")
		if p != "" && !strings.HasPrefix(p, "/") {
			return fmt.Errorf("scim: prefix %q must start with \"/\"", prefix)
		}
		for _, seg := range strings.Split(p, "/") {
			if strings.ContainsAny(seg, "{}") && seg != "{group}" {
				return fmt.Errorf("scim: prefix %q: only a whole {group} segment may be a wildcard", prefix)
			}
		}
		if strings.Count(p, "{group}") > 1 {
			return fmt.Errorf("scim: prefix %q names {group} twice", prefix)
		}
		c.prefix = p
		return nil
	}}
}

// WithGroup serves the one group at path when the prefix has no {group}
// wildcard.
func WithGroup(path string) Option {
	return Option{func(c *config) error {
		if path == "" {
			return fmt.Errorf("scim: empty group path")
		}
		c.group = path
		return nil
	}}
}

// WithBaseURL sets the externally visible scheme, host and path prefix used
// in Location headers and meta.location, for a handler behind a proxy. By
// default they come from the request (scheme http, or https over TLS, and
// the Host header).
func WithBaseURL(u string) Option {
	return Option{func(c *config) error {
		pu, err := url.Parse(u)
		if err != nil {
			return fmt.Errorf("scim: base URL: %w", err)
		}
		if pu.Scheme != "http" && pu.Scheme != "https" || pu.Host == "" {
			return fmt.Errorf("scim: base URL %q must be absolute http(s)", u)
		}
		pu.Path = strings.TrimSuffix(pu.Path, "/")
		pu.RawQuery, pu.Fragment = "", ""
		c.baseURL = pu
		return nil
	}}
}

// WithLogger sets the logger for internal errors (with the request id) and
// refused authentications. The default discards everything.
func WithLogger(l *slog.Logger) Option {
	return Option{func(c *config) error {
		if l == nil {
			return fmt.Errorf("scim: nil logger")
		}
		c.logger = l
		return nil
	}}
}

// WithMaxBodyBytes sets the largest request body accepted; larger bodies get
// 413. The default is [DefaultMaxBodyBytes].
func WithMaxBodyBytes(n int64) Option {
	return Option{func(c *config) error {
		if n < 1024 {
			return fmt.Errorf("scim: max body %d below 1024 bytes", n)
		}
		c.maxBody = n
		return nil
	}}
}

// WithMaxCount sets the largest page size (default [DefaultMaxCount]) and
// the page size used when a request has no count (default [DefaultCount],
// lowered to max when larger).
func WithMaxCount(max, def int) Option {
	return Option{func(c *config) error {
		if max < 1 || def < 1 {
			return fmt.Errorf("scim: page sizes must be positive, got max %d, default %d", max, def)
		}
		c.maxCount, c.defaultCount = max, min(def, max)
		return nil
	}}
}

// WithStrictFilters makes a filter on an attribute the schema does not
// define an invalidFilter error instead of a comparison on the stored
// document (docs/design.md §Protocol decisions).
func WithStrictFilters() Option {
	return Option{func(c *config) error { c.strict = true; return nil }}
}

// WithRequestID sets the generator of request ids, which are logged with
// internal errors and sent in the X-Request-Id response header. The default
// is a random per-handler prefix and a counter. An incoming X-Request-Id is
// not trusted.
func WithRequestID(gen func() string) Option {
	return Option{func(c *config) error {
		if gen == nil {
			return fmt.Errorf("scim: nil request id generator")
		}
		c.requestID = gen
		return nil
	}}
}

// WithRequestTimeout sets the deadline every request runs under (default
// [DefaultRequestTimeout], 20 s). The request's context carries it to the
// provisioner and the store: a store operation still running at the
// deadline is rolled back, a wait for a lock or a retry stops there, and the
// client gets 503 with Retry-After, having been told the truth: nothing was
// written. Set the server's WriteTimeout above it (the example server uses
// the timeout plus 10 s), so that the answer still reaches the client; a
// WriteTimeout below it lets the server drop the connection of a request
// that then commits, and the identity provider that retries meets its own
// write as a conflict.
func WithRequestTimeout(d time.Duration) Option {
	return Option{func(c *config) error {
		if d <= 0 {
			return fmt.Errorf("scim: request timeout %v is not positive", d)
		}
		c.timeout = d
		return nil
	}}
}
