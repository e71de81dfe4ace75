package store

import (
	"context"
	"iter"
	"strings"

	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store/internal/query"
)

// ListSCIMIdentities returns the page of group groupID's SCIM identities that
// q selects, and the number of identities matching q's filter on all pages.
// If tx implements [SCIMIdentityLister] (checked with a type assertion) it
// answers; otherwise the query is evaluated by [Select] over
// [Tx.SCIMIdentities].
//
// Errors from compiling q.Filter (*filter.SchemaError) and parsing q.SortBy
// (*filter.SyntaxError) are wrapped; find them with errors.As. So is the
// *filter.BudgetError of a filter that needs more than [MaxFilterWork] units
// of work over the identities it is evaluated on.
func ListSCIMIdentities(ctx context.Context, tx Tx, groupID string, q Query) ([]*SCIMIdentity, int, error) {
	if l, ok := tx.(SCIMIdentityLister); ok {
		return l.ListSCIMIdentities(ctx, groupID, q)
	}
	return Select(tx.SCIMIdentities(ctx, groupID), q)
}

// Select evaluates q over the identities seq yields, which must come in the
// default order (Created, then ID) as [Tx.SCIMIdentities] yields them. It
// returns the selected page and the number of identities matching q.Filter.
// It is the reference semantics of a [Query]: a [SCIMIdentityLister] must
// give what Select gives, and one that narrows the candidates itself (an
// index, a SQL WHERE) may leave the rest to Select.
//
// Without q.SortBy, Select keeps only the page in memory. The identities
// returned are the ones seq yielded, not copies. q.Filter is compiled
// against schema.User(); errors wrap *filter.SchemaError or
// *filter.SyntaxError, and a SortBy with a value filter wraps [ErrInvalid];
// a filter that needs more than [MaxFilterWork] units wraps
// *filter.BudgetError.
func Select(seq iter.Seq2[*SCIMIdentity, error], q Query) ([]*SCIMIdentity, int, error) {
	m, err := query.Compile(q, schema.User(), ErrInvalid)
	if err != nil {
		return nil, 0, err
	}
	return query.Select(m, seq, isDeleted, (*SCIMIdentity).Resource)
}

func isDeleted(s *SCIMIdentity) bool { return s.Deleted }

// MaxFilterWork bounds the work of one list's filter in [filter.Budget]
// units (a value compared, an element walked): [Select], and the listers of
// memstore and sqlstore for what their indexes and SQL leave to it, refuse
// a filter that needs more, with an error wrapping *filter.BudgetError,
// rather than hold the store while it runs over users with tens of
// thousands of values. A lister that narrows the candidates first may
// answer a query Select refuses.
const MaxFilterWork = query.MaxWork

// CompareDefault orders identities in the default list order: Created,
// then ID.
func CompareDefault(a, b *SCIMIdentity) int {
	if c := a.Created.Compare(b.Created); c != 0 {
		return c
	}
	return strings.Compare(a.ID, b.ID)
}
