package sso

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/crewjam/saml"

	"github.com/scimkit/scimkit/store"
)

// Limits on a configuration's fields, far above any real IdP's.
const (
	maxMetadata    = 1 << 20
	maxURL         = 2048
	maxCertificate = 64 << 10
	maxEntityID    = 1024
)

// nameIDFormatAllowed reports whether a group may ask for NameID format f
// ([store.SAMLConfig.NameIDFormat]): one of [NameIDFormats].
func nameIDFormatAllowed(f string) bool {
	return slices.Contains(NameIDFormats(), f)
}

// ConfigError reports a SAML configuration that [Configure] refuses. Field
// names the store.SAMLConfig field at fault ("IdPMetadata", "SSOURL",
// "Certificate", "Fingerprint", "IdPEntityID", "NameIDFormat"), or
// "DefaultRole" for the role given with [DefaultRole], or is empty for a
// problem of the whole; Detail is safe to show the administrator who
// entered it, beside the field.
type ConfigError struct {
	Field  string
	Detail string
	// Err is the cause, or nil.
	Err error
}

// Error returns "sso: Field: Detail".
func (e *ConfigError) Error() string {
	if e.Field == "" {
		return "sso: " + e.Detail
	}
	return "sso: " + e.Field + ": " + e.Detail
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

func configErr(field, detail string, err error) *ConfigError {
	return &ConfigError{Field: field, Detail: detail, Err: err}
}

// ConfigErrors returns the *[ConfigError] values err holds, one per field
// at fault, in the order [Configure] found them; none when err is nil or
// not a refused configuration. A settings form shows each beside its
// field.
func ConfigErrors(err error) []*ConfigError {
	var out []*ConfigError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *ConfigError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// ConfigureOption sets, with the SAML configuration, more of the group's
// single sign-on settings, or a condition of the write. Options are made
// only by this package's functions.
type ConfigureOption struct {
	apply func(*configureOpts)
}

// configureOpts is what the ConfigureOptions set.
type configureOpts struct {
	ifVersion bool
	version   int64
	enforce   *bool
	role      *store.Role
}

// IfVersion makes [Configure] write only when the group is still at
// version v (store.Group.Version), the version a settings form was filled
// in from: when someone changed the group since, it writes nothing and
// returns an error matching store.ErrVersionMismatch, so that their change
// is not silently overwritten. The check and the write are one store
// update.
func IfVersion(v int64) ConfigureOption {
	return ConfigureOption{func(o *configureOpts) { o.ifVersion, o.version = true, v }}
}

// EnforceSSO sets the group's store.Group.EnforceSSO (GitLab's "Enforce
// SSO-only authentication for web activity for this group") in the same
// write as the configuration.
func EnforceSSO(on bool) ConfigureOption {
	return ConfigureOption{func(o *configureOpts) { o.enforce = &on }}
}

// DefaultRole sets the group's store.Group.DefaultRole, the role of
// members added by provisioning and by SAML sign-in, in the same write as
// the configuration. It must be one of [DefaultRoles], or Configure
// refuses it with a *[ConfigError] on "DefaultRole".
func DefaultRole(r store.Role) ConfigureOption {
	return ConfigureOption{func(o *configureOpts) { o.role = &r }}
}

// DefaultRoles returns the roles a group may give as its default
// membership role, lowest first: GitLab's, from Minimal Access to Owner.
// The slice is the caller's.
func DefaultRoles() []store.Role {
	return []store.Role{store.RoleMinimalAccess, store.RoleGuest, store.RolePlanner, store.RoleReporter,
		store.RoleDeveloper, store.RoleMaintainer, store.RoleOwner}
}

// NameIDFormats returns the NameID formats a group may ask for
// ([store.SAMLConfig.NameIDFormat]): "" (whatever the IdP sends), then the
// persistent, emailAddress and unspecified formats. The transient format is
// not among them: a transient NameID changes at every sign-in, so it can
// never be the externalId that links an account. The slice is the
// caller's.
func NameIDFormats() []string {
	return []string{"", string(saml.PersistentNameIDFormat), string(saml.EmailAddressNameIDFormat), string(saml.UnspecifiedNameIDFormat)}
}

// Configure checks c and stores it as the SAML configuration of group
// groupID, replacing any, in one store update, and returns the group as
// stored. The IdP is given in exactly one of the forms store.SAMLConfig
// lists; the metadata must name an HTTP-Redirect single sign-on service and
// a signing certificate. Values are stored in a normal form: the
// certificate in PEM, the fingerprint in upper-case hex pairs separated by
// colons, IdPEntityID taken from the metadata.
//
// A refused configuration changes nothing and is a *[ConfigError] for
// each field at fault, joined with errors.Join when there are several
// ([ConfigErrors] lists them; errors.As finds the first). A group that
// does not exist is an error matching store.ErrNotFound.
//
// The group's EnforceSSO and DefaultRole are its own fields, left as they
// are unless [EnforceSSO] or [DefaultRole] set them in the same write;
// [IfVersion] makes the write conditional on the group's version, for a
// settings form.
func Configure(ctx context.Context, st store.Store, groupID string, c store.SAMLConfig, opts ...ConfigureOption) (*store.Group, error) {
	var o configureOpts
	for _, opt := range opts {
		if opt.apply != nil {
			opt.apply(&o)
		}
	}
	norm, _, err := checkConfig(c)
	if o.role != nil && !slices.Contains(DefaultRoles(), *o.role) {
		err = errors.Join(err, configErr("DefaultRole", "want one of the roles Minimal Access, Guest, Planner, Reporter, Developer, Maintainer or Owner", nil))
	}
	if err != nil {
		return nil, err
	}
	var g *store.Group
	err = st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if g, err = tx.Group(ctx, groupID); err != nil {
			return err
		}
		if o.ifVersion && g.Version != o.version {
			return fmt.Errorf("the group is at version %d, not %d: %w", g.Version, o.version, store.ErrVersionMismatch)
		}
		g.SAML = &norm
		if o.enforce != nil {
			g.EnforceSSO = *o.enforce
		}
		if o.role != nil {
			g.DefaultRole = *o.role
		}
		return tx.PutGroup(ctx, g)
	})
	if err != nil {
		return nil, fmt.Errorf("sso: configure group %q: %w", groupID, err)
	}
	return g, nil
}

