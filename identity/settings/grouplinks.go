package settings

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/scimkit/scimkit/identity"
	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

// The group links section: the groups the IdP provisioned into the group
// over SCIM (IdP groups) and the links that give their members a role
// (GitLab's SAML group links), with forms to add a link or change its
// role, and to remove one. Both go through package identity
// (Provisioner.SetIdPGroupLink, Provisioner.RemoveIdPGroupLink), which
// recomputes the members' roles in the same store update.

// maxLinkForm bounds the body of a group link form; a larger body is
// answered 413.
const maxLinkForm = 64 << 10

// maxIdPGroups bounds the IdP groups the section lists.
const maxIdPGroups = 100

// The values of the form's attribute field: the SCIM attribute a link
// compares.
const (
	attrDisplayName = "displayName"
	attrExternalID  = "externalId"
)

// linkForm is the group link form: what the owner typed.
type linkForm struct {
	// Attribute is attrDisplayName or attrExternalID, or what was posted.
	Attribute string
	Value     string
	// Role is the role's number as posted.
	Role string
}

// linkAttribute is the store's attribute for a form value; ok is false for
// any other value.
func linkAttribute(v string) (attr store.LinkAttribute, ok bool) {
	switch v {
	case attrDisplayName:
		return store.LinkDisplayName, true
	case attrExternalID:
		return store.LinkExternalID, true
	}
	return 0, false
}

// groupLinksView is the section as its template writes it.
type groupLinksView struct {
	// AddURL and RemoveURL are the forms' actions.
	AddURL, RemoveURL string
	// DefaultRole is the role of members no link names.
	DefaultRole string
	Links       []linkView
	// Groups are the IdP groups, the first maxIdPGroups by displayName;
	// GroupsTotal is how many there are.
	Groups      []idpGroupView
	GroupsTotal int
	// Fields are the add form's fields; General the refusals of none.
	Attribute, Value, Role fieldView
	General                []string
	// Saved and Removed are set on the page a save or a removal redirects
	// to.
	Saved, Removed bool
}

// linkView is one link in the table.
type linkView struct {
	// Attribute is the form value (attrDisplayName or attrExternalID),
	// By its label.
	Attribute, By string
	Value, Role   string
	// Matched reports whether an IdP group listed has this name or id.
	Matched bool
}

// idpGroupView is one IdP group in the table.
type idpGroupView struct {
	DisplayName, ExternalID string
	// Role is the highest role its links give, "" when none names it.
	Role string
}

// fields fills the add form's fields from f, with the refusals by field.
func (v *groupLinksView) fields(f linkForm, errs map[string]string) {
	v.Attribute = fieldView{Name: "attribute", ID: "link-attribute", Label: "Match the identity provider's group by",
		Hint:  "Entra ID sends the group's object ID as externalId, Okta's Group Push sends none: match Okta's groups by name.",
		Error: errs["attribute"], Choices: []choice{
			{Value: attrDisplayName, Label: "Display name", Selected: f.Attribute != attrExternalID},
			{Value: attrExternalID, Label: "External ID", Selected: f.Attribute == attrExternalID},
		}}
	v.Value = fieldView{Name: "value", ID: "link-value", Label: "Group display name or external ID", Value: f.Value,
		Hint:  "As the identity provider sends it; letter case is ignored. The group need not be provisioned yet.",
		Error: errs["value"]}
	v.Role = fieldView{Name: "role", ID: "link-role", Label: "Role", Error: errs["role"],
		Hint: "Members of the group get this role; a member of several linked groups gets the highest."}
	for _, r := range sso.DefaultRoles() {
		val := strconv.Itoa(int(r))
		v.Role.Choices = append(v.Role.Choices, choice{Value: val, Label: roleName(r), Selected: val == f.Role})
	}
}

// groupLinksSection builds the section of group g: the links and IdP
// groups as stored, and the form as st holds it (a refused post) or empty.
func (h *Handler) groupLinksSection(r *http.Request, g *store.Group, st pageState) (*groupLinksView, error) {
	pageURL := h.pageURL(g.Path)
	v := &groupLinksView{
		AddURL:      pageURL + "/group_links",
		RemoveURL:   pageURL + "/group_links/remove",
		DefaultRole: roleName(g.MemberRole()),
	}
	if r.Method == http.MethodGet {
		v.Saved, v.Removed = r.FormValue("links") == "saved", r.FormValue("links") == "removed"
	}
	links, groups, total, err := h.groupLinks(r.Context(), g.ID)
	if err != nil {
		return nil, err
	}
	v.GroupsTotal = total
	for _, ig := range groups {
		gv := idpGroupView{DisplayName: ig.DisplayName, ExternalID: ig.ExternalID}
		best := store.RoleNone
		for _, l := range links {
			if l.Matches(ig) && l.Role > best {
				best = l.Role
			}
		}
		if best != store.RoleNone {
			gv.Role = roleName(best)
		}
		v.Groups = append(v.Groups, gv)
	}
	for _, l := range links {
		lv := linkView{Attribute: l.Attribute.String(), Value: l.Value, Role: roleName(l.Role), By: "Display name"}
		if l.Attribute == store.LinkExternalID {
			lv.By = "External ID"
		}
		for _, ig := range groups {
			lv.Matched = lv.Matched || l.Matches(ig)
		}
		v.Links = append(v.Links, lv)
	}
	f := linkForm{Attribute: attrDisplayName, Role: strconv.Itoa(int(store.RoleDeveloper))}
	if st.link != nil {
		f = *st.link
	}
	var errs map[string]string
	if st.linkErrors != nil {
		errs, v.General = st.linkErrors.fields, st.linkErrors.general
	}
	v.fields(f, errs)
	return v, nil
}

