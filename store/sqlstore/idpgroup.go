package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"github.com/scimkit/scimkit/store"
)

// IdP groups (store.IdPGroup) are rows of scimkit_idp_groups, their
// members rows of scimkit_idp_group_members, one per member, and the links
// rows of scimkit_idp_group_links (migration 5). Reading an IdP group never
// reads its members; adding or removing k members writes k rows.

const idpCols = "g.id, g.group_id, g.display_name, g.external_id, g.document, g.version, g.created_s, g.created_ns, g.updated_s, g.updated_ns"

func scanIdPGroup(row scanner) (*store.IdPGroup, error) {
	g := &store.IdPGroup{}
	var ext sql.NullString
	var doc []byte
	var cs, cn, us, un int64
	if err := row.Scan(&g.ID, &g.GroupID, &g.DisplayName, &ext, &doc, &g.Version, &cs, &cn, &us, &un); err != nil {
		return nil, err
	}
	g.ExternalID = ext.String
	g.Created, g.Updated = fromUnix(cs, cn), fromUnix(us, un)
	var err error
	if g.Document, err = decodeDocument(doc); err != nil {
		return nil, fmt.Errorf("sqlstore: IdP group %q: %w", g.ID, err)
	}
	return g, nil
}

func (t *tx) idpGroup(ctx context.Context, what, where, groupID, label string, arg []byte) (*store.IdPGroup, error) {
	return lookupIn(t, ctx, "IdP group", what, label, "SELECT "+idpCols+" FROM scimkit_idp_groups g WHERE g.group_id = ? AND "+where+" = ?",
		b(groupID), arg, scanIdPGroup)
}

// IdPGroup implements [store.Tx].
func (t *tx) IdPGroup(ctx context.Context, groupID, id string) (*store.IdPGroup, error) {
	return t.idpGroup(ctx, "IdP group", "g.id", groupID, id, b(id))
}

// IdPGroupByDisplayName implements [store.Tx].
func (t *tx) IdPGroupByDisplayName(ctx context.Context, groupID, displayName string) (*store.IdPGroup, error) {
	return t.idpGroup(ctx, "IdP group with displayName", "g.display_name_key", groupID, displayName, foldedKey(displayName))
}

// IdPGroupByExternalID implements [store.Tx].
func (t *tx) IdPGroupByExternalID(ctx context.Context, groupID, externalID string) (*store.IdPGroup, error) {
	if externalID == "" {
		return nil, notFound("IdP group with externalId", "")
	}
	return t.idpGroup(ctx, "IdP group with externalId", "g.external_id_key", groupID, externalID, foldedKey(externalID))
}

// claimWith returns the WITH clause that claims slots, followed by ", "
// for the statement's other clauses, and its arguments; "" when slots is
// empty.
func claimWith(slots slotSet) (string, []any) {
	c, a := claimClause("c", slots)
	if c != "" {
		c += ", "
	}
	return c, a
}

// withClaims returns q preceded by the WITH clause claim (when not
// empty) and claim's arguments before args: a statement that claims its
// slots.
func withClaims(claim string, claimArgs []any, q string, qArgs ...any) (string, []any) {
	if claim == "" {
		return q, qArgs
	}
	return "WITH " + claim + " " + q, args(claimArgs, qArgs)
}