// idp is a checked configuration, ready for a service provider: the IdP's
// metadata (real, or made from its SSO URL) and how its signatures are
// trusted.
type idp struct {
	// meta is given to crewjam/saml as the IdP's metadata. Without a
	// configured entity ID, its EntityID is set per response (see
	// issuerFromResponse).
	meta *saml.EntityDescriptor
	// cert, when set, is the one trusted signing certificate (base64 DER).
	cert string
	// fingerprint, when set, is the trusted certificate's SHA-1 or
	// SHA-256 digest: the certificate is taken from the response.
	fingerprint []byte
	// anyIssuer is set when no entity ID is configured: the trust rests
	// on the certificate alone, as GitLab's fingerprint form does.
	anyIssuer bool
	ssoURL    string
	// signing are the trusted signing certificates named by the metadata
	// or the configuration; none with a fingerprint.
	signing []*x509.Certificate
}

// checkConfig validates c and returns its normal form and the parsed IdP.
// A refused configuration is a *ConfigError per field at fault, joined:
// the fields are checked independently, so that a form can show every
// mistake at once.
func checkConfig(c store.SAMLConfig) (store.SAMLConfig, *idp, error) {
	c.IdPMetadata = strings.TrimSpace(c.IdPMetadata)
	c.SSOURL = strings.TrimSpace(c.SSOURL)
	c.Certificate = strings.TrimSpace(c.Certificate)
	c.Fingerprint = strings.TrimSpace(c.Fingerprint)
	c.IdPEntityID = strings.TrimSpace(c.IdPEntityID)
	c.NameIDFormat = strings.TrimSpace(c.NameIDFormat)
	var errs []error
	if !nameIDFormatAllowed(c.NameIDFormat) {
		if c.NameIDFormat == string(saml.TransientNameIDFormat) {
			errs = append(errs, configErr("NameIDFormat", "a transient NameID changes at every sign-in and cannot link an account", nil))
		} else {
			errs = append(errs, configErr("NameIDFormat", "want the persistent, emailAddress or unspecified format", nil))
		}
	}
	if len(c.IdPEntityID) > maxEntityID {
		errs = append(errs, configErr("IdPEntityID", "too long", nil))
	}
	if c.IdPMetadata != "" {
		var p *idp
		if c.SSOURL != "" || c.Certificate != "" || c.Fingerprint != "" {
			errs = append(errs, configErr("", "give the IdP metadata, or its SSO URL with its certificate or fingerprint, not both", nil))
		} else {
			var err error
			p, err = metadataIdP(&c)
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			return c, nil, err
		}
		return c, p, nil
	}
	p := &idp{ssoURL: c.SSOURL, anyIssuer: c.IdPEntityID == ""}
	if c.SSOURL == "" {
		errs = append(errs, configErr("SSOURL", "give the IdP metadata, or its SSO URL with its certificate or fingerprint", nil))
	} else if err := checkURL(c.SSOURL); err != nil {
		errs = append(errs, configErr("SSOURL", err.Error(), nil))
	}
	switch {
	case c.Certificate == "" && c.Fingerprint == "":
		errs = append(errs, configErr("Fingerprint", "give the IdP's signing certificate or its SHA-1 or SHA-256 fingerprint", nil))
	case c.Certificate != "" && c.Fingerprint != "":
		errs = append(errs, configErr("", "give the IdP's certificate or its fingerprint, one of the two", nil))
	case c.Certificate != "":
		cert, err := parseCertificate(c.Certificate)
		if err != nil {
			errs = append(errs, configErr("Certificate", "not an X.509 certificate in PEM or base64", err))
			break
		}
		c.Certificate = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
		p.cert = base64.StdEncoding.EncodeToString(cert.Raw)
		p.signing = []*x509.Certificate{cert}
	default:
		fp, err := parseFingerprint(c.Fingerprint)
		if err != nil {
			errs = append(errs, configErr("Fingerprint", err.Error(), nil))
			break
		}
		c.Fingerprint = formatFingerprint(fp)
		p.fingerprint = fp
	}
	if len(errs) > 0 {
		return c, nil, errors.Join(errs...)
	}
	p.meta = &saml.EntityDescriptor{EntityID: c.IdPEntityID, IDPSSODescriptors: []saml.IDPSSODescriptor{{
		SingleSignOnServices: []saml.Endpoint{{Binding: saml.HTTPRedirectBinding, Location: c.SSOURL}},
	}}}
	return c, p, nil
}

