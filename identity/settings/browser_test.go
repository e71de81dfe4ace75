package settings_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"

	"github.com/scimkit/scimkit/store"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the README's screenshot of the page, docs/settings-page.png")

// readmeScreenshot is the screenshot of the page the README shows, relative
// to this package.
const readmeScreenshot = "../../docs/settings-page.png"

// browser starts headless Chromium for a test. Outside CI a machine without
// Chromium skips the test; with CI=true that is a failure (.ci/run installs
// Debian's chromium package).
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		msg := "no Chromium on PATH (chromium, chromium-browser or google-chrome): the settings page's browser test needs it; on Debian: apt-get install chromium"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	alloc, cancel := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first action starts the browser, under no timeout: a timeout
	// on it would stop the browser.
	if _, err := chromedp.Call(ctx, log.Enable, struct{}{}); err != nil {
		t.Fatalf("start Chromium at %s: %v", path, err)
	}
	return ctx
}

// consoleErrors collects what the page logs as errors (a script that fails,
// a stylesheet or script the Content-Security-Policy refuses).
type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func watchConsole(t *testing.T, ctx context.Context) *consoleErrors {
	t.Helper()
	c := &consoleErrors{}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch e := ev.(type) {
		case *log.EventEntryAdded:
			if e.Entry.Level != log.EntryLevelError || strings.HasSuffix(e.Entry.URL, "/favicon.ico") || refusedForm(e.Entry) {
				return
			}
			msg = e.Entry.Text
		case *runtime.EventExceptionThrown:
			msg = e.ExceptionDetails.Text
		default:
			return
		}
		c.mu.Lock()
		c.list = append(c.list, msg)
		c.mu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// refusedForm reports the browser's note of a form the page refused on
// purpose: its answer to refused SAML settings or a refused group link is
// 422 and to a stale SAML form 409, each a page with the form, which
// Chromium logs as a failed load.
func refusedForm(e *log.Entry) bool {
	return e.Source == log.EntrySourceNetwork && (strings.HasSuffix(e.URL, "/-/saml") || strings.HasSuffix(e.URL, "/-/saml/group_links")) &&
		(strings.Contains(e.Text, "status of 422") || strings.Contains(e.Text, "status of 409"))
}

func (c *consoleErrors) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.list) > 0 {
		t.Errorf("the page logged errors: %q", c.list)
	}
}

