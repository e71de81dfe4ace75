package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

// idpFlag collects -saml-idp values: GROUP=METADATA, where METADATA is a
// file or an http(s) URL of the IdP's SAML metadata.
type idpFlag map[string]string

func (f idpFlag) String() string {
	var parts []string
	for g, src := range f {
		parts = append(parts, g+"="+src)
	}
	return strings.Join(parts, ",")
}

func (f idpFlag) Set(v string) error {
	group, src, ok := strings.Cut(v, "=")
	if !ok || group == "" || src == "" {
		return fmt.Errorf("%q: want GROUP=FILE or GROUP=URL of the IdP's SAML metadata", v)
	}
	if _, dup := f[group]; dup {
		return fmt.Errorf("group %s: -saml-idp given twice", group)
	}
	f[group] = src
	return nil
}

// maxMetadata bounds IdP metadata read from a file or a URL.
const maxMetadata = 1 << 20

// readMetadata reads IdP metadata from a file or, for an http(s) source,
// over the network (10 seconds at most). Fetching over plain http trusts
// the network path: the metadata decides whose signatures are accepted.
func readMetadata(ctx context.Context, src string) (string, error) {
	if strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://") {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
		if err != nil {
			return "", err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET %s: %s", src, resp.Status)
		}
		return readLimited(resp.Body)
	}
	f, err := os.Open(src)
	if err != nil {
		return "", err
	}
	defer f.Close()
	return readLimited(f)
}

func readLimited(r io.Reader) (string, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxMetadata+1))
	if err != nil {
		return "", err
	}
	if len(b) > maxMetadata {
		return "", errors.New("metadata larger than 1 MiB")
	}
	return string(b), nil
}

// configureSAML points group g at the IdP whose metadata src names and
// enables SAML sign-in for it.
func configureSAML(ctx context.Context, st store.Store, g *store.Group, src string) error {
	md, err := readMetadata(ctx, src)
	if err != nil {
		return fmt.Errorf("IdP metadata %s: %w", src, err)
	}
	if _, err := sso.Configure(ctx, st, g.ID, store.SAMLConfig{Enabled: true, IdPMetadata: md}); err != nil {
		return fmt.Errorf("IdP metadata %s: %w", src, err)
	}
	return nil
}
