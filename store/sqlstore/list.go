package sqlstore

import (
	"context"
	"fmt"
	"iter"
	"strings"

	"github.com/scimkit/scimkit/filter"
	"github.com/scimkit/scimkit/schema"
	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/internal/query"
)

// cond is a SQL condition on scimkit_scim_identities s, with its arguments.
// The empty cond is TRUE. A cond is always implied by the filter it was
// translated from (it never drops a row the filter keeps); when exact is
// set it is also equivalent to it.
type cond struct {
	sql   string
	args  []any
	exact bool
	// selective says that an index on the condition's columns narrows
	// the rows to a few (id, externalId, userName, emails), so it should
	// drive the query rather than the (group, created) index that gives
	// the default order.
	selective bool
	// names are userName keys every row the condition selects holds: an
	// Update that lists under it claims them (see claim.go).
	names [][]byte
	// byID says that the condition finds its rows by id, through another
	// table's index (an emails subquery): on SQLite the group's own index
	// must then stay out of the plan (see scan).
	byID bool
	// depth is how deep the condition's AND, OR and NOT nest.
	depth int
}

// Bounds of a pushed-down condition. SQLite refuses an expression nested
// deeper than 1,000 and a statement with more than 32,766 arguments, and a
// filter of a few thousand clauses (64 KiB parse) reaches either: past the
// bounds a part of the filter stays out of SQL and is evaluated on the
// rows, as any filter SQL does not answer.
const (
	maxCondDepth = 400
	maxCondArgs  = 2000
)

// fits reports whether c and d joined stay within the bounds.
func fits(c, d cond) bool {
	return max(c.depth, d.depth) < maxCondDepth && len(c.args)+len(d.args) <= maxCondArgs
}

// orderBy is the default order. Under a selective condition its columns
// are written +col, which keeps SQLite (and PostgreSQL) from walking the
// whole group in created order just to avoid sorting a handful of rows.
func (c cond) orderBy() string {
	if c.selective {
		return " ORDER BY +s.created_s, +s.created_ns, s.id"
	}
	return " ORDER BY s.created_s, s.created_ns, s.id"
}

func (c cond) and(d cond) cond {
	// A row both select holds the names of either.
	names := append(append([][]byte(nil), c.names...), d.names...)
	switch {
	case c.sql == "":
		return cond{sql: d.sql, args: d.args, exact: c.exact && d.exact, selective: d.selective, names: names, byID: d.byID, depth: d.depth}
	case d.sql == "":
		return cond{sql: c.sql, args: c.args, exact: c.exact && d.exact, selective: c.selective, names: names, byID: c.byID, depth: c.depth}
	case !fits(c, d):
		// A row both select is a row either selects: keep one side,
		// the one an index narrows when there is one.
		keep := c
		if d.selective && !c.selective {
			keep = d
		}
		keep.exact = false
		return keep
	}
	return cond{sql: "(" + c.sql + " AND " + d.sql + ")", args: append(append([]any{}, c.args...), d.args...),
		exact: c.exact && d.exact, selective: c.selective || d.selective, names: names, byID: c.byID || d.byID,
		depth: max(c.depth, d.depth) + 1}
}

// groupArg stands in a cond's arguments for the group being listed; bind
// replaces it.
type groupArg struct{}

// bind returns c's arguments with the group filled in.
func (c cond) bind(groupID string) []any {
	args := make([]any, len(c.args))
	for i, a := range c.args {
		if _, ok := a.(groupArg); ok {
			a = b(groupID)
		}
		args[i] = a
	}
	return args
}

// always is TRUE, exactly.
var always = cond{exact: true}

// anything is TRUE standing for a condition SQL cannot express: the filter
// is evaluated in memory.
var anything = cond{}

