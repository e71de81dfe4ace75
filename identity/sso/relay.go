package sso

import (
	"net/url"
	"strings"
)

// maxRelayState bounds the return path carried in RelayState. The SAML
// bindings ask senders for at most 80 bytes; IdPs take longer values, and
// a deep link into a host can be longer, so the bound is the size a cookie
// can still carry.
const maxRelayState = 1024

// localPath reports whether s is a path on this host to send a browser to
// after sign-in, and returns it. RelayState comes back from the IdP
// unauthenticated, so it is checked at the SSO route and again at the ACS:
// only an absolute path on the same origin ("/groups/acme?tab=1") passes;
// a URL with a scheme or host, a scheme-relative "//host", a backslash
// (browsers read "/\host" as "//host"), control characters and anything
// longer than 1 KiB are refused.
func localPath(s string) (string, bool) {
	if s == "" || len(s) > maxRelayState || s[0] != '/' {
		return "", false
	}
	if strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\") {
		return "", false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return "", false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "", false
	}
	if strings.HasPrefix(u.Path, "//") {
		return "", false
	}
	return s, true
}
