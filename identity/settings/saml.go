package settings

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/crewjam/saml"

	"github.com/scimkit/scimkit/identity/sso"
	"github.com/scimkit/scimkit/store"
)

// maxSAMLForm bounds the body of the SAML form: the IdP's metadata (at most
// 1 MiB, which sso checks) percent-encoded or uploaded, and the other
// fields. A larger body is answered 413.
const maxSAMLForm = 4 << 20

// The two ways the form takes the IdP (its "source" field).
const (
	sourceMetadata = "metadata"
	sourceSSOURL   = "sso_url"
)

// samlForm is the SAML settings form: what the owner typed, or what the
// group has stored when the page is first shown.
type samlForm struct {
	Enabled bool
	// Source is sourceMetadata or sourceSSOURL: which of the IdP's forms
	// is saved. The other one's fields are kept in the form, not saved.
	Source                      string
	Metadata                    string
	SSOURL, Fingerprint, Issuer string
	Enforce                     bool
	// Role is the default membership role's number as posted.
	Role         string
	NameIDFormat string
	// Version is the group's version the form was filled in from.
	Version int64
}

// storedForm is the form filled in from group g as stored.
func storedForm(g *store.Group) samlForm {
	f := samlForm{
		Enabled: true, // GitLab's default for a new configuration
		Source:  sourceSSOURL,
		Enforce: g.EnforceSSO,
		Role:    strconv.Itoa(int(g.MemberRole())),
		Version: g.Version,
	}
	if c := g.SAML; c != nil {
		f.Enabled = c.Enabled
		f.NameIDFormat = c.NameIDFormat
		if c.IdPMetadata != "" {
			f.Source, f.Metadata = sourceMetadata, c.IdPMetadata
		} else {
			f.SSOURL, f.Fingerprint, f.Issuer = c.SSOURL, c.Fingerprint, c.IdPEntityID
		}
	}
	return f
}

// readSAMLForm reads the posted form, URL-encoded or multipart (with the
// metadata file the owner uploaded, which then stands for the metadata
// field). Browsers send a textarea's line breaks as CRLF; the metadata
// field's are made LF again, as the owner pasted them. The error is a
// request that is no form or is too large.
func readSAMLForm(w http.ResponseWriter, r *http.Request) (samlForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSAMLForm)
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxSAMLForm)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return samlForm{}, err
	}
	f := samlForm{
		Enabled:      r.PostFormValue("enabled") != "",
		Source:       r.PostFormValue("source"),
		Metadata:     strings.ReplaceAll(r.PostFormValue("metadata"), "\r\n", "\n"),
		SSOURL:       r.PostFormValue("sso_url"),
		Fingerprint:  r.PostFormValue("fingerprint"),
		Issuer:       r.PostFormValue("idp_entity_id"),
		Enforce:      r.PostFormValue("enforce_sso") != "",
		Role:         r.PostFormValue("default_role"),
		NameIDFormat: r.PostFormValue("name_id_format"),
		Version:      -1, // no version matches no group
	}
	if f.Source != sourceMetadata {
		f.Source = sourceSSOURL
	}
	if v, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64); err == nil {
		f.Version = v
	}
	if r.MultipartForm != nil {
		if fh := r.MultipartForm.File["metadata_file"]; len(fh) > 0 && fh[0].Size > 0 {
			file, err := fh[0].Open()
			if err != nil {
				return samlForm{}, err
			}
			defer file.Close()
			b, err := io.ReadAll(file)
			if err != nil {
				return samlForm{}, err
			}
			f.Metadata, f.Source = string(b), sourceMetadata
		}
	}
	return f, nil
}

// config is the SAML configuration the form asks for, from its chosen
// source only. A group trusting a certificate (set through sso.Configure
// by the host) keeps it when the owner leaves the fingerprint empty: the
// form has no certificate field, and the group is the one the form was
// filled in from, as the save checks its version.
func (f samlForm) config(g *store.Group) store.SAMLConfig {
	c := store.SAMLConfig{Enabled: f.Enabled, NameIDFormat: f.NameIDFormat}
	if f.Source == sourceMetadata {
		c.IdPMetadata = f.Metadata
		return c
	}
	c.SSOURL, c.Fingerprint, c.IdPEntityID = f.SSOURL, f.Fingerprint, f.Issuer
	if strings.TrimSpace(f.Fingerprint) == "" && keepsCertificate(g) {
		c.Certificate = g.SAML.Certificate
	}
	return c
}