// artifacts is where the test keeps its screenshots: $SCIMKIT_ARTIFACTS, or
// a new temporary directory that outlives the test so they can be looked
// at.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SCIMKIT_ARTIFACTS")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "scimkit-settings-screenshots-"); err != nil {
			t.Fatal(err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

func screenshot(t *testing.T, ctx context.Context, path string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// step runs browser actions under a timeout.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func read[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// TestBrowser drives the page in headless Chromium as a group owner does:
// generate the token, give it to the IdP (here a real SCIM POST to the same
// server), configure SAML SSO (a mistyped fingerprint refused beside its
// field, then the IdP's metadata saved and seen saved after a reload), link
// a group the IdP pushed to a role (an empty name refused beside its
// field), see the provisioned user and its externalId, search for it, copy
// the SCIM URL, and reset the token, after which the old one fails.
func TestBrowser(t *testing.T) {
	ctx := browser(t)
	h := newHost(t, nil)
	dir := artifacts(t)
	console := watchConsole(t, ctx)
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "session", Value: ownerToken, URL: h.srv.URL}); err != nil {
		t.Fatal(err)
	}

	step(t, ctx, "open the page", chromedp.Navigate(h.pageURL("acme")), chromedp.WaitVisible(chromedp.ID("scim")))
	// The copy buttons are hidden until the script runs: a visible one
	// shows that the Content-Security-Policy let the script run.
	step(t, ctx, "the script ran", chromedp.WaitVisible(chromedp.CSS(`button[data-copy="scim-url"]`)))
	if got := read(t, ctx, "SCIM URL", chromedp.Value(chromedp.ID("scim-url"))); got != h.scimURL("acme") {
		t.Errorf("SCIM URL field = %q, want %q", got, h.scimURL("acme"))
	}
	screenshot(t, ctx, filepath.Join(dir, "1-no-token.png"))

	// Generate a SCIM token.
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Generate a SCIM token"]`)); err != nil {
		t.Fatalf("click Generate a SCIM token: %v", err)
	}
	step(t, ctx, "the token is shown", chromedp.WaitVisible(chromedp.ID("scim-token")))
	token := read(t, ctx, "token", chromedp.Value(chromedp.ID("scim-token")))
	if !tokenPattern.MatchString(token) {
		t.Fatalf("the token field holds %q", token)
	}
	if loc := read(t, ctx, "location", chromedp.Location()); strings.Contains(loc, token) {
		t.Fatalf("the token is in the URL %s", loc)
	}
	screenshot(t, ctx, filepath.Join(dir, "2-token-shown.png"))

	// The IdP provisions users with it, into the same server.
	ids := seedDemo(t, h, token)

	// Back to the page (a GET, as the link does; then a reload).
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//a[normalize-space()="Done, I have copied the token"]`)); err != nil {
		t.Fatalf("click Done: %v", err)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}

	// Configure SAML from what the IdP's console shows, as Entra ID's
	// administrator does: first a fingerprint mistyped, refused beside its
	// field, then the IdP's metadata XML pasted.
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	saveSAML(t, ctx, browserSAML{entityID: h.sp.URLs("acme").EntityID, acs: h.sp.URLs("acme").ACS, idp: idp}, dir)
	g := h.group(t, "g1")
	wantSAML := store.SAMLConfig{Enabled: true, IdPMetadata: idp.metadata, IdPEntityID: idp.entityID, NameIDFormat: persistent}
	if diff := cmp.Diff(&wantSAML, g.SAML); diff != "" || !g.EnforceSSO || g.DefaultRole != store.RoleDeveloper {
		t.Errorf("stored after the browser's save: enforced %v, role %v, SAML (-want +got):\n%s", g.EnforceSSO, g.DefaultRole, diff)
	}

	// The IdP pushes its groups; the owner links one to a role.
	seedGroups(t, h, token)
	linkGroup(t, ctx, h, dir)

	// The page as the owner finds it later.
	step(t, ctx, "open the page", chromedp.Navigate(h.pageURL("acme")), chromedp.WaitVisible(chromedp.CSS("#identities table")))
	html := read(t, ctx, "page HTML", chromedp.OuterHTML(chromedp.CSS("html")))
	if strings.Contains(html, token) {
		t.Fatal("the page shows the token after a reload")
	}
	got := externalIDs(t, html)
	if diff := cmp.Diff(ids, got); diff != "" {
		t.Fatalf("externalIds in the table (-want +got):\n%s", diff)
	}
	// Why can't Katherine Johnson sign in? The hint opens in place.
	step(t, ctx, "open a hint", chromedp.Click(`//summary[normalize-space()="NameID differs"]`))
	step(t, ctx, "the hint", chromedp.WaitVisible(`//details[@open]//li[contains(., "Both must be the same value")]`))
	screenshot(t, ctx, filepath.Join(dir, "5-identities.png"))
	if *updateScreenshot {
		if err := os.MkdirAll(filepath.Dir(readmeScreenshot), 0o755); err != nil {
			t.Fatal(err)
		}
		screenshot(t, ctx, readmeScreenshot)
	}

	// The copy button copies, or at least says it did.
	step(t, ctx, "copy the SCIM URL", chromedp.Click(chromedp.CSS(`button[data-copy="scim-url"]`)))
	step(t, ctx, "copied", chromedp.WaitVisible(`//button[@data-copy="scim-url" and normalize-space()="Copied"]`))

	// Search for the first user by its externalId, typed in upper case.
	want := ids[0]
	step(t, ctx, "type the search",
		chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), strings.ToUpper(want)))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Search"]`)); err != nil {
		t.Fatalf("search: %v", err)
	}
	html = read(t, ctx, "search results", chromedp.OuterHTML(chromedp.CSS("html")))
	if diff := cmp.Diff([]string{want}, externalIDs(t, html)); diff != "" {
		t.Errorf("search results (-want +got):\n%s", diff)
	}
	screenshot(t, ctx, filepath.Join(dir, "6-search.png"))

	// Reset the token: the page asks first; the old token fails at once.
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	confirmed := make(chan string, 1)
	go func() {
		for ev, err := range dialogs {
			if err != nil {
				return
			}
			confirmed <- ev.Message
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			return
		}
	}()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Reset SCIM token"]`)); err != nil {
		t.Fatalf("click Reset SCIM token: %v", err)
	}
	select {
	case msg := <-confirmed:
		if !strings.Contains(msg, "stops working at once") {
			t.Errorf("the confirmation says %q", msg)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no confirmation before the reset")
	}
	step(t, ctx, "the new token is shown", chromedp.WaitVisible(chromedp.ID("scim-token")))
	second := read(t, ctx, "new token", chromedp.Value(chromedp.ID("scim-token")))
	if second == token || !tokenPattern.MatchString(second) {
		t.Fatalf("the reset shows %q", second)
	}
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", token, ""); code != http.StatusUnauthorized {
		t.Errorf("the old token after the reset: %d, want 401", code)
	}
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", second, ""); code != http.StatusOK {
		t.Errorf("the new token: %d, want 200", code)
	}
	screenshot(t, ctx, filepath.Join(dir, "7-token-reset.png"))
	console.check(t)
}