// PutIdPGroup implements [store.Tx].
func (t *tx) PutIdPGroup(ctx context.Context, g *store.IdPGroup) error {
	if err := t.check(true); err != nil {
		return err
	}
	if g == nil {
		return fmt.Errorf("sqlstore: nil IdP group: %w", store.ErrInvalid)
	}
	if err := validate("IdP group", g.Version, "ID", g.ID, "GroupID", g.GroupID, "DisplayName", g.DisplayName); err != nil {
		return err
	}
	doc, err := encodeDocument(g.Document)
	if err != nil {
		return fmt.Errorf("sqlstore: IdP group %q: %w: %w", g.ID, store.ErrInvalid, err)
	}
	id, grp, nameKey := b(g.ID), b(g.GroupID), foldedKey(g.DisplayName)
	var ext, extKey []byte // NULL without an externalId
	if g.ExternalID != "" {
		ext, extKey = b(g.ExternalID), foldedKey(g.ExternalID)
	}
	cs, cn := toUnix(g.Created)
	us, un := toUnix(g.Updated)
	probes := []probe{taken(store.KeyDisplayName, "SELECT 1 FROM scimkit_idp_groups WHERE group_id = ? AND display_name_key = ? AND id <> ?", grp, nameKey, id)}
	if ext != nil {
		probes = append(probes, taken(store.KeyExternalID, "SELECT 1 FROM scimkit_idp_groups WHERE group_id = ? AND external_id_key = ? AND id <> ?", grp, extKey, id))
	}
	var slots slotSet
	t.addSlot(&slots, claimIdPName, g.GroupID, nameKey)
	t.addSlot(&slots, claimIdPExternal, g.GroupID, extKey)
	w := &write{entity: "idp_group", version: &g.Version}
	var q string
	if g.Version == 0 {
		q = `INSERT INTO scimkit_idp_groups (id, group_id, display_name, display_name_key, external_id,
			external_id_key, document, version, created_s, created_ns, updated_s, updated_ns)
			SELECT ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ? WHERE ` + groupExists + ` ON CONFLICT DO NOTHING`
		w.args = []any{id, grp, b(g.DisplayName), nameKey, ext, extKey, doc, cs, cn, us, un, grp}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "idp_group", append(append([]probe{
				taken(store.KeyID, "SELECT 1 FROM scimkit_idp_groups WHERE id = ?", id)}, probes...),
				missing("SELECT 1 FROM scimkit_groups WHERE id = ?", grp))...)
		}
	} else {
		q = `UPDATE scimkit_idp_groups SET display_name = ?, display_name_key = ?, external_id = ?,
			external_id_key = ?, document = ?, version = version + 1, created_s = ?, created_ns = ?, updated_s = ?, updated_ns = ?
			WHERE id = ? AND group_id = ? AND version = ?
			AND NOT EXISTS (SELECT 1 FROM scimkit_idp_groups o WHERE o.group_id = ? AND o.display_name_key = ? AND o.id <> ?)
			AND NOT EXISTS (SELECT 1 FROM scimkit_idp_groups o WHERE o.group_id = ? AND o.external_id_key = ? AND o.id <> ?)`
		w.args = []any{b(g.DisplayName), nameKey, ext, extKey, doc, cs, cn, us, un, id, grp, g.Version, grp, nameKey, id, grp, extKey, id}
		w.diagnose = func(ctx context.Context) error {
			var owner []byte
			err := t.queryRow(ctx, "SELECT group_id FROM scimkit_idp_groups WHERE id = ?", id).Scan(&owner)
			if err == nil && string(owner) != g.GroupID {
				return fmt.Errorf("sqlstore: IdP group %q belongs to another group: %w", g.ID, store.ErrInvalid)
			}
			return t.diagnose(ctx, "idp_group", append([]probe{
				versionOf(g.Version, "SELECT version FROM scimkit_idp_groups WHERE id = ?", id)}, probes...)...)
		}
	}
	w.lite = stmt{q, w.args}
	w.main = q + " RETURNING id"
	w.claim(slots)
	return t.put(ctx, w)
}

// DeleteIdPGroup implements [store.Tx].
func (t *tx) DeleteIdPGroup(ctx context.Context, groupID, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	grp, gid := b(groupID), b(id)
	var slots slotSet
	t.addSlot(&slots, claimIdPGroup, groupID, gid)
	q := "DELETE FROM scimkit_idp_groups WHERE id = ? AND group_id = ?"
	members := stmt{"DELETE FROM scimkit_idp_group_members WHERE idp_group_id = ? AND group_id = ?", []any{gid, grp}}
	w := &write{entity: "idp_group", main: q + " RETURNING id", args: []any{gid, grp},
		// On SQLite the members go first: its foreign keys refuse a
		// parent that has children.
		before:   []stmt{members},
		lite:     stmt{q, []any{gid, grp}},
		diagnose: func(context.Context) error { return notFound("IdP group", id) }}
	w.claim(slots)
	w.with = append(w.with, "m AS ("+members.q+")")
	w.args = append(w.args, members.args...)
	return t.put(ctx, w)
}

// breakOn keeps the transaction from committing when err, the failure of
// a statement that followed others of the same write on SQLite, is not
// nil.
func (t *tx) breakOn(err error) {
	if err != nil && t.broken == nil {
		t.broken = err
	}
}