// keepsCertificate reports whether group g trusts a configured certificate
// that a save without a fingerprint keeps.
func keepsCertificate(g *store.Group) bool {
	return g.SAML != nil && g.SAML.Certificate != ""
}

// role is the default membership role the form asks for; a value that is
// no number is no role, which sso refuses.
func (f samlForm) role() store.Role {
	n, err := strconv.Atoi(f.Role)
	if err != nil {
		return store.RoleNone
	}
	return store.Role(n)
}

// samlErrors are the refusals of a save, by the form field they belong to;
// general holds those of no field.
type samlErrors struct {
	fields  map[string]string
	general []string
}

// formField is the form's field for the store.SAMLConfig field sso names,
// or "" for none. A certificate is entered by its fingerprint on the form.
func formField(configField string) string {
	switch configField {
	case "IdPMetadata":
		return "metadata"
	case "SSOURL":
		return "sso_url"
	case "Fingerprint", "Certificate":
		return "fingerprint"
	case "IdPEntityID":
		return "idp_entity_id"
	case "NameIDFormat":
		return "name_id_format"
	case "DefaultRole":
		return "default_role"
	}
	return ""
}

// refusals sorts sso's refusals onto the form's fields.
func refusals(errs []*sso.ConfigError) *samlErrors {
	out := &samlErrors{fields: map[string]string{}}
	for _, ce := range errs {
		msg := sentence(ce.Detail)
		if field := formField(ce.Field); field != "" {
			if _, dup := out.fields[field]; !dup {
				out.fields[field] = msg
			}
			continue
		}
		out.general = append(out.general, msg)
	}
	return out
}

// sentence makes an error detail a sentence: a capital first letter and a
// final period.
func sentence(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// serveSAML serves the SAML form's POST: the settings are saved through
// sso.Configure, which checks them, only if the group is still at the
// version the form was filled in from. A save answers 303 to the page,
// which shows the saved state; refused settings answer 422 with each error
// beside its field and the owner's values kept; a group changed since the
// form was read answers 409, keeps the owner's values and shows what is
// stored now. Nothing is written unless the answer is 303.
func (h *Handler) serveSAML(w http.ResponseWriter, r *http.Request, g *store.Group) {
	ctx := r.Context()
	f, err := readSAMLForm(w, r)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "413 Request Entity Too Large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "400 Bad Request", http.StatusBadRequest)
		return
	}
	_, err = h.saveSAML(ctx, g.ID, f.Version, f.config(g), f.Enforce, f.role())
	switch errs := sso.ConfigErrors(err); {
	case err == nil:
		h.log.LogAttrs(ctx, slog.LevelInfo, "settings: SAML settings saved", slog.String("group", g.Path))
		http.Redirect(w, r, h.pageURL(g.Path)+"?saml=saved#saml", http.StatusSeeOther)
	case len(errs) > 0:
		h.render(w, r, g, pageState{status: http.StatusUnprocessableEntity, form: &f, refused: refusals(errs)})
	case errors.Is(err, store.ErrVersionMismatch):
		now, err := h.lookupGroup(ctx, g.Path)
		if err != nil {
			h.internalError(ctx, w, "read the group", err)
			return
		}
		if now == nil || now.ID != g.ID {
			forbidden(w)
			return
		}
		// The owner's values stay; saving them again is a deliberate
		// overwrite of what is now stored, shown beside them.
		f.Version = now.Version
		h.render(w, r, now, pageState{status: http.StatusConflict, form: &f, stale: true})
	case errors.Is(err, store.ErrNotFound):
		forbidden(w) // deleted meanwhile
	default:
		h.internalError(ctx, w, "save the SAML settings", err)
	}
}

// samlView is the SAML section of the page.
type samlView struct {
	// SP are the group's service-provider addresses.
	SP sso.URLs
	// The saved state.
	Configured, Enabled, Enforced bool
	Role, NameIDFormat            string
	// IdP is what the saved configuration trusts; nil when not
	// configured, or when the configuration cannot be read
	// (Unreadable).
	IdP        *sso.IdPInfo
	Unreadable bool
	// KeepsCertificate is the subject of a configured certificate that a
	// save without fingerprint keeps, or "".
	KeepsCertificate string
	// Form is the settings form; Errors its refusals by field, General
	// those of none.
	Form    samlForm
	Errors  map[string]string
	General []string
	// Saved is set on the page a save redirects to; Stale in the answer
	// to a form filled in from an older version.
	Saved, Stale   bool
	Roles, Formats []choice
	Sources        []choice
}