// metadataIdP parses the metadata form of c and fills c.IdPEntityID.
func metadataIdP(c *store.SAMLConfig) (*idp, error) {
	if len(c.IdPMetadata) > maxMetadata {
		return nil, configErr("IdPMetadata", "larger than 1 MiB", nil)
	}
	ed, err := parseMetadata([]byte(c.IdPMetadata))
	if err != nil {
		return nil, configErr("IdPMetadata", "not SAML metadata of one identity provider ("+err.Error()+")", err)
	}
	if c.IdPEntityID != "" && c.IdPEntityID != ed.EntityID {
		return nil, configErr("IdPEntityID", fmt.Sprintf("the metadata's entity ID is %q", ed.EntityID), nil)
	}
	if ed.EntityID == "" {
		return nil, configErr("IdPMetadata", "the metadata has no entityID", nil)
	}
	c.IdPEntityID = ed.EntityID
	sp := saml.ServiceProvider{IDPMetadata: ed}
	sso := sp.GetSSOBindingLocation(saml.HTTPRedirectBinding)
	if sso == "" {
		return nil, configErr("IdPMetadata", "the metadata has no SingleSignOnService with the HTTP-Redirect binding", nil)
	}
	if err := checkURL(sso); err != nil {
		return nil, configErr("IdPMetadata", "SingleSignOnService: "+err.Error(), nil)
	}
	var signing []*x509.Certificate
	for _, d := range ed.IDPSSODescriptors {
		for _, kd := range d.KeyDescriptors {
			if kd.Use != "" && kd.Use != "signing" {
				continue
			}
			for _, xc := range kd.KeyInfo.X509Data.X509Certificates {
				cert, err := parseCertificate(xc.Data)
				if err != nil {
					return nil, configErr("IdPMetadata", "a signing certificate does not parse", err)
				}
				signing = append(signing, cert)
			}
		}
	}
	if len(signing) == 0 {
		return nil, configErr("IdPMetadata", "the metadata names no signing certificate", nil)
	}
	return &idp{meta: ed, ssoURL: sso, signing: signing}, nil
}

