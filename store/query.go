package store

import (
	"github.com/scimkit/scimkit/filter"
)

// SortOrder is the direction of a sort (RFC 7644 §3.4.2.3).
type SortOrder uint8

// Sort orders. The zero value is Ascending.
const (
	Ascending SortOrder = iota
	Descending
)

// String returns "ascending" or "descending".
func (o SortOrder) String() string {
	if o == Descending {
		return "descending"
	}
	return "ascending"
}

// Query selects, orders and pages SCIM identities (RFC 7644 §3.4.2). The
// zero value selects every identity, in the default order, on one page.
type Query struct {
	// Filter keeps the identities whose [SCIMIdentity.Resource] it matches,
	// evaluated as filter.Compile(Filter, schema.User()) does; nil keeps all.
	Filter filter.Expr
	// SkipDeleted leaves out identities marked Deleted.
	SkipDeleted bool
	// StartIndex is the 1-based index of the first identity returned;
	// values below 1 mean 1.
	StartIndex int
	// Count is the most identities returned; 0 or less means no limit.
	Count int
	// SortBy is the attribute path to sort by ("userName",
	// "name.familyName", "emails.value", "meta.created", or a fully
	// qualified "urn:...:User:userName"); "" keeps the default order.
	// Strings compare case-insensitively unless the attribute is caseExact
	// in schema.User(); multi-valued attributes sort by their primary
	// value, else their first; identities without a value sort last in
	// either order.
	SortBy string
	// SortOrder is the direction of SortBy.
	SortOrder SortOrder
}
