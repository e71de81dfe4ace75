package settings

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/crewjam/saml"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/internal/scimjson"
	"github.com/scimkit/scimkit/store"
)

// pageView is what the page template renders. Every string in it is
// escaped by html/template where it is written.
type pageView struct {
	GroupPath string
	GroupName string
	// PageURL is the page's path, TokenURL the token form's action.
	PageURL, TokenURL string
	// SCIMURL is the group's absolute SCIM base URL.
	SCIMURL string
	// HasToken reports whether the group has a SCIM token.
	HasToken bool
	// NewToken is the token just generated, in the answer to the token
	// form only.
	NewToken string
	// Replaced reports that NewToken replaced an older token.
	Replaced bool

	// SAML is nil without WithSAML.
	SAML *samlView
	// GroupLinks is nil in the GitLab profile, which has no Groups.
	GroupLinks *groupLinksView

	Identities identitiesView
	// Events is nil without an EventLog.
	Events *eventsView
}

// identitiesView is the table of provisioned identities.
type identitiesView struct {
	// Total is the number of the group's SCIM identities, counted for
	// the list only: a search reads the identities it finds and no more.
	Total int
	// Query is the search, "" for the paged list.
	Query string
	// Unsearchable reports a search longer than any value searched, or
	// not UTF-8.
	Unsearchable bool
	Rows         []rowView
	Pager        pagerView
}

// rowView is one identity in the table.
type rowView struct {
	Name, Email string
	// UserName is the userName the IdP sent; AccountUsername the
	// account's username when it differs.
	UserName, AccountUsername string
	ExternalID                string
	Active, Deleted           bool
	Linked, Enterprise        bool
	Role                      string
	Problems                  []problem
	// Summary names the problems: "Deprovisioned · Not linked".
	Summary string
}

// problem is a reason the user cannot sign in with SAML.
type problem struct{ Short, Detail string }

// pagerView says where a page of the list is.
type pagerView struct {
	Page, Pages      int
	First, Last      int // 1-based positions of the rows shown
	PrevURL, NextURL string
}

// eventsView is the recent events section.
type eventsView struct {
	Unavailable bool
	List        []eventView
}

type eventView struct {
	Time, DateTime string
	Label          string
	ExternUID      string
	SearchURL      string
	Detail         string
}

// maxPage bounds the page asked for, so that its first position stays far
// from overflowing an int.
const maxPage = 1 << 24

// maxQueryLen bounds a search: no externalId, userName or email the store
// keeps is longer.
const maxQueryLen = 1024

// freshToken is a token just generated, shown in the answer to the token
// form only.
type freshToken struct {
	token string
	// replaced reports that the group had a token, which stopped working.
	replaced bool
}

// pageURL is the path of the page of the group at path groupPath.
func (h *Handler) pageURL(groupPath string) string {
	return strings.Replace(h.cfg.prefix, "{group}", url.PathEscape(groupPath), 1)
}

// view reads what the page shows about group g.
func (h *Handler) view(ctx context.Context, r *http.Request, g *store.Group, st pageState) (*pageView, error) {
	pageURL := h.pageURL(g.Path)
	fresh := st.fresh
	v := &pageView{
		GroupPath: g.Path,
		GroupName: g.Name,
		PageURL:   pageURL,
		TokenURL:  pageURL + "/token",
		SCIMURL:   h.scimURL(r, g.Path),
		HasToken:  len(g.TokenDigest) > 0 || fresh != nil,
	}
	if fresh != nil {
		v.NewToken, v.Replaced = fresh.token, fresh.replaced
	}
	if v.GroupName == "" {
		v.GroupName = g.Path
	}
	if h.cfg.samlURLs != nil {
		v.SAML = h.samlSection(r, g, st)
	}
	if h.groupLinksShown() {
		var err error
		if v.GroupLinks, err = h.groupLinksSection(r, g, st); err != nil {
			return nil, err
		}
	}
	q := ""
	page := 1
	if r.Method == http.MethodGet {
		q = strings.TrimSpace(r.FormValue("q"))
		if n, err := strconv.Atoi(r.FormValue("page")); err == nil && n > 1 {
			page = min(n, maxPage)
		}
	}
	iv := &v.Identities
	iv.Query = q
	var list []entry
	var err error
	if q == "" {
		list, iv.Total, err = h.listPage(ctx, g.ID, page)
		if err != nil {
			return nil, err
		}
		iv.Pager = pager(pageURL, page, iv.Total, len(list))
	} else if len(q) > maxQueryLen || !utf8.ValidString(q) {
		iv.Unsearchable = true
	} else if list, err = h.search(ctx, g.ID, q); err != nil {
		return nil, err
	}
	for _, e := range list {
		iv.Rows = append(iv.Rows, row(g, e))
	}
	if h.cfg.events != nil {
		v.Events = h.events(ctx, g, pageURL)
	}
	return v, nil
}