// choice is an option of a select or a radio button.
type choice struct {
	Value, Label string
	Selected     bool
}

// nameIDFormatLabel is a NameID format as the page shows it.
func nameIDFormatLabel(f string) string {
	switch saml.NameIDFormat(f) {
	case "":
		return "Any (what the identity provider sends)"
	case saml.PersistentNameIDFormat:
		return "Persistent (recommended)"
	case saml.EmailAddressNameIDFormat:
		return "Email address"
	case saml.UnspecifiedNameIDFormat:
		return "Unspecified"
	case saml.TransientNameIDFormat:
		return "Transient"
	}
	return f
}

// samlSection builds the SAML section of group g's page: the saved state
// from g, the form from f when set (a refused or stale post) or from g.
func (h *Handler) samlSection(r *http.Request, g *store.Group, st pageState) *samlView {
	v := &samlView{
		SP:       h.cfg.samlURLs(g.Path),
		Enforced: g.EnforceSSO,
		Role:     roleName(g.MemberRole()),
		Saved:    r.Method == http.MethodGet && r.FormValue("saml") == "saved",
		Stale:    st.stale,
	}
	if c := g.SAML; c != nil {
		v.Configured, v.Enabled = true, c.Enabled
		v.NameIDFormat = nameIDFormatLabel(c.NameIDFormat)
		info, err := sso.DescribeIdP(*c)
		if err != nil {
			v.Unreadable = true
		} else {
			v.IdP = info
			if keepsCertificate(g) && len(info.Certificates) == 1 {
				v.KeepsCertificate = info.Certificates[0].Subject
			}
		}
	}
	if st.form != nil {
		v.Form = *st.form
	} else {
		v.Form = storedForm(g)
	}
	if st.refused != nil {
		v.Errors, v.General = st.refused.fields, st.refused.general
	}
	for _, role := range sso.DefaultRoles() {
		val := strconv.Itoa(int(role))
		v.Roles = append(v.Roles, choice{Value: val, Label: roleName(role), Selected: val == v.Form.Role})
	}
	formats := sso.NameIDFormats()
	known := false
	for _, f := range formats {
		known = known || f == v.Form.NameIDFormat
	}
	if !known {
		// A value sso refuses stays selected, beside its error.
		formats = append(formats, v.Form.NameIDFormat)
	}
	for _, f := range formats {
		v.Formats = append(v.Formats, choice{Value: f, Label: nameIDFormatLabel(f), Selected: f == v.Form.NameIDFormat})
	}
	v.Sources = []choice{
		{Value: sourceSSOURL, Label: "SSO URL and certificate fingerprint", Selected: v.Form.Source == sourceSSOURL},
		{Value: sourceMetadata, Label: "Metadata XML", Selected: v.Form.Source == sourceMetadata},
	}
	return v
}

// fieldView is one field of the SAML form as its template writes it: a
// select (Choices), a textarea (Multiline) or a text input, with its
// value and its error when refused.
type fieldView struct {
	Name, ID, Label, Hint string
	Value                 string
	Choices               []choice
	Multiline             bool
	Error                 string
}

// inputField is the text input name of the SAML form.
func inputField(s *samlView, name, id, label, value, hint string) fieldView {
	return fieldView{Name: name, ID: id, Label: label, Value: value, Hint: hint, Error: s.Errors[name]}
}

// textareaField is the textarea name of the SAML form.
func textareaField(s *samlView, name, id, label, value, hint string) fieldView {
	f := inputField(s, name, id, label, value, hint)
	f.Multiline = true
	return f
}

// selectField is the select name of the SAML form.
func selectField(s *samlView, name, id, label string, choices []choice, hint string) fieldView {
	f := inputField(s, name, id, label, "", hint)
	f.Choices = choices
	return f
}

// copyView is a read-only field with a copy button.
type copyView struct{ ID, Label, Value, Hint string }

// copyable is the read-only field id with a copy button.
func copyable(id, label, value, hint string) copyView {
	return copyView{ID: id, Label: label, Value: value, Hint: hint}
}

// fingerprintKind names a fingerprint's digest by its length.
func fingerprintKind(fp string) string {
	if strings.Count(fp, ":") == 19 {
		return "SHA-1"
	}
	return "SHA-256"
}

// date is a certificate's date as the page shows it.
func date(t time.Time) string {
	return t.UTC().Format("2006-01-02")
}
