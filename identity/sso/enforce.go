package sso

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/scimkit/scimkit/store"
)

// RequireSSO returns middleware for the host's web routes of a group:
// GitLab's "Enforce SSO-only authentication for web activity". group
// returns the path of the group a request is for (for example
// r.PathValue("group")), or "" when it is for none.
//
// When that group has SAML SSO enabled and EnforceSSO set, a member of it
// who is signed in without a SAML sign-in to it in their session
// ([Sessions.HasSAML]) is sent to the group's SSO URL, with the request's
// path and query as where to return: GET and HEAD are redirected (302),
// other methods are refused with an OutcomeSSORequired page (403), since a
// redirect would drop their body. Everything else passes to next: people
// not signed in and non-members (the host's own access rules decide for
// them), and groups without enforcement. A store or session error is an
// OutcomeError page.
//
// Mount it in front of the routes:
//
//	groupPages := http.HandlerFunc(showGroup) // GET /groups/{group}/...
//	mux.Handle("/groups/{group}/", sp.RequireSSO(func(r *http.Request) string {
//		return r.PathValue("group")
//	})(groupPages))
func (h *Handler) RequireSSO(group func(r *http.Request) string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			redirect, page := h.enforce(r, group(r))
			switch {
			case page != nil:
				h.render(w, r, page)
			case redirect != "":
				w.Header().Set("Cache-Control", "no-store")
				http.Redirect(w, r, redirect, http.StatusFound)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// enforce decides RequireSSO for a request to group path: the SSO URL to
// redirect to, a page, or neither (pass).
func (h *Handler) enforce(r *http.Request, path string) (string, *Page) {
	if path == "" || len(path) > maxGroupPathLen {
		return "", nil
	}
	ctx := r.Context()
	current, err := h.sess.Current(r)
	if err != nil {
		return "", internal(nil, err)
	}
	if current == "" {
		return "", nil
	}
	var g *store.Group
	member := false
	err = h.st.View(ctx, func(ctx context.Context, tx store.Tx) error {
		var err error
		if g, err = tx.GroupByPath(ctx, path); err != nil {
			return err
		}
		if g.SAML == nil || !g.SAML.Enabled || !g.EnforceSSO {
			return nil
		}
		m, err := optional(tx.Membership(ctx, g.ID, current))
		member = m != nil
		return err
	})
	if errors.Is(err, store.ErrNotFound) || (err == nil && !member) {
		return "", nil
	}
	if err != nil {
		return "", internal(g, err)
	}
	ok, err := h.sess.HasSAML(r, g.ID)
	if err != nil {
		return "", internal(g, err)
	}
	if ok {
		return "", nil
	}
	to := h.URLs(g.Path).SSO
	if back, ok := localPath(r.URL.RequestURI()); ok {
		to += "?redirect=" + url.QueryEscape(back)
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return to, nil
	}
	return "", &Page{Outcome: OutcomeSSORequired, Status: http.StatusForbidden, Group: g, Title: "Single sign-on required",
		Message: groupName(g) + " requires you to sign in with its single sign-on.",
		Next:    "Sign in with single sign-on, then try again.", Link: to}
}
