package settings_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzPage: whatever the search and page parameters, the page is a
// well-formed 200 whose only script is its own.
func FuzzPage(f *testing.F) {
	h := newHost(f, nil)
	tok := h.generateToken(f, "acme")
	h.provision(f, tok, scimUser(`"><script>x</script>`, "<b>bold</b>", "fuzz@example.com", "Fu", "Zz"))
	h.provision(f, tok, scimUser("plain-guid", "plain", "plain@example.com", "Plain", "User"))
	for _, seed := range [][2]string{
		{"", ""}, {"plain", "1"}, {`"><script>x</script>`, ""}, {"", "99999999999999999999"},
		{"\xff\xfe", "-1"}, {"FUZZ@EXAMPLE.COM", "2"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, q, page string) {
		target := "/groups/acme/-/saml?" + url.Values{"q": {q}, "page": {page}}.Encode()
		r := httptest.NewRequest(http.MethodGet, target, nil)
		r.AddCookie(&http.Cookie{Name: "session", Value: ownerToken})
		w := httptest.NewRecorder()
		h.page.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", target, w.Code, w.Body)
		}
		if err := checkWellFormed(w.Body.String()); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if n := len(elements(t, w.Body.String(), "script")); n != 1 {
			t.Fatalf("%s: %d script elements", target, n)
		}
	})
}