// parseMetadata reads an EntityDescriptor, or an EntitiesDescriptor that
// holds exactly one identity provider, with crewjam/saml's types.
func parseMetadata(data []byte) (*saml.EntityDescriptor, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	var root xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "EntitiesDescriptor" {
		ed := &saml.EntityDescriptor{}
		if err := xml.Unmarshal(data, ed); err != nil {
			return nil, err
		}
		if len(ed.IDPSSODescriptors) == 0 {
			return nil, errors.New("no IDPSSODescriptor")
		}
		return ed, nil
	}
	all := &saml.EntitiesDescriptor{}
	if err := xml.Unmarshal(data, all); err != nil {
		return nil, err
	}
	var found []*saml.EntityDescriptor
	var walk func(e *saml.EntitiesDescriptor)
	walk = func(e *saml.EntitiesDescriptor) {
		for i := range e.EntityDescriptors {
			if len(e.EntityDescriptors[i].IDPSSODescriptors) > 0 {
				found = append(found, &e.EntityDescriptors[i])
			}
		}
		for i := range e.EntitiesDescriptors {
			walk(&e.EntitiesDescriptors[i])
		}
	}
	walk(all)
	if len(found) != 1 {
		return nil, fmt.Errorf("%d identity providers in the metadata, want one", len(found))
	}
	return found[0], nil
}

// checkURL accepts an absolute http or https URL with a host.
func checkURL(s string) error {
	if len(s) > maxURL {
		return errors.New("too long")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return errors.New("want an absolute https (or http) URL")
	}
	return nil
}

// parseCertificate reads an X.509 certificate in PEM, or as the bare
// base64 of its DER as metadata and IdP consoles show it.
func parseCertificate(s string) (*x509.Certificate, error) {
	if len(s) > maxCertificate {
		return nil, errors.New("too long")
	}
	if b, _ := pem.Decode([]byte(s)); b != nil {
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block %q, want CERTIFICATE", b.Type)
		}
		return x509.ParseCertificate(b.Bytes)
	}
	der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// parseFingerprint reads a SHA-1 or SHA-256 fingerprint in hex, with or
// without colons or spaces between the pairs, in either case.
func parseFingerprint(s string) ([]byte, error) {
	h := strings.NewReplacer(":", "", " ", "", "-", "").Replace(s)
	b, err := hex.DecodeString(h)
	if err != nil || (len(b) != sha1.Size && len(b) != sha256.Size) {
		return nil, errors.New("want the certificate's SHA-1 or SHA-256 fingerprint in hex (40 or 64 digits)")
	}
	return b, nil
}

// formatFingerprint writes a fingerprint as "AB:CD:...".
func formatFingerprint(b []byte) string {
	var sb strings.Builder
	for i, c := range b {
		if i > 0 {
			sb.WriteByte(':')
		}
		fmt.Fprintf(&sb, "%02X", c)
	}
	return sb.String()
}

// matchesFingerprint reports whether der's digest (SHA-1 or SHA-256, by
// the fingerprint's length) is fp.
func matchesFingerprint(der, fp []byte) bool {
	switch len(fp) {
	case sha1.Size:
		d := sha1.Sum(der)
		return bytes.Equal(d[:], fp)
	case sha256.Size:
		d := sha256.Sum256(der)
		return bytes.Equal(d[:], fp)
	}
	return false
}

// maxCachedIdPs bounds the parsed configurations kept; beyond it the cache
// starts over.
const maxCachedIdPs = 256

// idpCache keeps parsed configurations by their value, so that metadata is
// parsed once, not at every sign-in. A changed configuration is a new key.
type idpCache struct {
	mu sync.Mutex
	m  map[store.SAMLConfig]*idp
}

// get returns the parsed form of c.
func (ic *idpCache) get(c *store.SAMLConfig) (*idp, error) {
	ic.mu.Lock()
	p := ic.m[*c]
	ic.mu.Unlock()
	if p != nil {
		return p, nil
	}
	_, p, err := checkConfig(*c)
	if err != nil {
		return nil, err
	}
	ic.mu.Lock()
	defer ic.mu.Unlock()
	if ic.m == nil || len(ic.m) >= maxCachedIdPs {
		ic.m = make(map[store.SAMLConfig]*idp)
	}
	ic.m[*c] = p
	return p, nil
}
