package sso

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"sync"
	"time"

	"github.com/scimkit/scimkit/store"
)

// spKeyBits is the size of a generated service-provider key.
const spKeyBits = 2048

// spKey is the service provider's key pair and what is derived from it.
// It is never logged: LogValue hides it.
type spKey struct {
	key  *rsa.PrivateKey
	cert *x509.Certificate
	// mac is the key of the MACs on this package's cookies, derived from
	// the private key so that every replica sharing the key checks them.
	mac []byte
}

// LogValue implements slog.LogValuer without the key.
func (k *spKey) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

func newSPKey(key *rsa.PrivateKey, cert *x509.Certificate) (*spKey, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sso: service-provider key: %w", err)
	}
	m := hmac.New(sha256.New, der)
	m.Write([]byte("scimkit identity/sso cookie MAC v1"))
	return &spKey{key: key, cert: cert, mac: m.Sum(nil)}, nil
}

// keyring loads the service provider's key pair once: the host's (given
// by WithServiceProviderKey), or the store's, generated and stored on
// first use. A failure is not remembered, so the next request tries again.
type keyring struct {
	st  store.Store
	now func() time.Time

	mu  sync.Mutex
	key *spKey
}

// get returns the key pair.
func (kr *keyring) get(ctx context.Context) (*spKey, error) {
	kr.mu.Lock()
	defer kr.mu.Unlock()
	if kr.key != nil {
		return kr.key, nil
	}
	k, err := kr.load(ctx)
	if err != nil {
		return nil, err
	}
	kr.key = k
	return k, nil
}

// load reads the stored key pair, or generates one and stores it. Two
// replicas generating at once both try to insert; the one that loses
// reads the winner's.
func (kr *keyring) load(ctx context.Context) (*spKey, error) {
	stored, err := kr.read(ctx)
	if err == nil || !errors.Is(err, store.ErrNotFound) {
		return stored, err
	}
	key, cert, err := generateKey(kr.now())
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("sso: service-provider key: %w", err)
	}
	err = kr.st.Update(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutSAMLKey(ctx, &store.SAMLKey{PrivateKey: der, Certificate: cert.Raw})
	})
	if errors.Is(err, store.ErrConflict) {
		return kr.read(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("sso: store the service-provider key: %w", err)
	}
	return newSPKey(key, cert)
}

// read returns the stored key pair, or an error matching
// store.ErrNotFound.
func (kr *keyring) read(ctx context.Context) (*spKey, error) {
	var sk *store.SAMLKey
	err := kr.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		sk, err = tx.SAMLKey(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("sso: read the service-provider key: %w", err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(sk.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("sso: the stored service-provider key does not parse: %w", err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("sso: the stored service-provider key is a %T, want RSA", parsed)
	}
	cert, err := x509.ParseCertificate(sk.Certificate)
	if err != nil {
		return nil, fmt.Errorf("sso: the stored service-provider certificate does not parse: %w", err)
	}
	if pub, ok := cert.PublicKey.(*rsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, errors.New("sso: the stored service-provider certificate is not the key's")
	}
	return newSPKey(key, cert)
}

// generateKey makes an RSA key and a self-signed certificate for it, valid
// for ten years: IdPs read the SP certificate only for its public key.
func generateKey(now time.Time) (*rsa.PrivateKey, *x509.Certificate, error) {
	key, err := rsa.GenerateKey(rand.Reader, spKeyBits)
	if err != nil {
		return nil, nil, fmt.Errorf("sso: generate the service-provider key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("sso: certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "scimkit SAML service provider"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, fmt.Errorf("sso: service-provider certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, err
	}
	return key, cert, nil
}