// pushdown translates a filter into a SQL condition on the indexed columns:
// id (exact), active (exact), externalId, userName and emails.value
// (checked in memory). Values are always bound parameters.
func pushdown(e filter.Expr) cond {
	switch e := e.(type) {
	case nil:
		return always
	case *filter.And:
		return pushdown(e.Left).and(pushdown(e.Right))
	case *filter.Or:
		l, r := pushdown(e.Left), pushdown(e.Right)
		if l.sql == "" || r.sql == "" || !fits(l, r) {
			if l.exact && r.exact {
				return always
			}
			return anything
		}
		var names [][]byte
		if len(l.names) > 0 && len(r.names) > 0 {
			// A row either selects holds a name of one side: claiming
			// both sides covers it.
			names = append(append(names, l.names...), r.names...)
		}
		return cond{sql: "(" + l.sql + " OR " + r.sql + ")", args: append(append([]any{}, l.args...), r.args...),
			exact: l.exact && r.exact, selective: l.selective && r.selective, names: names, depth: max(l.depth, r.depth) + 1}
	case *filter.Not:
		x := pushdown(e.X)
		if x.exact && x.sql != "" {
			return cond{sql: "NOT " + x.sql, args: x.args, exact: true, depth: x.depth + 1}
		}
		return anything
	case *filter.Compare:
		return pushCompare(e)
	case *filter.ValuePath:
		if coreAttr(e.Attr, "emails") && e.Attr.Sub == "" {
			if k, ok := valueEq(e.Filter); ok {
				return emailCond(k)
			}
		}
	}
	return anything
}

// coreAttr reports whether p names the core User attribute name (with or
// without the schema URN).
func coreAttr(p filter.AttrPath, name string) bool {
	return strings.EqualFold(p.Name, name) && (p.URN == "" || strings.EqualFold(p.URN, schema.UserURN))
}

func pushCompare(c *filter.Compare) cond {
	s, isString := c.Value.(string)
	switch {
	case c.Op == filter.Eq && isString && c.Attr.Sub == "" && coreAttr(c.Attr, "id"):
		return cond{sql: "s.id = ?", args: []any{b(s)}, exact: true, selective: true}
	case c.Op == filter.Eq && isString && c.Attr.Sub == "" && coreAttr(c.Attr, "externalId"):
		// Not exact: an identity whose client set no externalId has the
		// extern_uid but no externalId in its resource (its document
		// says so), which the filter, evaluated on the rows, sees.
		return cond{sql: "(s.extern_uid_key = ? AND s.extern_uid = ?)", args: []any{foldedKey(s), b(s)}, selective: true}
	case c.Op == filter.Eq && c.Attr.Sub == "" && coreAttr(c.Attr, "active"):
		if v, ok := c.Value.(bool); ok {
			return cond{sql: "s.active = ?", args: []any{v}, exact: true}
		}
	case c.Op == filter.Eq && isString && c.Attr.Sub == "" && coreAttr(c.Attr, "userName"):
		k := indexKey(foldKey(s))
		return cond{sql: "s.user_name_key IN (?, ?)", args: []any{k, b(oddKey)}, selective: true, names: [][]byte{k}}
	case c.Op == filter.Sw && isString && s != "" && c.Attr.Sub == "" && coreAttr(c.Attr, "userName"):
		// Every string with the prefix sorts between the prefix and the
		// prefix followed by 0xFF, a byte UTF-8 never uses.
		k := foldKey(s)
		if len(k) > keyPrefixLen {
			// Long keys keep only their first bytes (see indexKey).
			k = k[:keyPrefixLen]
		}
		return cond{sql: "((s.user_name_key >= ? AND s.user_name_key < ?) OR s.user_name_key = ?)",
			args: []any{b(k), b(k + "\xff"), b(oddKey)}, selective: true}
	case c.Op == filter.Eq && isString && coreAttr(c.Attr, "emails") && (c.Attr.Sub == "" || strings.EqualFold(c.Attr.Sub, "value")):
		return emailCond(foldKey(s))
	}
	return anything
}

func emailCond(key string) cond {
	// Not correlated (the group is a parameter, not s.group_id), so the
	// planner runs the subquery once through its index.
	return cond{sql: "s.id IN (SELECT e.identity_id FROM scimkit_scim_emails e WHERE e.group_id = ? AND e.value_key IN (?, ?))",
		args: []any{groupArg{}, indexKey(key), b(oddKey)}, selective: true, byID: true}
}