// browserSAML is what the SAML step of the browser test expects and types.
type browserSAML struct {
	entityID, acs string
	idp           *testIdP
}

// saveSAML configures the group's SAML SSO in the browser: the service
// provider addresses are the SAML handler's; a mistyped fingerprint is
// refused beside its field with the typed values kept; the IdP's metadata
// pasted with enforced SSO and persistent NameIDs is saved, and a reload
// shows it saved, in the summary and in the form.
func saveSAML(t *testing.T, ctx context.Context, b browserSAML, dir string) {
	t.Helper()
	step(t, ctx, "the SAML section", chromedp.WaitVisible(chromedp.ID("saml")))
	if got := read(t, ctx, "entity ID", chromedp.Value(chromedp.ID("saml-entity-id"))); got != b.entityID {
		t.Errorf("entity ID field = %q, want %q", got, b.entityID)
	}
	if got := read(t, ctx, "ACS URL", chromedp.Value(chromedp.ID("saml-acs"))); got != b.acs {
		t.Errorf("ACS field = %q, want %q", got, b.acs)
	}
	// The SSO URL way is the default; the metadata field is hidden.
	step(t, ctx, "SSO URL fields", chromedp.WaitVisible(chromedp.ID("saml-sso-url")), chromedp.WaitNotVisible(chromedp.ID("saml-metadata-xml")))
	step(t, ctx, "type the IdP's SSO URL and a fingerprint with a typo",
		chromedp.SendKeys(chromedp.ID("saml-sso-url"), b.idp.ssoURL),
		chromedp.SendKeys(chromedp.ID("saml-fingerprint"), b.idp.sha1[:40]))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Save changes"]`)); err != nil {
		t.Fatalf("save: %v", err)
	}
	step(t, ctx, "the error beside the fingerprint", chromedp.WaitVisible(chromedp.ID("saml-fingerprint-error")))
	if got := read(t, ctx, "error", chromedp.Text(chromedp.ID("saml-fingerprint-error"))); !strings.Contains(got, "SHA-1 or SHA-256 fingerprint") {
		t.Errorf("the fingerprint's error says %q", got)
	}
	if got := read(t, ctx, "kept SSO URL", chromedp.Value(chromedp.ID("saml-sso-url"))); got != b.idp.ssoURL {
		t.Errorf("the SSO URL typed is not kept: %q", got)
	}
	screenshot(t, ctx, filepath.Join(dir, "3-saml-refused.png"))

	step(t, ctx, "paste the IdP's metadata",
		chromedp.Click(chromedp.CSS(`input[name="source"][value="metadata"]`)),
		chromedp.WaitVisible(chromedp.ID("saml-metadata-xml")),
		chromedp.WaitNotVisible(chromedp.ID("saml-sso-url")),
		chromedp.SetValue(chromedp.ID("saml-metadata-xml"), b.idp.metadata),
		chromedp.Click(chromedp.CSS(`input[name="enforce_sso"]`)),
		chromedp.SetValue(chromedp.ID("saml-nameid-format"), persistent))
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Save changes"]`))
	if err != nil {
		t.Fatalf("save: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("after the save: %d", resp.Status)
	}
	step(t, ctx, "saved", chromedp.WaitVisible(chromedp.ID("saml-saved")))

	// After a reload the page shows what is stored.
	if _, err := chromedp.RunResponse(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	html := read(t, ctx, "page HTML", chromedp.OuterHTML(chromedp.CSS("html")))
	got := facts(t, html)
	want := [][2]string{
		{"Status", "Enabled: the group's users sign in through the identity provider"},
		{"SSO-only authentication", "Enforced"},
		{"Default membership role", "Developer"},
		{"NameID format", "Persistent (recommended)"},
		{"Identity provider", b.idp.entityID},
		{"Sign-in URL", b.idp.ssoURL},
		{"Signing certificate", b.idp.subject + " valid 2020-01-01 to 2040-01-01 SHA-1 " + b.idp.sha1 + " SHA-256 " + b.idp.sha256},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("current configuration after a reload (-want +got):\n%s", diff)
	}
	form := formValues(t, html, "saml-form")
	if form.Get("source") != "metadata" || form.Get("enforce_sso") != "on" || form.Get("enabled") != "on" || form.Get("name_id_format") != persistent {
		t.Errorf("the form after a reload: %v", form)
	}
	if !strings.Contains(html, `<span class="badge ok">Enabled</span> <span class="badge linked">SSO enforced</span>`) {
		t.Error("no Enabled and SSO enforced badges")
	}
}

// TestBrowserNoScript: with JavaScript off the page works: the fields are
// there to copy by hand, the copy buttons stay hidden, the Generate form
// posts, and the SAML form, showing both ways of entering the IdP, saves
// the one its radio button picks.
func TestBrowserNoScript(t *testing.T) {
	ctx := browser(t)
	h := newHost(t, nil)
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "session", Value: ownerToken, URL: h.srv.URL}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "open the page", chromedp.Navigate(h.pageURL("acme")), chromedp.WaitVisible(chromedp.ID("scim-url")))
	// Checked through the DOM: chromedp's own visibility checks run
	// scripts, which are off.
	if a := read(t, ctx, "copy button", chromedp.Attributes(chromedp.CSS(`button[data-copy="scim-url"]`))); !hasKey(a, "hidden") {
		t.Errorf("without JavaScript the copy button is not hidden: %v", a)
	}
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Generate a SCIM token"]`)); err != nil {
		t.Fatalf("click Generate a SCIM token: %v", err)
	}
	token := read(t, ctx, "token", chromedp.Attributes(chromedp.ID("scim-token")))["value"]
	if code, _ := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users", token, ""); code != http.StatusOK {
		t.Errorf("the token: %d, want 200", code)
	}
	// The SAML form: both ways of entering the IdP are shown, the radio
	// button (SSO URL by default) says which one is saved.
	idp := newIdP(t, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	step(t, ctx, "type the IdP's SSO URL and fingerprint",
		chromedp.SendKeys(chromedp.ID("saml-sso-url"), idp.ssoURL),
		chromedp.SendKeys(chromedp.ID("saml-fingerprint"), idp.sha1),
		chromedp.SendKeys(chromedp.ID("saml-metadata-xml"), "not saved: the radio button picks the SSO URL"))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Save changes"]`)); err != nil {
		t.Fatalf("save: %v", err)
	}
	want := &store.SAMLConfig{Enabled: true, SSOURL: idp.ssoURL, Fingerprint: idp.sha1}
	if diff := cmp.Diff(want, h.group(t, "g1").SAML); diff != "" {
		t.Errorf("saved without JavaScript (-want +got):\n%s", diff)
	}
}

