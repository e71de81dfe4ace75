package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

// sessions are the example host's sign-in sessions, in memory behind a
// cookie (a restart signs everyone out). A real host keeps its own; this
// is what identity/sso needs of one.
type sessions struct {
	secure bool

	mu sync.Mutex
	m  map[string]*session
}

type session struct {
	user    string
	saml    map[string]bool // groups signed in to with SAML
	expires time.Time
}

const (
	sessionCookie   = "scimkit_example_session"
	sessionLifetime = 8 * time.Hour
)

func newSessions(secure bool) *sessions {
	return &sessions{secure: secure, m: map[string]*session{}}
}

// get returns the session of r, or nil.
func (s *sessions) get(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ss := s.m[c.Value]
	if ss == nil || time.Now().After(ss.expires) {
		return nil
	}
	return ss
}

// Current implements sso.Sessions.
func (s *sessions) Current(r *http.Request) (string, error) {
	if ss := s.get(r); ss != nil {
		return ss.user, nil
	}
	return "", nil
}

// Start implements sso.Sessions: a new session for the account (or the
// current one, when it is the same account), holding the group's SAML
// sign-in, ending when the IdP says so or after 8 hours.
func (s *sessions) Start(w http.ResponseWriter, r *http.Request, in *sso.SignIn) error {
	cur := s.get(r)
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur == nil || cur.user != in.User.ID {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		tok := base64.RawURLEncoding.EncodeToString(b[:])
		cur = &session{user: in.User.ID, saml: map[string]bool{}, expires: time.Now().Add(sessionLifetime)}
		s.m[tok] = cur
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/", HttpOnly: true, Secure: s.secure,
			SameSite: http.SameSiteLaxMode, MaxAge: int(sessionLifetime / time.Second)})
	}
	cur.saml[in.Group.ID] = true
	if end := in.SessionNotOnOrAfter; !end.IsZero() && end.Before(cur.expires) {
		cur.expires = end
	}
	return nil
}

// HasSAML implements sso.Sessions.
func (s *sessions) HasSAML(r *http.Request, groupID string) (bool, error) {
	ss := s.get(r)
	if ss == nil {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return ss.saml[groupID], nil
}

// end signs the browser out.
func (s *sessions) end(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.mu.Lock()
		delete(s.m, c.Value)
		s.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure})
}

// web is the example host's web side: each group's SAML routes, a home
// page that says who is signed in, and a page per group behind enforced
// SSO.
type web struct {
	st     store.Store
	sp     *sso.Handler
	sess   *sessions
	groups []string
	mux    *http.ServeMux
}

var pages = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>scimkit example</title></head>
<body><main>
{{- if .User}}
<p>Signed in as <strong>{{.User.Username}}</strong> ({{.User.Email}}).</p>
<form method="post" action="/-/sign-out"><button>Sign out</button></form>
{{- else}}
<p>Not signed in.</p>
{{- end}}
{{- if .Group}}
<h1>Group {{.Group.Path}}</h1>
<p>{{if .Member}}You are a member ({{.Member.Role}}).{{else}}You are not a member.{{end}}</p>
<p><a href="/">Home</a></p>
{{- else}}
<h1>Groups</h1>
<ul>{{range .Groups}}<li><a href="/groups/{{.}}">{{.}}</a> · <a href="/groups/{{.}}/-/saml/sso?redirect=/groups/{{.}}">sign in with SSO</a></li>{{end}}</ul>
{{- end}}
</main></body></html>
`))

func newWeb(st store.Store, sp *sso.Handler, sess *sessions, groups []string) *web {
	w := &web{st: st, sp: sp, sess: sess, groups: groups, mux: http.NewServeMux()}
	w.mux.Handle("/groups/{group}/-/saml/", sp)
	groupPath := func(r *http.Request) string { return r.PathValue("group") }
	w.mux.Handle("GET /groups/{group}", sp.RequireSSO(groupPath)(http.HandlerFunc(w.group)))
	w.mux.HandleFunc("GET /{$}", w.home)
	w.mux.HandleFunc("POST /-/sign-out", func(rw http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Sec-Fetch-Site") == "cross-site" {
			http.Error(rw, "cross-site request", http.StatusForbidden)
			return
		}
		sess.end(rw, r)
		http.Redirect(rw, r, "/", http.StatusSeeOther)
	})
	return w
}

// serves reports whether the web side has a route for r. Only a clean
// path is routed here: http.ServeMux would answer another with a
// redirect, where the SCIM handler answers a 404.
func (w *web) serves(r *http.Request) bool {
	p := r.URL.Path
	if p != path.Clean(p) || strings.HasPrefix(p, "/api/") {
		return false
	}
	_, pattern := w.mux.Handler(r)
	return pattern != ""
}

type pageData struct {
	User   *store.User
	Groups []string
	Group  *store.Group
	Member *store.Membership
}

func (w *web) home(rw http.ResponseWriter, r *http.Request) {
	d := pageData{Groups: w.groups}
	if err := w.load(r, &d, ""); err != nil {
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	w.render(rw, http.StatusOK, d)
}

func (w *web) group(rw http.ResponseWriter, r *http.Request) {
	var d pageData
	err := w.load(r, &d, r.PathValue("group"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.NotFound(rw, r)
	case err != nil:
		http.Error(rw, "internal error", http.StatusInternalServerError)
	default:
		w.render(rw, http.StatusOK, d)
	}
}

// load fills d with the account signed in and, when groupPath is set, the
// group and the account's membership.
func (w *web) load(r *http.Request, d *pageData, groupPath string) error {
	userID, err := w.sess.Current(r)
	if err != nil {
		return err
	}
	return w.st.View(r.Context(), func(ctx context.Context, tx store.Tx) error {
		if userID != "" {
			u, err := tx.User(ctx, userID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			d.User = u
		}
		if groupPath == "" {
			return nil
		}
		g, err := tx.GroupByPath(ctx, groupPath)
		if err != nil {
			return err
		}
		d.Group = g
		if d.User != nil {
			m, err := tx.Membership(ctx, g.ID, d.User.ID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			d.Member = m
		}
		return nil
	})
}

func (w *web) render(rw http.ResponseWriter, status int, d pageData) {
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.Header().Set("X-Frame-Options", "DENY")
	rw.WriteHeader(status)
	_ = pages.Execute(rw, d)
}