// scimURL returns the group's absolute SCIM base URL.
func (h *Handler) scimURL(r *http.Request, path string) string {
	u := strings.Replace(h.cfg.scimURL, "{group}", url.PathEscape(path), 1)
	if strings.HasPrefix(u, "/") {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		u = scheme + "://" + r.Host + u
	}
	return u
}

// pager places page page of a list of total rows, n of them shown.
func pager(pageURL string, page, total, n int) pagerView {
	p := pagerView{Page: page, Pages: max(1, (total+pageSize-1)/pageSize)}
	if n > 0 {
		p.First = (page-1)*pageSize + 1
		p.Last = p.First + n - 1
	}
	if page > 1 {
		p.PrevURL = pageURL + "?page=" + strconv.Itoa(min(page-1, p.Pages))
	}
	if page < p.Pages {
		p.NextURL = pageURL + "?page=" + strconv.Itoa(page+1)
	}
	return p
}

// row turns an entry into a table row.
func row(g *store.Group, e entry) rowView {
	s := e.ident
	rv := rowView{
		ExternalID: s.ExternUID,
		Active:     s.Active,
		Deleted:    s.Deleted,
		Linked:     e.saml != nil,
	}
	_, userName, _ := scimjson.Lookup(s.Document, "userName")
	rv.UserName, _ = userName.(string)
	if u := e.user; u != nil {
		rv.Name, rv.Email = u.Name, u.Email
		rv.Enterprise = u.ProvisionedByGroup == g.ID
		if !strings.EqualFold(u.Username, rv.UserName) {
			rv.AccountUsername = u.Username
		}
	}
	if rv.Name == "" {
		_, displayName, _ := scimjson.Lookup(s.Document, "displayName")
		rv.Name, _ = displayName.(string)
	}
	if e.member != nil {
		rv.Role = roleName(e.member.Role)
	}
	rv.Problems = problems(g, e)
	shorts := make([]string, len(rv.Problems))
	for i, p := range rv.Problems {
		shorts[i] = p.Short
	}
	rv.Summary = strings.Join(shorts, " · ")
	return rv
}

// roleName is a role as the page shows it: "Guest", "Minimal access".
func roleName(r store.Role) string {
	n := strings.ReplaceAll(r.String(), "_", " ")
	return strings.ToUpper(n[:1]) + n[1:]
}

// problems says why the user of e cannot sign in to group g with SAML,
// most decisive first: the group's SAML state, then the identity's and the
// account's; none when they can.
func problems(g *store.Group, e entry) []problem {
	var out []problem
	switch {
	case g.SAML == nil:
		out = append(out, problem{"SSO not configured", "The group has no SAML configuration, so nobody can sign in to it with SAML yet. An owner configures the group's identity provider in the SAML settings."})
	case !g.SAML.Enabled:
		out = append(out, problem{"SSO disabled", "SAML sign-in is disabled for the group: nobody can sign in to it with SAML until an owner enables it in the SAML settings."})
	}
	s := e.ident
	switch {
	case s.Deleted:
		out = append(out, problem{"Deprovisioned", "The identity provider deleted this user (SCIM DELETE), which removed them from the group. Provisioning them again restores the membership."})
	case !s.Active:
		out = append(out, problem{"Deprovisioned", "The identity provider deprovisioned this user (active = false), which removed them from the group. Setting them active again in the identity provider restores the membership."})
	}
	if e.user == nil {
		return append(out, problem{"No account", "The account behind this identity cannot be read."})
	}
	switch e.user.State {
	case store.UserBlocked:
		out = append(out, problem{"Blocked", "An administrator blocked this account: it cannot sign in at all until it is unblocked."})
	case store.UserPendingApproval:
		out = append(out, problem{"Pending approval", "This account waits for an administrator's approval before it can sign in."})
	}
	switch {
	case e.saml == nil:
		out = append(out, problem{"Not linked", "The account existed before provisioning, so it has no SAML identity in this group yet. The person signs in to their account, opens the group's SSO URL and clicks Authorize to link it."})
	case store.Fold(e.saml.ExternUID) != store.Fold(s.ExternUID):
		out = append(out, problem{"NameID differs", "The account is linked to SAML NameID \u201c" + e.saml.ExternUID + "\u201d, but the identity provider provisions it with externalId \u201c" + s.ExternUID + "\u201d. Both must be the same value: configure the identity provider to send the externalId as the NameID."})
	}
	if g.SAML != nil && g.SAML.NameIDFormat == string(saml.EmailAddressNameIDFormat) && !strings.Contains(s.ExternUID, "@") {
		out = append(out, problem{"NameID format", "The group asks the identity provider for email-address NameIDs, but this externalId is not an email address, so no NameID the identity provider sends can match it. Ask for the persistent format in the SAML settings, or have the identity provider send the email address as externalId."})
	}
	if s.Active && e.member == nil {
		out = append(out, problem{"Not a member", "The identity is active but the account is not a member of the group."})
	}
	return out
}

