package sso

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"
)

// The cookies this package sets. Both are HttpOnly, Secure when the base
// URL is https, scoped to the one route that reads them, and short-lived;
// their values are MACed with a key derived from the service provider's
// key, so a browser (or an attacker who can set cookies in it) cannot make
// one up.
//
// trackingPrefix + an id: one per sign-in started at the SSO route,
// holding the AuthnRequest's ID, read at the ACS to check InResponseTo.
// The IdP sends the browser back with a cross-site POST, and browsers send
// a SameSite=Lax cookie only on same-site requests and top-level GETs, so
// the cookie is SameSite=None, which browsers accept only with Secure.
// Over plain http (local development) it has no SameSite attribute: the
// browser's default then applies, and Chrome's default sends a cookie set
// less than two minutes ago on a top-level cross-site POST, while Firefox
// and Safari send it (crewjam/saml's samlsp does the same). A sign-in that
// loses its cookie fails with "does not answer a sign-in started in this
// browser", never succeeds unchecked.
//
// linkCookie: the verified but unlinked assertion between the ACS and the
// Authorize confirmation: group, account signed in, NameID, email, return
// path. The Authorize POST comes from our own page, so the cookie is
// SameSite=Lax: a cross-site form cannot carry it, which (with
// http.CrossOriginProtection on the route) makes the confirmation
// unforgeable.
const (
	trackingPrefix = "scimkit_saml_req_"
	linkCookie     = "scimkit_saml_link"
)

// maxTrackingCookies bounds how many tracking cookies one ACS request
// reads.
const maxTrackingCookies = 20

// tracked is the value of a tracking cookie.
type tracked struct {
	Group   string `json:"g"`
	ID      string `json:"i"`
	Expires int64  `json:"e"`
}

// pendingLink is the value of the link cookie.
type pendingLink struct {
	Group    string `json:"g"`
	User     string `json:"u"`
	NameID   string `json:"n"`
	Email    string `json:"m,omitempty"`
	ReturnTo string `json:"r"`
	// SessionEnd is the assertion's SessionNotOnOrAfter (Unix seconds),
	// or the zero time's.
	SessionEnd int64 `json:"s"`
	Expires    int64 `json:"e"`
}

// trackingName is the name of the tracking cookie of AuthnRequest id.
func trackingName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return trackingPrefix + hex.EncodeToString(sum[:8])
}

// seal encodes v and MACs it with key (and the cookie's name, so that one
// cookie's value cannot be moved to another).
func seal(key []byte, name string, v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(key, name, p)), nil
}

// open checks the MAC of a sealed value and decodes it into v.
func open(key []byte, name, value string, v any) error {
	p, m, ok := strings.Cut(value, ".")
	if !ok || len(value) > 4096 {
		return errors.New("sso: malformed cookie")
	}
	got, err := base64.RawURLEncoding.DecodeString(m)
	if err != nil || !hmac.Equal(got, mac(key, name, p)) {
		return errors.New("sso: cookie MAC mismatch")
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return errors.New("sso: malformed cookie")
	}
	return json.Unmarshal(b, v)
}

func mac(key []byte, name, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(name))
	m.Write([]byte{0})
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// cookie returns a cookie of this package with its attributes: crossSite
// for the tracking cookie (SameSite=None under TLS), Lax otherwise.
func (h *Handler) cookie(name, value, path string, maxAge time.Duration, crossSite bool) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: path, MaxAge: int(maxAge / time.Second), HttpOnly: true, Secure: h.secure}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	switch {
	case !crossSite:
		c.SameSite = http.SameSiteLaxMode
	case h.secure:
		c.SameSite = http.SameSiteNoneMode
	}
	return c
}