// IdPGroups implements [store.Tx]. It reads the IdP groups in batches by
// keyset (created, id), as SCIMIdentities does.
func (t *tx) IdPGroups(ctx context.Context, groupID string) iter.Seq2[*store.IdPGroup, error] {
	return func(yield func(*store.IdPGroup, error) bool) {
		var last *store.IdPGroup
		for {
			q := "SELECT " + idpCols + " FROM scimkit_idp_groups g WHERE g.group_id = ?"
			a := []any{b(groupID)}
			if last != nil {
				cs, cn := toUnix(last.Created)
				q += " AND (g.created_s > ? OR (g.created_s = ? AND (g.created_ns > ? OR (g.created_ns = ? AND g.id > ?))))"
				a = append(a, cs, cs, cn, cn, b(last.ID))
			}
			batch, err := t.readIdPGroups(ctx, q+" ORDER BY g.created_s, g.created_ns, g.id LIMIT ?", append(a, scanBatch)...)
			if err != nil {
				yield(nil, err)
				return
			}
			for _, g := range batch {
				if !yield(g, nil) {
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

func (t *tx) readIdPGroups(ctx context.Context, q string, a ...any) ([]*store.IdPGroup, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, q, a...)
	if err != nil {
		return nil, t.fail("list IdP groups", err)
	}
	defer rows.Close()
	var out []*store.IdPGroup
	for rows.Next() {
		g, err := scanIdPGroup(rows)
		if err != nil {
			return nil, t.fail("list IdP groups", err)
		}
		out = append(out, g)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list IdP groups", err)
	}
	return out, nil
}

// idpGroupExists reports whether the IdP group id of group groupID exists.
func (t *tx) idpGroupExists(ctx context.Context, groupID, id string) (bool, error) {
	var one int
	err := t.queryRow(ctx, "SELECT 1 FROM scimkit_idp_groups WHERE id = ? AND group_id = ?", b(id), b(groupID)).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, t.fail("read IdP group", err)
	}
	return true, nil
}

// memberChunk bounds the ids of one statement on SQLite.
const memberChunk = 500

// chunks splits ids into slices of at most n.
func chunks(ids [][]byte, n int) [][][]byte {
	var out [][][]byte
	for len(ids) > 0 {
		k := min(len(ids), n)
		out = append(out, ids[:k])
		ids = ids[k:]
	}
	return out
}

// distinct returns ids without repeats, in their order, as keys.
func distinct(ids []string) ([]string, [][]byte) {
	seen := make(map[string]bool, len(ids))
	var out []string
	var keys [][]byte
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
			keys = append(keys, b(id))
		}
	}
	return out, keys
}

// inOrder returns the ids of order that got holds, in order's order.
func inOrder(order []string, got map[string]bool) []string {
	var out []string
	for _, id := range order {
		if got[id] {
			out = append(out, id)
		}
	}
	return out
}

// memberChange prepares a change of the members ids of IdP group
// idpGroupID: the ids without repeats and as keys, and on PostgreSQL the
// WITH clause (see claimWith) claiming the group's slot and the members'.
func (t *tx) memberChange(groupID, idpGroupID string, ids []string) (order []string, keys [][]byte, claim string, claimArgs []any) {
	order, keys = distinct(ids)
	if !t.s.d.postgres {
		return order, keys, "", nil
	}
	if keys == nil {
		keys = [][]byte{} // an empty array; nil would be NULL
	}
	var slots slotSet
	t.addSlot(&slots, claimIdPGroup, groupID, []byte(idpGroupID))
	for _, id := range order {
		t.addSlot(&slots, claimMember, groupID, []byte(id))
	}
	claim, claimArgs = claimWith(slots)
	return order, keys, claim, claimArgs
}

// AddIdPGroupMembers implements [store.Tx]. On PostgreSQL it is one
// statement, which adds the members only when the IdP group and every
// identity exist; on SQLite the checks run first.
func (t *tx) AddIdPGroupMembers(ctx context.Context, groupID, idpGroupID string, ids []string) ([]string, error) {
	if err := t.check(true); err != nil {
		return nil, err
	}
	order, keys, claim, claimArgs := t.memberChange(groupID, idpGroupID, ids)
	grp, gid := b(groupID), b(idpGroupID)
	added := map[string]bool{}
	if t.s.d.postgres {
		rows, err := t.query(ctx, `WITH k AS (SELECT x.id, x.ord FROM unnest(?::bytea[]) WITH ORDINALITY AS x(id, ord)),
			ok AS (SELECT EXISTS (SELECT 1 FROM scimkit_idp_groups WHERE id = ? AND group_id = ?)
				AND NOT EXISTS (SELECT 1 FROM k WHERE NOT EXISTS (
					SELECT 1 FROM scimkit_scim_identities s WHERE s.id = k.id AND s.group_id = ?)) AS ok),
			`+claim+`i AS (INSERT INTO scimkit_idp_group_members (idp_group_id, member_id, group_id)
				SELECT ?, k.id, ? FROM k WHERE (SELECT ok FROM ok) ORDER BY k.ord ON CONFLICT DO NOTHING RETURNING member_id)
			SELECT (SELECT ok FROM ok), i.member_id FROM (SELECT 1) AS one LEFT JOIN i ON true`,
			args([]any{keys, gid, grp, grp}, claimArgs, []any{gid, grp})...)
		if err != nil {
			return nil, t.fail("write IdP group members", err)
		}
		ok := false
		for rows.Next() {
			var id []byte
			if err := rows.Scan(&ok, &id); err != nil {
				rows.Close()
				return nil, t.fail("write IdP group members", err)
			}
			if id != nil {
				added[string(id)] = true
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, t.fail("write IdP group members", err)
		}
		if !ok {
			return nil, t.missingMember(ctx, groupID, idpGroupID, order, keys)
		}
		return inOrder(order, added), nil
	}
	if err := t.missingMember(ctx, groupID, idpGroupID, order, keys); err != nil {
		return nil, err
	}
	for _, c := range chunks(keys, memberChunk) {
		rows := make([][]any, len(c))
		for i, k := range c {
			rows[i] = []any{gid, k, grp}
		}
		for _, s := range sqliteRows("scimkit_idp_group_members", "idp_group_id, member_id, group_id", " ON CONFLICT DO NOTHING RETURNING member_id", rows) {
			if err := t.collect(ctx, s, added); err != nil {
				t.breakOn(err)
				return nil, err
			}
		}
	}
	return inOrder(order, added), nil
}

// collect runs s, which returns member ids, and adds them to got.
func (t *tx) collect(ctx context.Context, s stmt, got map[string]bool) error {
	rows, err := t.query(ctx, s.q, s.args...)
	if err != nil {
		return t.fail("write IdP group members", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id []byte
		if err := rows.Scan(&id); err != nil {
			return t.fail("write IdP group members", err)
		}
		got[string(id)] = true
	}
	if err := rows.Err(); err != nil {
		return t.fail("write IdP group members", err)
	}
	return nil
}

// missingMember returns the ErrNotFound of an add whose IdP group, or one
// of whose identities ids (keys), does not exist in group groupID; nil
// when all do.
func (t *tx) missingMember(ctx context.Context, groupID, idpGroupID string, ids []string, keys [][]byte) error {
	ok, err := t.idpGroupExists(ctx, groupID, idpGroupID)
	if err != nil {
		return err
	}
	if !ok {
		return notFound("IdP group", idpGroupID)
	}
	found := map[string]bool{}
	for _, c := range chunks(keys, memberChunk) {
		in, inArgs := t.in("id", c, false)
		if err := t.collect(ctx, stmt{"SELECT id FROM scimkit_scim_identities WHERE group_id = ? AND " + in, args([]any{b(groupID)}, inArgs)}, found); err != nil {
			return err
		}
	}
	for _, id := range ids {
		if !found[id] {
			return fmt.Errorf("sqlstore: IdP group member: %w", notFound("SCIM identity", id))
		}
	}
	return nil
}

// RemoveIdPGroupMembers implements [store.Tx].
func (t *tx) RemoveIdPGroupMembers(ctx context.Context, groupID, idpGroupID string, ids []string) ([]string, error) {
	if err := t.check(true); err != nil {
		return nil, err
	}
	order, keys, claim, claimArgs := t.memberChange(groupID, idpGroupID, ids)
	grp, gid := b(groupID), b(idpGroupID)
	removed := map[string]bool{}
	if t.s.d.postgres {
		q := "WITH " + claim + `d AS (DELETE FROM scimkit_idp_group_members
			WHERE idp_group_id = ? AND group_id = ? AND member_id = ANY(?::bytea[]) RETURNING member_id) SELECT member_id FROM d`
		a := args(claimArgs, []any{gid, grp, keys})
		if err := t.collect(ctx, stmt{q, a}, removed); err != nil {
			return nil, err
		}
	} else {
		for _, c := range chunks(keys, memberChunk) {
			in, inArgs := t.in("member_id", c, false)
			if err := t.collect(ctx, stmt{"DELETE FROM scimkit_idp_group_members WHERE idp_group_id = ? AND group_id = ? AND " + in +
				" RETURNING member_id", args([]any{gid, grp}, inArgs)}, removed); err != nil {
				t.breakOn(err)
				return nil, err
			}
		}
	}
	if len(removed) == 0 {
		ok, err := t.idpGroupExists(ctx, groupID, idpGroupID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, notFound("IdP group", idpGroupID)
		}
	}
	return inOrder(order, removed), nil
}

// IdPGroupMembers implements [store.Tx]. It reads the members in batches
// by keyset (member id), with their accounts' names.
func (t *tx) IdPGroupMembers(ctx context.Context, groupID, idpGroupID string) iter.Seq2[store.IdPGroupMember, error] {
	return func(yield func(store.IdPGroupMember, error) bool) {
		if err := t.check(false); err != nil {
			yield(store.IdPGroupMember{}, err)
			return
		}
		ok, err := t.idpGroupExists(ctx, groupID, idpGroupID)
		if err == nil && !ok {
			err = notFound("IdP group", idpGroupID)
		}
		if err != nil {
			yield(store.IdPGroupMember{}, err)
			return
		}
		var after []byte
		for {
			q := `SELECT m.member_id, u.name FROM scimkit_idp_group_members m
				JOIN scimkit_scim_identities s ON s.id = m.member_id JOIN scimkit_users u ON u.id = s.user_id
				WHERE m.idp_group_id = ? AND m.group_id = ?`
			a := []any{b(idpGroupID), b(groupID)}
			if after != nil {
				q += " AND m.member_id > ?"
				a = append(a, after)
			}
			batch, err := t.readMembers(ctx, q+" ORDER BY m.member_id LIMIT ?", append(a, scanBatch)...)
			if err != nil {
				yield(store.IdPGroupMember{}, err)
				return
			}
			for _, m := range batch {
				if !yield(m, nil) {
					return
				}
			}
			if len(batch) < scanBatch {
				return
			}
			after = b(batch[len(batch)-1].ID)
		}
	}
}

func (t *tx) readMembers(ctx context.Context, q string, a ...any) ([]store.IdPGroupMember, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, q, a...)
	if err != nil {
		return nil, t.fail("list IdP group members", err)
	}
	defer rows.Close()
	var out []store.IdPGroupMember
	for rows.Next() {
		var m store.IdPGroupMember
		if err := rows.Scan(&m.ID, &m.Display); err != nil {
			return nil, t.fail("list IdP group members", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("list IdP group members", err)
	}
	return out, nil
}

// IdPGroupsOfMember implements [store.Tx], through the index on the
// member.
func (t *tx) IdPGroupsOfMember(ctx context.Context, groupID, id string) ([]*store.IdPGroup, error) {
	return t.readIdPGroups(ctx, "SELECT "+idpCols+` FROM scimkit_idp_group_members m JOIN scimkit_idp_groups g ON g.id = m.idp_group_id
		WHERE m.member_id = ? AND m.group_id = ? ORDER BY g.created_s, g.created_ns, g.id`, b(id), b(groupID))
}

// ---- links

func linkSlotDomain(a store.LinkAttribute) byte {
	if a == store.LinkExternalID {
		return claimIdPExternal
	}
	return claimIdPName
}

// IdPGroupLinks implements [store.Tx].
func (t *tx) IdPGroupLinks(ctx context.Context, groupID string) ([]*store.IdPGroupLink, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	rows, err := t.query(ctx, "SELECT attribute, value, role, version FROM scimkit_idp_group_links WHERE group_id = ? ORDER BY attribute, value_key", b(groupID))
	if err != nil {
		return nil, t.fail("read IdP group links", err)
	}
	defer rows.Close()
	var out []*store.IdPGroupLink
	for rows.Next() {
		l := &store.IdPGroupLink{GroupID: groupID}
		var attr, role int64
		if err := rows.Scan(&attr, &l.Value, &role, &l.Version); err != nil {
			return nil, t.fail("read IdP group links", err)
		}
		l.Attribute, l.Role = store.LinkAttribute(attr), store.Role(role)
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, t.fail("read IdP group links", err)
	}
	return out, nil
}

// PutIdPGroupLink implements [store.Tx].
func (t *tx) PutIdPGroupLink(ctx context.Context, l *store.IdPGroupLink) error {
	if err := t.check(true); err != nil {
		return err
	}
	if l == nil {
		return fmt.Errorf("sqlstore: nil IdP group link: %w", store.ErrInvalid)
	}
	if err := validate("IdP group link", l.Version, "GroupID", l.GroupID, "Value", l.Value); err != nil {
		return err
	}
	if l.Attribute != store.LinkDisplayName && l.Attribute != store.LinkExternalID {
		return fmt.Errorf("sqlstore: IdP group link: unknown attribute %v: %w", l.Attribute, store.ErrInvalid)
	}
	grp, key, attr := b(l.GroupID), foldedKey(l.Value), int64(l.Attribute)
	var slots slotSet
	t.addSlot(&slots, linkSlotDomain(l.Attribute), l.GroupID, key)
	w := &write{entity: "idp_group_link", version: &l.Version}
	var q string
	if l.Version == 0 {
		q = `INSERT INTO scimkit_idp_group_links (group_id, attribute, value, value_key, role, version)
			SELECT ?, ?, ?, ?, ?, 1 WHERE ` + groupExists + ` ON CONFLICT DO NOTHING`
		w.args = []any{grp, attr, b(l.Value), key, int64(l.Role), grp}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "idp_group_link",
				taken(store.KeyID, "SELECT 1 FROM scimkit_idp_group_links WHERE group_id = ? AND attribute = ? AND value_key = ?", grp, attr, key),
				missing("SELECT 1 FROM scimkit_groups WHERE id = ?", grp))
		}
	} else {
		q = `UPDATE scimkit_idp_group_links SET value = ?, role = ?, version = version + 1
			WHERE group_id = ? AND attribute = ? AND value_key = ? AND version = ?`
		w.args = []any{b(l.Value), int64(l.Role), grp, attr, key, l.Version}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "idp_group_link",
				versionOf(l.Version, "SELECT version FROM scimkit_idp_group_links WHERE group_id = ? AND attribute = ? AND value_key = ?", grp, attr, key))
		}
	}
	w.lite = stmt{q, w.args}
	w.main = q + " RETURNING group_id"
	w.claim(slots)
	return t.put(ctx, w)
}