// events reads the group's recent events for the page.
func (h *Handler) events(ctx context.Context, g *store.Group, pageURL string) *eventsView {
	list, err := h.recentEvents(ctx, g.ID)
	if err != nil {
		h.log.LogAttrs(ctx, slog.LevelError, "settings: read the recent events", slog.String("group", g.Path), slog.Any("error", err))
		return &eventsView{Unavailable: true}
	}
	ev := &eventsView{List: make([]eventView, 0, len(list))}
	for _, e := range list {
		t := e.Time.UTC()
		item := eventView{
			Time:      t.Format("2006-01-02 15:04:05 UTC"),
			DateTime:  t.Format(time.RFC3339),
			Label:     eventLabel(e.Type),
			ExternUID: e.ExternUID,
		}
		if e.ExternUID != "" {
			item.SearchURL = pageURL + "?q=" + url.QueryEscape(e.ExternUID)
		}
		switch {
		case e.Type == identity.EventExternUIDChanged:
			item.Detail = "from \u201c" + e.Detail["from"] + "\u201d to \u201c" + e.Detail["to"] + "\u201d"
		case e.Type == identity.EventRoleChanged && e.Detail["to"] != "":
			item.Detail = "from " + e.Detail["from"] + " to " + e.Detail["to"]
		}
		ev.List = append(ev.List, item)
	}
	return ev
}

// eventLabel is an event type as the page shows it.
func eventLabel(t identity.EventType) string {
	switch t {
	case identity.EventProvisioned:
		return "User provisioned"
	case identity.EventLinked:
		return "Existing account linked"
	case identity.EventDeprovisioned:
		return "User deprovisioned"
	case identity.EventDeleted:
		return "User deleted by the identity provider"
	case identity.EventReprovisioned:
		return "User reprovisioned"
	case identity.EventExternUIDChanged:
		return "externalId changed"
	case identity.EventUpdated:
		return "Account updated"
	case identity.EventSignInLinked:
		return "SAML identity linked at sign-in"
	case identity.EventNameIDChanged:
		return "SAML NameID changed"
	case identity.EventMemberAdded:
		return "Member added at SAML sign-in"
	case identity.EventGroupCreated:
		return "Group created"
	case identity.EventTokenRotated:
		return "SCIM token reset"
	case identity.EventIdPGroupCreated:
		return "IdP group created"
	case identity.EventIdPGroupUpdated:
		return "IdP group updated"
	case identity.EventIdPGroupDeleted:
		return "IdP group deleted"
	case identity.EventIdPGroupMemberAdded:
		return "Added to an IdP group"
	case identity.EventIdPGroupMemberRemoved:
		return "Removed from an IdP group"
	case identity.EventRoleChanged:
		return "Role changed by group links"
	case identity.EventIdPGroupLinkSet:
		return "Group link set"
	case identity.EventIdPGroupLinkRemoved:
		return "Group link removed"
	}
	return string(t)
}

// thousands formats n with comma separators: 100000 is "100,000".
func thousands(n int) string {
	if n < 0 {
		return "-" + thousands(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
