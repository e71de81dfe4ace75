package sso

import (
	"encoding/xml"
	"net/http"

	"github.com/crewjam/saml"
)

// serveMetadata serves GET {prefix}/metadata: the group's SP metadata
// (entity ID, ACS URL with the HTTP-POST binding, the NameID format asked
// for, the SP certificate for encryption). A group without SAML
// configuration answers 404 as an unknown one does; a configured group
// whose SAML SSO is not enabled yet has metadata, so that its IdP can be
// set up before sign-in is switched on.
func (h *Handler) serveMetadata(w http.ResponseWriter, r *http.Request) {
	g, _, key, ok := h.begin(w, r, false)
	if !ok {
		return
	}
	md, err := xml.MarshalIndent(h.serviceProvider(g, nil, key).Metadata(), "", "  ")
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	w.Header().Set("Content-Type", "application/samlmetadata+xml")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(md)
}

// serveSSO serves GET {prefix}/sso: it starts an SP-initiated sign-in,
// redirecting the browser to the IdP's single sign-on URL with an
// AuthnRequest (HTTP-Redirect binding). The query parameter "redirect" is
// where to return afterwards; it travels as RelayState and must be a local
// path (else the landing path is used). The request's ID goes into a
// tracking cookie for the ACS to check InResponseTo against.
//
// GitLab shows a page with a button here; a direct redirect does the same
// with one click less, and starting a sign-in on someone's behalf gains an
// attacker nothing: the person signs in as themselves.
func (h *Handler) serveSSO(w http.ResponseWriter, r *http.Request) {
	g, p, key, ok := h.begin(w, r, true)
	if !ok {
		return
	}
	relay, ok := localPath(r.URL.Query().Get("redirect"))
	if !ok {
		relay = h.cfg.landing
	}
	sp := h.serviceProvider(g, p, key)
	req, err := sp.MakeAuthenticationRequest(p.ssoURL, saml.HTTPRedirectBinding, saml.HTTPPostBinding)
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	to, err := req.Redirect(relay, sp)
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	exp := h.cfg.now().Add(requestLifetime)
	v, err := seal(key.mac, trackingPrefix, tracked{Group: g.ID, ID: req.ID, Expires: exp.Unix()})
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	http.SetCookie(w, h.cookie(trackingName(req.ID), v, pathOf(h.URLs(g.Path).ACS), requestLifetime, true))
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, to.String(), http.StatusFound)
}