// linkErrors are the refusals of a group link form, by field; general
// holds those of no field.
type linkErrors struct {
	fields  map[string]string
	general []string
}

// readLinkForm reads a posted group link form. The error is a request that
// is no form or is too large.
func readLinkForm(w http.ResponseWriter, r *http.Request) (linkForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxLinkForm)
	if err := r.ParseForm(); err != nil {
		return linkForm{}, err
	}
	return linkForm{
		Attribute: r.PostFormValue("attribute"),
		Value:     strings.TrimSpace(r.PostFormValue("value")),
		Role:      r.PostFormValue("role"),
	}, nil
}

// formError answers a form that could not be read: 413 when too large, 400
// otherwise.
func formError(w http.ResponseWriter, err error) {
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, "413 Request Entity Too Large", http.StatusRequestEntityTooLarge)
		return
	}
	http.Error(w, "400 Bad Request", http.StatusBadRequest)
}

// serveLinkAdd serves the add form's POST: the link is set (added, or its
// role changed) through identity.Provisioner.SetIdPGroupLink, which gives
// the members of the IdP group it names their roles in the same update. A
// save answers 303 to the page; refused values answer 422 with each error
// beside its field and the values kept; a change that would leave the
// group without an owner answers 422 with GitLab's message, nothing saved.
func (h *Handler) serveLinkAdd(w http.ResponseWriter, r *http.Request, g *store.Group) {
	ctx := r.Context()
	f, err := readLinkForm(w, r)
	if err != nil {
		formError(w, err)
		return
	}
	refused := &linkErrors{fields: map[string]string{}}
	attr, ok := linkAttribute(f.Attribute)
	if !ok {
		refused.fields["attribute"] = "Choose display name or external ID."
	}
	if f.Value == "" {
		refused.fields["value"] = "Enter the group's display name or external ID."
	}
	role, err := strconv.Atoi(f.Role)
	if err != nil {
		refused.fields["role"] = "Choose a role."
	}
	if len(refused.fields) == 0 {
		_, err = h.prov.SetIdPGroupLink(ctx, g.ID, attr, f.Value, store.Role(role))
		if err == nil {
			h.log.LogAttrs(ctx, slog.LevelInfo, "settings: group link saved", slog.String("group", g.Path))
			http.Redirect(w, r, h.pageURL(g.Path)+"?links=saved#group-links", http.StatusSeeOther)
			return
		}
		if !h.linkRefused(ctx, w, err, refused) {
			return
		}
	}
	h.render(w, r, g, pageState{status: http.StatusUnprocessableEntity, link: &f, linkErrors: refused})
}

// serveLinkRemove serves a link's Remove button: the link goes through
// identity.Provisioner.RemoveIdPGroupLink, which gives the members of the
// IdP group it named their roles without it. A removal, or a link already
// gone, answers 303 to the page; a removal that would leave the group
// without an owner answers 422 with GitLab's message, nothing removed.
func (h *Handler) serveLinkRemove(w http.ResponseWriter, r *http.Request, g *store.Group) {
	ctx := r.Context()
	f, err := readLinkForm(w, r)
	if err != nil {
		formError(w, err)
		return
	}
	attr, ok := linkAttribute(f.Attribute)
	if !ok || f.Value == "" {
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
		return
	}
	err = h.prov.RemoveIdPGroupLink(ctx, g.ID, attr, f.Value)
	if err == nil || identity.KindOf(err) == identity.KindNotFound && h.groupExists(r, g) {
		if err == nil {
			h.log.LogAttrs(ctx, slog.LevelInfo, "settings: group link removed", slog.String("group", g.Path))
		}
		http.Redirect(w, r, h.pageURL(g.Path)+"?links=removed#group-links", http.StatusSeeOther)
		return
	}
	refused := &linkErrors{fields: map[string]string{}}
	if h.linkRefused(ctx, w, err, refused) {
		h.render(w, r, g, pageState{status: http.StatusUnprocessableEntity, linkErrors: refused})
	}
}

// groupExists reports whether g is still stored: a link not found in a
// group that was deleted meanwhile is no removal.
func (h *Handler) groupExists(r *http.Request, g *store.Group) bool {
	now, err := h.lookupGroup(r.Context(), g.Path)
	return err == nil && now != nil && now.ID == g.ID
}

// linkRefused sorts an error of identity's group link calls into refused
// and reports whether the page is to be answered with it; otherwise it has
// answered (403 for a group gone, 500 for an internal error).
func (h *Handler) linkRefused(ctx context.Context, w http.ResponseWriter, err error, refused *linkErrors) bool {
	var ie *identity.Error
	switch {
	case !errors.As(err, &ie):
		h.internalError(ctx, w, "save the group link", err)
		return false
	case ie.Kind == identity.KindInvalid && (ie.Field == "attribute" || ie.Field == "value" || ie.Field == "role"):
		refused.fields[ie.Field] = sentence(ie.Detail)
	case ie.Kind == identity.KindInvalid, ie.Kind == identity.KindRefused:
		refused.general = append(refused.general, sentence(ie.Detail))
	default: // the group is gone
		forbidden(w)
		return false
	}
	return true
}