// valueEq finds a `value eq "..."` that the value filter f requires, and
// returns its folded value.
func valueEq(f filter.Expr) (string, bool) {
	switch f := f.(type) {
	case *filter.Compare:
		s, ok := f.Value.(string)
		if ok && f.Op == filter.Eq && f.Attr.URN == "" && f.Attr.Sub == "" && strings.EqualFold(f.Attr.Name, "value") {
			return foldKey(s), true
		}
	case *filter.And:
		if k, ok := valueEq(f.Left); ok {
			return k, true
		}
		return valueEq(f.Right)
	}
	return "", false
}

func isDeleted(s *store.SCIMIdentity) bool { return s.Deleted }

// ListSCIMIdentities implements [store.SCIMIdentityLister]: the filter is
// pushed down to SQL as far as [pushdown] goes; what remains, sorting and
// paging are done by the query engine of store.Select over the rows SQL
// narrowed down. When
// SQL answers a filter that is not selective exactly (no filter, active eq)
// and there is no sortBy, counting and paging happen in the database too.
func (t *tx) ListSCIMIdentities(ctx context.Context, groupID string, q store.Query) ([]*store.SCIMIdentity, int, error) {
	if err := t.check(false); err != nil {
		return nil, 0, err
	}
	m, err := query.Compile(q, t.s.user, store.ErrInvalid)
	if err != nil {
		return nil, 0, err
	}
	c := pushdown(q.Filter)
	if q.SkipDeleted {
		c = c.and(cond{sql: "s.deleted = ?", args: []any{false}, exact: true})
	}
	if !c.exact || m.Sorted() || c.selective {
		// A selective condition finds a few rows through its index: one
		// query reads them all, which beats COUNT plus a page query.
		return query.Select(m, t.scan(ctx, groupID, c), isDeleted, (*store.SCIMIdentity).Resource)
	}
	where := "s.group_id = ?"
	args := []any{b(groupID)}
	if c.sql != "" {
		where += " AND " + c.sql
		args = append(args, c.bind(groupID)...)
	}
	var total int
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM scimkit_scim_identities s WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, t.fail("count SCIM identities", err)
	}
	offset := max(q.StartIndex-1, 0)
	if total <= offset {
		return nil, total, nil
	}
	limit := int64(-1)
	if q.Count > 0 {
		limit = int64(q.Count)
	} else if t.s.d.postgres {
		limit = int64(total)
	}
	// The page's ids are chosen first, over the identities' own index,
	// and only its rows are read and joined to their accounts and
	// memberships: with the join inside the OFFSET, a page deep in a large
	// group read and joined every row before it.
	rows, err := t.query(ctx, "WITH p AS (SELECT s.id FROM scimkit_scim_identities s WHERE "+where+
		c.orderBy()+" LIMIT ? OFFSET ?) "+scimSelectFrom+" p JOIN scimkit_scim_identities s ON s.id = p.id"+scimJoins+
		c.orderBy(), append(args, limit, int64(offset))...)
	if err != nil {
		return nil, 0, t.fail("list SCIM identities", err)
	}
	defer rows.Close()
	var page []*store.SCIMIdentity
	for rows.Next() {
		s, err := t.scanSCIM(rows)
		if err != nil {
			return nil, 0, t.fail("list SCIM identities", err)
		}
		page = append(page, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, t.fail("list SCIM identities", err)
	}
	return page, total, nil
}

// scanBatch is how many rows scan reads per query.
const scanBatch = 500