// DeleteIdPGroupLink implements [store.Tx].
func (t *tx) DeleteIdPGroupLink(ctx context.Context, groupID string, attr store.LinkAttribute, value string) error {
	if err := t.check(true); err != nil {
		return err
	}
	key := foldedKey(value)
	var slots slotSet
	t.addSlot(&slots, linkSlotDomain(attr), groupID, key)
	q := "DELETE FROM scimkit_idp_group_links WHERE group_id = ? AND attribute = ? AND value_key = ?"
	a := []any{b(groupID), int64(attr), key}
	w := &write{entity: "idp_group_link", main: q + " RETURNING group_id", args: a, lite: stmt{q, a},
		diagnose: func(context.Context) error { return notFound("IdP group link", value) }}
	w.claim(slots)
	return t.put(ctx, w)
}

// ---- deleting a SCIM identity

// DeleteSCIMIdentity implements [store.Tx]: the identity's rows of its
// document's emails and of its IdP group memberships go with it.
func (t *tx) DeleteSCIMIdentity(ctx context.Context, groupID, id string) error {
	if err := t.check(true); err != nil {
		return err
	}
	grp, sid := b(groupID), b(id)
	var slots slotSet
	t.addSlot(&slots, claimMember, groupID, sid)
	q := "DELETE FROM scimkit_scim_identities WHERE id = ? AND group_id = ?"
	rows := []stmt{
		{"DELETE FROM scimkit_scim_emails WHERE identity_id = ? AND group_id = ?", []any{sid, grp}},
		{"DELETE FROM scimkit_idp_group_members WHERE member_id = ? AND group_id = ?", []any{sid, grp}},
	}
	w := &write{entity: "scim_identity", main: q + " RETURNING id", args: []any{sid, grp},
		before:   rows,
		lite:     stmt{q, []any{sid, grp}},
		diagnose: func(context.Context) error { return notFound("SCIM identity", id) },
		done:     func() { delete(t.names, id) },
		learn:    func(kn *known) { kn.gone(factKey{kind: kSCIM, a: id}) }}
	w.claim(slots)
	w.with = append(w.with, "e AS ("+rows[0].q+")", "m AS ("+rows[1].q+")")
	w.args = append(w.args, sid, grp, sid, grp)
	return t.put(ctx, w)
}
