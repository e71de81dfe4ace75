package sso

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"strings"
)

const (
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// maxPeekCerts bounds the certificates peek collects.
const maxPeekCerts = 8

// peek reads, from a response that is not verified yet, what choosing the
// trust for it needs when the group gave no IdP metadata: the issuer, and
// the certificates in its signatures' KeyInfo. Nothing peek returns is
// trusted as such: a certificate is used only when its fingerprint is the
// configured one, and crewjam/saml then verifies every signature against
// it, reading the message only from what the signatures cover; the issuer
// only stands in for an entity ID the administrator did not give, so that
// crewjam/saml's issuer checks compare the response with itself (trust
// then rests on the certificate, as with GitLab's fingerprint form).
//
// The issuer is the Assertion's, else the Response's. A document that does
// not parse gives nothing; crewjam/saml refuses it afterwards.
func peek(doc []byte) (issuer string, certs [][]byte) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var (
		path          []xml.Name
		text          strings.Builder
		inText        bool
		respIssuer    string
		assertIssuer  string
		inAssertion   int
		certInProcess bool
	)
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			path = append(path, t.Name)
			switch {
			case t.Name.Space == nsAssertion && t.Name.Local == "Assertion":
				inAssertion++
			case t.Name.Space == nsAssertion && t.Name.Local == "Issuer",
				t.Name.Space == nsDSig && t.Name.Local == "X509Certificate":
				text.Reset()
				inText = true
				certInProcess = t.Name.Local == "X509Certificate"
			}
		case xml.CharData:
			if inText && text.Len() < 64<<10 {
				text.Write(t)
			}
		case xml.EndElement:
			if len(path) == 0 {
				return
			}
			path = path[:len(path)-1]
			switch {
			case t.Name.Space == nsAssertion && t.Name.Local == "Assertion":
				inAssertion--
			case inText && certInProcess:
				inText = false
				if der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(text.String()), "")); err == nil && len(certs) < maxPeekCerts {
					certs = append(certs, der)
				}
			case inText:
				inText = false
				v := strings.TrimSpace(text.String())
				if inAssertion > 0 && assertIssuer == "" {
					assertIssuer = v
				} else if inAssertion == 0 && len(path) == 1 && respIssuer == "" {
					respIssuer = v
				}
			}
		}
	}
	if assertIssuer != "" {
		return assertIssuer, certs
	}
	return respIssuer, certs
}
