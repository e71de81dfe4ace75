package sso

import (
	"crypto/sha1"
	"crypto/sha256"
	"time"

	"github.com/scimkit/scimkit/store"
)

// IdPInfo is what a group's SAML configuration says about its identity
// provider, for a settings page to show the owner beside what the IdP's
// console shows.
type IdPInfo struct {
	// EntityID is the IdP's entity ID, the Issuer its responses must
	// carry; "" when the configuration names none and any issuer is
	// taken, the trust resting on the certificate alone.
	EntityID string
	// SSOURL is where sign-ins are sent (the HTTP-Redirect binding).
	SSOURL string
	// Fingerprint is the configured fingerprint of the IdP's signing
	// certificate, in upper-case hex pairs separated by colons (SHA-1:
	// 20 pairs, SHA-256: 32), or "" when the configuration gives the
	// certificates themselves.
	Fingerprint string
	// Certificates are the trusted signing certificates: the metadata's,
	// or the configured one. None when the configuration gives a
	// fingerprint: each response then brings its certificate.
	Certificates []IdPCertificate
}

// IdPCertificate is one trusted signing certificate of an IdP.
type IdPCertificate struct {
	// Subject is the certificate's subject, such as
	// "CN=Microsoft Azure Federated SSO Certificate".
	Subject string
	// NotBefore and NotAfter bound the certificate's validity.
	NotBefore, NotAfter time.Time
	// SHA1 and SHA256 are the certificate's fingerprints in upper-case
	// hex pairs separated by colons, as IdP consoles show them.
	SHA1, SHA256 string
}

// DescribeIdP returns what configuration c says about the group's IdP.
// It checks c as [Configure] does and returns the same errors; a
// configuration Configure stored is always described.
func DescribeIdP(c store.SAMLConfig) (*IdPInfo, error) {
	norm, p, err := checkConfig(c)
	if err != nil {
		return nil, err
	}
	info := &IdPInfo{EntityID: norm.IdPEntityID, SSOURL: p.ssoURL, Fingerprint: norm.Fingerprint}
	for _, cert := range p.signing {
		s1, s256 := sha1.Sum(cert.Raw), sha256.Sum256(cert.Raw)
		info.Certificates = append(info.Certificates, IdPCertificate{
			Subject:   cert.Subject.String(),
			NotBefore: cert.NotBefore,
			NotAfter:  cert.NotAfter,
			SHA1:      formatFingerprint(s1[:]),
			SHA256:    formatFingerprint(s256[:]),
		})
	}
	return info, nil
}
