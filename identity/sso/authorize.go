package sso

import (
	"net/http"
	"time"
)

// serveAuthorize serves POST {prefix}/authorize, the Authorize
// confirmation: the person signed in to the host confirms, on the page the
// ACS showed, that the verified SAML identity is to be linked to their
// account (identity.Linker.Link), and is then signed in as at the ACS.
//
// The request carries nothing but the link cookie the ACS set; the NameID
// comes from there, MACed, never from the form. Cross-site requests are
// refused twice over: by http.CrossOriginProtection on the route
// (Sec-Fetch-Site and Origin), and because the cookie is SameSite=Lax. The
// account signed in must still be the one the ACS saw.
func (h *Handler) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	g, _, key, ok := h.begin(w, r, true)
	if !ok {
		return
	}
	u := h.URLs(g.Path)
	stale := &Page{Outcome: OutcomeBadRequest, Status: http.StatusBadRequest, Group: g, Title: "Confirmation expired",
		Message: "This confirmation has expired or was started in another browser or for another account.",
		Next:    "Sign in with the group's single sign-on again.", Link: u.SSO}
	http.SetCookie(w, h.cookie(linkCookie, "", pathOf(h.authorizeURL(g.Path)), -1, false))
	c, err := r.Cookie(linkCookie)
	if err != nil {
		h.render(w, r, stale)
		return
	}
	var pl pendingLink
	if err := open(key.mac, linkCookie, c.Value, &pl); err != nil || pl.Group != g.ID || pl.Expires <= h.cfg.now().Unix() {
		stale.Err = err
		h.render(w, r, stale)
		return
	}
	current, err := h.sess.Current(r)
	if err != nil {
		h.render(w, r, internal(g, err))
		return
	}
	if current == "" || current != pl.User {
		h.render(w, r, stale)
		return
	}
	relay, ok := localPath(pl.ReturnTo)
	if !ok {
		relay = h.cfg.landing
	}
	s := &SignIn{Group: g, NameID: pl.NameID, ReturnTo: relay}
	if pl.SessionEnd != 0 {
		s.SessionNotOnOrAfter = time.Unix(pl.SessionEnd, 0).UTC()
	}
	res, err := h.linker.Link(r.Context(), g.ID, current, pl.NameID)
	h.finish(w, r, s, res, err)
}
