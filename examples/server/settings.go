package main

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/settings"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

// The settings page of every group, at GitLab's path, and the demo's owner
// sign-in.
const (
	settingsPrefix = "/groups/{group}/-/saml"
	signInPath     = "/-/sign-in"
	ownerCookie    = "scimkit_demo_owner"
)

// newSite serves the groups' settings pages and the sign-in form, and
// everything else through the SCIM handler, which answers a path outside
// the groups' roots with a SCIM 404. home is the page the sign-in goes to
// when it was not sent from a page. The pages show the SCIM base URL under
// site (the server's public URL, as printed at start, never a request's
// Host header); their SAML section shows the addresses sp serves and saves
// the SAML settings the SAML routes use.
func newSite(prov *identity.Provisioner, st store.Store, sp *sso.Handler, scimHandler http.Handler, events *settings.EventBuffer, site, adminToken, home string) (http.Handler, error) {
	form, err := template.New("").Parse(signInForm)
	if err != nil {
		return nil, err
	}
	owners := &demoOwners{digest: sha256.Sum256([]byte(adminToken)), home: home, form: form,
		sessions: map[string]bool{}, csrf: http.NewCrossOriginProtection()}
	page, err := settings.New(prov, st, owners.authorize,
		settings.WithPrefix(settingsPrefix), settings.WithSCIMURL(site+scimPrefix), settings.WithEventLog(events),
		settings.WithSAML(sp.URLs))
	if err != nil {
		return nil, err
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == signInPath:
			owners.serveSignIn(w, r)
		case isSettingsPath(r.URL.EscapedPath()):
			if r.Method == http.MethodGet && !owners.signedIn(r) {
				http.Redirect(w, r, signInPath+"?next="+r.URL.EscapedPath(), http.StatusSeeOther)
				return
			}
			page.ServeHTTP(w, r)
		default:
			scimHandler.ServeHTTP(w, r)
		}
	}), nil
}

// settingsPage is the path of group's settings page.
func settingsPage(group string) string {
	return strings.Replace(settingsPrefix, "{group}", url.PathEscape(group), 1)
}

// isSettingsPath reports whether an escaped path is a group's settings page
// (which takes the SAML form's POST too) or one of its forms:
// /groups/G/-/saml, /groups/G/-/saml/token, /groups/G/-/saml/group_links
// and /groups/G/-/saml/group_links/remove. The SAML routes below the
// page's path (metadata, sso, callback, authorize) are not.
func isSettingsPath(p string) bool {
	seg := strings.Split(strings.TrimPrefix(p, "/"), "/")
	form := len(seg) == 4 ||
		len(seg) == 5 && (seg[4] == "token" || seg[4] == "group_links") ||
		len(seg) == 6 && seg[4] == "group_links" && seg[5] == "remove"
	return form && seg[0] == "groups" && seg[1] != "" && seg[2] == "-" && seg[3] == "saml"
}

// demoOwners is the demo's sign-in, not an authentication system: whoever
// types the admin token into the sign-in form gets a session cookie that
// makes them an owner of every group. Sessions live in memory.
type demoOwners struct {
	digest   [sha256.Size]byte // of the admin token
	home     string
	form     *template.Template
	csrf     *http.CrossOriginProtection
	mu       sync.Mutex
	sessions map[string]bool
}

// authorize is the settings page's Authorizer: a signed-in session owns
// every group.
func (o *demoOwners) authorize(r *http.Request, _ *store.Group) (bool, error) {
	return o.signedIn(r), nil
}

func (o *demoOwners) signedIn(r *http.Request) bool {
	c, err := r.Cookie(ownerCookie)
	if err != nil {
		return false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.sessions[c.Value]
}

// signInForm is the sign-in page. Its one style element is allowed by its
// digest (signInCSP).
const signInForm = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in · scimkit demo</title>
<style>` + signInStyle + `</style></head>
<body><main>
<h1>Sign in as a group owner</h1>
<p>This demo server has one owner of every group: whoever has the admin token it printed at start, or was given with <code>-admin-token</code>. A real host signs its users in its own way.</p>
{{if .Failed}}<p class="err">That is not the admin token.</p>{{end}}
<form method="post" action="/-/sign-in">
<input type="hidden" name="next" value="{{.Next}}">
<label for="token">Admin token</label>
<input id="token" type="password" name="token" autocomplete="current-password" autofocus>
<button type="submit">Sign in</button>
</form>
</main></body></html>
`

const signInStyle = `body{margin:0;background:#f7f7f9;color:#28272d;font:14px/1.5 system-ui,sans-serif}` +
	`main{max-width:440px;margin:80px auto;background:#fff;border:1px solid #dcdcde;border-radius:8px;padding:24px 28px}` +
	`h1{font-size:20px;margin:0 0 8px}p{color:#626168}.err{color:#c91c00;font-weight:600}` +
	`label{display:block;font-weight:600;margin:16px 0 4px}` +
	`input[type=password]{width:100%;box-sizing:border-box;padding:7px 10px;border:1px solid #89888d;border-radius:4px;font:inherit}` +
	`button{margin-top:16px;padding:7px 16px;border:1px solid #1068bf;border-radius:4px;background:#1f75cb;color:#fff;font:inherit;cursor:pointer}`

// signInCSP allows the sign-in page's style element and nothing else.
func signInCSP() string {
	d := sha256.Sum256([]byte(signInStyle))
	return "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(d[:]) + "'; form-action 'self'; frame-ancestors 'none'"
}

// serveSignIn shows the sign-in form (GET) and checks it (POST): the right
// admin token gets a new session and a redirect to the page it came from.
func (o *demoOwners) serveSignIn(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", signInCSP())
	next := r.FormValue("next")
	if !isSettingsPath(next) {
		next = ""
	}
	status := http.StatusOK
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPost:
		if err := o.csrf.Check(r); err != nil {
			http.Error(w, "403 Forbidden", http.StatusForbidden)
			return
		}
		d := sha256.Sum256([]byte(r.PostFormValue("token")))
		if subtle.ConstantTimeCompare(d[:], o.digest[:]) == 1 {
			id := rand.Text()
			o.mu.Lock()
			o.sessions[id] = true
			o.mu.Unlock()
			http.SetCookie(w, &http.Cookie{Name: ownerCookie, Value: id, Path: "/", HttpOnly: true,
				Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
			if next == "" {
				next = o.home
			}
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
		status = http.StatusUnauthorized
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		http.Error(w, "405 Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	o.form.Execute(w, struct {
		Next   string
		Failed bool
	}{next, status != http.StatusOK})
}

// printSettings prints where the groups' settings pages are, and the admin
// token when it was generated.
func printSettings(w io.Writer, origin string, groups groupFlag, adminToken string, generated bool) {
	fmt.Fprintf(w, "settings pages (demo owner sign-in at %s%s)\n", origin, signInPath)
	for _, g := range groups {
		fmt.Fprintf(w, "  %s%s\n", origin, settingsPage(g.path))
	}
	if generated {
		fmt.Fprintf(w, "  admin token: %s\n", adminToken)
	} else {
		fmt.Fprintf(w, "  admin token: the one given with -admin-token\n")
	}
}
