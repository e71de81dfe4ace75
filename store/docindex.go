package store

import "github.com/scimkit/scimkit/internal/scimjson"

// DocumentKeys holds the strings of a SCIM document that a string equality
// or prefix filter on userName, and a string equality filter on emails
// (emails, emails.value, emails[value eq ...]), can match, found the way the
// filter package finds them: arrays are expanded at any depth and a string
// stands for its own "value". Stores that index these attributes for filter
// pushdown build the index from [IndexDocument], so that an indexed lookup
// never misses a document the filter matches.
type DocumentKeys struct {
	// UserNames are the strings at userName: one in a well-formed
	// document, none when it has no userName.
	UserNames []string
	// Emails are the strings at emails[].value (or emails[] themselves).
	Emails []string
	// OddUserName and OddEmails report a value in a shape that a list of
	// strings cannot stand for (an object where a string is expected). A
	// store must then treat the document as a candidate for every
	// userName (or emails) filter and leave the decision to the filter.
	OddUserName, OddEmails bool
}

// IndexDocument returns the userName and emails keys of doc. The strings
// are returned as they are, not folded.
func IndexDocument(doc map[string]any) DocumentKeys {
	var k DocumentKeys
	walkStrings(member(doc, "userName"), &k.UserNames, &k.OddUserName)
	walkEmails(member(doc, "emails"), &k)
	return k
}

// member returns the member of m named name, case-insensitively (RFC 7643
// §2.1), or nil.
func member(m map[string]any, name string) any {
	_, v, _ := scimjson.Lookup(m, name)
	return v
}

// walkStrings adds the strings of v, expanding arrays; an object is odd.
// Numbers and booleans are skipped: no string comparison matches them.
func walkStrings(v any, out *[]string, odd *bool) {
	switch v := v.(type) {
	case string:
		*out = append(*out, v)
	case []any:
		for _, e := range v {
			walkStrings(e, out, odd)
		}
	case []string:
		*out = append(*out, v...)
	case map[string]any, []map[string]any:
		*odd = true
	}
}

// walkEmails adds the strings of the emails attribute v: each element's
// "value", or the element itself when it is a string.
func walkEmails(v any, k *DocumentKeys) {
	switch v := v.(type) {
	case string:
		k.Emails = append(k.Emails, v)
	case []any:
		for _, e := range v {
			walkEmails(e, k)
		}
	case []string:
		k.Emails = append(k.Emails, v...)
	case []map[string]any:
		for _, e := range v {
			walkEmails(e, k)
		}
	case map[string]any:
		walkStrings(member(v, "value"), &k.Emails, &k.OddEmails)
	}
}