// seedDemo provisions the demo's users the way Microsoft Entra ID does,
// with an account that existed before provisioning, a deprovisioned user,
// a changed externalId and a blocked account, and returns the externalIds
// in the order the table lists them.
func seedDemo(t *testing.T, h *host, token string) []string {
	t.Helper()
	h.addAccount(t, &store.User{ID: "u-grace", Username: "grace", Name: "Grace Hopper", Email: "grace.hopper@contoso.com",
		Confirmed: true, State: store.UserActive})
	people := []struct{ given, family string }{
		{"Ada", "Lovelace"}, {"Grace", "Hopper"}, {"Alan", "Turing"}, {"Katherine", "Johnson"},
		{"Edsger", "Dijkstra"}, {"Barbara", "Liskov"}, {"Dorothy", "Vaughan"}, {"Donald", "Knuth"},
		{"Frances", "Allen"}, {"Ken", "Thompson"},
	}
	var ids []string
	scimIDs := map[string]string{}
	for i, p := range people {
		ext := fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", 0x5d48a0a8+i*0x1f3b, 0x9f04+i*7, 0xa38+i, 0x8008+i, 0x3c1d7e2b9a40+i*0x10101)
		nick := strings.ToLower(p.given + "." + p.family)
		scimIDs[p.family] = h.provision(t, token, scimUser(ext, nick, nick+"@contoso.com", p.given, p.family))
		ids = append(ids, ext)
	}
	// Alan Turing left: the IdP deprovisioned him.
	h.patch(t, token, scimIDs["Turing"], `{"op":"Replace","path":"active","value":false}`)
	// Katherine Johnson's object was recreated in the IdP: a new
	// externalId, while her SAML identity keeps the NameID it was linked
	// with.
	ids[3] = "c2f1e0d4-77aa-4b1e-9c0d-5e6f7a8b9c0d"
	h.patch(t, token, scimIDs["Johnson"], `{"op":"Replace","path":"externalId","value":"`+ids[3]+`"}`)
	// An administrator blocked Ken Thompson's account.
	h.block(t, scimIDs["Thompson"])
	return ids
}