// scan yields group groupID's SCIM identities that satisfy c, in the
// default order. It reads them in batches by keyset (created, id), so no
// result set stays open while the caller runs other statements in the
// transaction, and memory stays bounded on large groups.
func (t *tx) scan(ctx context.Context, groupID string, c cond) iter.Seq2[*store.SCIMIdentity, error] {
	return func(yield func(*store.SCIMIdentity, error) bool) {
		if err := t.check(false); err != nil {
			yield(nil, err)
			return
		}
		group := "s.group_id = ?"
		if c.byID && !t.s.d.postgres {
			// SQLite would rather walk the group's index in created order
			// than look the emails subquery's ids up: a unary + keeps
			// s.group_id out of its index choice.
			group = "+s.group_id = ?"
		}
		base := scimSelect + " WHERE " + group
		if c.sql != "" {
			base += " AND " + c.sql
		}
		if c.selective {
			// Few rows: read them in one query, sorted after the index
			// found them.
			claim, claimArgs := t.claimList(groupID, c.names)
			all, err := t.readBatch(ctx, claim+base+c.orderBy(), args(claimArgs, []any{b(groupID)}, c.bind(groupID)))
			if err != nil {
				yield(nil, err)
				return
			}
			for _, s := range all {
				if !yield(s, nil) {
					return
				}
			}
			return
		}
		var last *store.SCIMIdentity
		for {
			q := base
			args := append([]any{b(groupID)}, c.bind(groupID)...)
			if last != nil {
				cs, cn := toUnix(last.Created)
				q += " AND (s.created_s > ? OR (s.created_s = ? AND (s.created_ns > ? OR (s.created_ns = ? AND s.id > ?))))"
				args = append(args, cs, cs, cn, cn, b(last.ID))
			}
			q += " ORDER BY s.created_s, s.created_ns, s.id LIMIT ?"
			args = append(args, scanBatch)
			batch, err := t.readBatch(ctx, q, args)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, s := range batch {
				if !yield(s, nil) {
					return
				}
			}
			if len(batch) < scanBatch {
				return
			}
			last = batch[len(batch)-1]
		}
	}
}

func (t *tx) readBatch(ctx context.Context, q string, args []any) ([]*store.SCIMIdentity, error) {
	if t.done {
		return nil, store.ErrTxDone
	}
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return nil, t.fail("list SCIM identities", err)
	}
	defer rows.Close()
	var batch []*store.SCIMIdentity
	for rows.Next() {
		s, err := t.scanSCIM(rows)
		if err != nil {
			return nil, t.fail("list SCIM identities", err)
		}
		batch = append(batch, s)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list SCIM identities", err)
	}
	return batch, nil
}

// String returns the condition for debugging.
func (c cond) String() string {
	return fmt.Sprintf("%s %v exact=%v", c.sql, c.args, c.exact)
}

// Explain returns the database's query plan for the statement that lists
// group groupID's SCIM identities under q (EXPLAIN QUERY PLAN on SQLite,
// EXPLAIN on PostgreSQL), to check that a filter uses an index. With a
// filter SQL answers exactly and no sortBy it is the page query, otherwise
// the query that reads the candidates.
func (s *Store) Explain(ctx context.Context, groupID string, q store.Query) (string, error) {
	m, err := query.Compile(q, s.user, store.ErrInvalid)
	if err != nil {
		return "", err
	}
	c := pushdown(q.Filter)
	if q.SkipDeleted {
		c = c.and(cond{sql: "s.deleted = ?", args: []any{false}, exact: true})
	}
	query := scimSelect + " WHERE s.group_id = ?"
	args := append([]any{b(groupID)}, c.bind(groupID)...)
	if c.sql != "" {
		query += " AND " + c.sql
	}
	switch {
	case c.exact && !m.Sorted() && !c.selective:
		query += c.orderBy() + " LIMIT ? OFFSET ?"
		args = append(args, int64(max(q.Count, 1)), int64(max(q.StartIndex-1, 0)))
	case c.selective:
		query += c.orderBy()
	default:
		query += c.orderBy() + " LIMIT ?"
		args = append(args, scanBatch)
	}
	explain := "EXPLAIN QUERY PLAN "
	if s.d.postgres {
		explain = "EXPLAIN "
	}
	rows, err := s.db.QueryContext(ctx, s.d.rebind(explain+query), args...)
	if err != nil {
		return "", fmt.Errorf("sqlstore: explain: %w", s.d.wrap(err))
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", fmt.Errorf("sqlstore: explain: %w", err)
	}
	var out strings.Builder
	vals := make([]any, len(cols))
	for i := range vals {
		vals[i] = new(any)
	}
	for rows.Next() {
		if err := rows.Scan(vals...); err != nil {
			return "", fmt.Errorf("sqlstore: explain: %w", err)
		}
		// SQLite rows are (id, parent, notused, detail); PostgreSQL's one
		// column of text.
		fmt.Fprintf(&out, "%s\n", *vals[len(vals)-1].(*any))
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("sqlstore: explain: %w", err)
	}
	return out.String(), nil
}