func hasKey(m map[string]string, k string) bool {
	_, ok := m[k]
	return ok
}

// seedGroups has the IdP push its groups as Entra ID does, with members
// among the demo's users, and links one of them, by its externalId, to a
// role, as an owner did before.
func seedGroups(t *testing.T, h *host, token string) {
	t.Helper()
	code, list := h.scimCall(t, http.MethodGet, h.scimURL("acme")+"/Users?count=100", token, "")
	if code != http.StatusOK {
		t.Fatalf("GET /Users: %d", code)
	}
	ids := map[string]string{}
	for _, r := range list["Resources"].([]any) {
		u := r.(map[string]any)
		ids[strings.SplitN(u["userName"].(string), ".", 2)[1]] = u["id"].(string)
	}
	member := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, ids[n])
		}
		return out
	}
	h.scimGroup(t, token, "Engineering", "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159", member("lovelace", "hopper", "dijkstra", "liskov", "knuth", "thompson")...)
	h.scimGroup(t, token, "Mission Control", "2b6e0f3a-91d4-4c5e-8f27-0d3a5c6b7e18", member("johnson", "vaughan", "allen")...)
	h.scimGroup(t, token, "Alumni", "", member("turing")...)
	if _, err := h.prov.SetIdPGroupLink(context.Background(), "g1", store.LinkExternalID, "2b6e0f3a-91d4-4c5e-8f27-0d3a5c6b7e18", store.RoleReporter); err != nil {
		t.Fatal(err)
	}
}

// linkGroup links Engineering to Maintainer in the browser: an empty name
// is refused beside its field, then the name is typed and the link saved,
// and the roles of Engineering's members follow.
func linkGroup(t *testing.T, ctx context.Context, h *host, dir string) {
	t.Helper()
	step(t, ctx, "the group links", chromedp.Navigate(h.pageURL("acme")), chromedp.WaitVisible(chromedp.ID("group-links-form")))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Save group link"]`)); err != nil {
		t.Fatalf("save an empty link: %v", err)
	}
	step(t, ctx, "the error beside the name", chromedp.WaitVisible(chromedp.ID("link-value-error")))
	step(t, ctx, "fill in the link",
		chromedp.SendKeys(chromedp.ID("link-value"), "Engineering"),
		chromedp.SetValue(chromedp.ID("link-role"), strconv.Itoa(int(store.RoleMaintainer))))
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(`//button[normalize-space()="Save group link"]`)); err != nil {
		t.Fatalf("save the link: %v", err)
	}
	step(t, ctx, "saved", chromedp.WaitVisible(chromedp.ID("group-links-saved")))
	html := read(t, ctx, "page HTML", chromedp.OuterHTML(chromedp.CSS("html")))
	want := [][]string{
		{"Engineering", "Display name", "Maintainer", "Remove"},
		{"2b6e0f3a-91d4-4c5e-8f27-0d3a5c6b7e18", "External ID", "Reporter", "Remove"},
	}
	if diff := cmp.Diff(want, linkRows(t, html, "links")); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	got := roles(t, html)
	if got["ada.lovelace"] != "Maintainer" || got["katherine.johnson"] != "Reporter" || got["alan.turing"] != "not a member" {
		t.Errorf("roles after the link: %v", got)
	}
	screenshot(t, ctx, filepath.Join(dir, "4-group-links.png"))
}
