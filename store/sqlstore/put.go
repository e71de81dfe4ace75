package sqlstore

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// Writes take no savepoint and never fail on a key or reference the
// transaction can see: each write statement checks them itself (NOT EXISTS,
// EXISTS, ON CONFLICT DO NOTHING) and writes nothing when one is in the
// way; the Put then finds out which (diagnose) and changes nothing. On
// PostgreSQL a Put is one statement (the rows of other tables it keeps,
// such as a user's emails, go in data-modifying WITH clauses); on SQLite,
// where one Update runs at a time, it may take several, and one failing
// after another succeeded keeps the transaction from committing.
//
// On PostgreSQL a key that a concurrent transaction took, which this one's
// snapshot cannot see, makes the statement fail with a serialization
// failure or a unique violation: the Update runs again, sees the key, and
// decides anew (the unique indexes, not a lock, decide every race on a
// key).
//
// Every Put describes its change as a write and hands it to tx.put, which
// runs it (or on PostgreSQL holds it back for the next round trip, see
// session.go) and does the bookkeeping: a new Put needs nothing else.

// probe is one reason a write may have written nothing, checked by
// diagnose: a key another row holds, a referenced row that is missing, or
// a stored version other than the one written over.
type probe struct {
	q    string
	args []any
	// taken: a row found means the key is taken by another entity;
	// otherwise a row not found means a referenced group or user is
	// missing.
	taken bool
	// version, when set, makes q read the stored version instead.
	version bool
	want    int64
	key     string
}

func taken(key, q string, args ...any) probe { return probe{q: q, args: args, taken: true, key: key} }

func missing(q string, args ...any) probe { return probe{q: q, args: args} }

func versionOf(want int64, q string, args ...any) probe {
	return probe{q: q, args: args, version: true, want: want}
}

// diagnose explains why a write of entity wrote nothing: the first probe
// that fires gives the error.
func (t *tx) diagnose(ctx context.Context, entity string, probes ...probe) error {
	for _, p := range probes {
		if p.version {
			var v int64
			err := t.queryRow(ctx, p.q, p.args...).Scan(&v)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("sqlstore: %s: %w", entity, store.ErrNotFound)
			case err != nil:
				return t.fail("read "+entity+" version", err)
			case v != p.want:
				return fmt.Errorf("sqlstore: %s is at version %d: %w", entity, v, store.ErrVersionMismatch)
			}
			continue
		}
		var one int
		err := t.queryRow(ctx, p.q, p.args...).Scan(&one)
		found := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return t.fail("check "+entity, err)
		}
		switch {
		case p.taken && found:
			return &store.ConflictError{Entity: entity, Key: p.key}
		case !p.taken && !found:
			return fmt.Errorf("sqlstore: %s refers to a missing group or user: %w", entity, store.ErrNotFound)
		}
	}
	return fmt.Errorf("sqlstore: write %s: no row written and no reason found", entity)
}

// write is the change one Put makes.
type write struct {
	entity string
	// main is the PostgreSQL statement that writes the entity's row,
	// returning a row for it (RETURNING); with are the WITH clauses that
	// follow it (rows of other tables, a claim), which refer to main's
	// rows as s; args are main's arguments, then with's. See pgSQL.
	main string
	with []string
	args []any
	// lite is the SQLite statement that writes the entity's row, before
	// the statements that go first (rows that refer to it, deleted before
	// it) and then the statements that follow once it went in.
	lite   stmt
	before []stmt
	then   []stmt
	// follow, when set, runs on SQLite after then: statements that depend
	// on what the database holds (a large email set brought up to date).
	follow func(ctx context.Context) error
	// diagnose explains why nothing was written.
	diagnose func(ctx context.Context) error
	// version, when set, is the entity's Version, advanced once written;
	// done, when set, runs then too.
	version *int64
	done    func()
	// sure reports whether what the Update knows (known.go) shows that
	// the statement will write, so that it may be held back; nil: never.
	// learn notes what the write changed, once written.
	sure  func(kn *known) bool
	learn func(kn *known)
}

// pgSQL is w's PostgreSQL statement: main in a WITH named s, the other
// clauses, and a SELECT of tail over s (COUNT(*), the rows written).
func (w *write) pgSQL(tail string) string {
	return "WITH s AS (" + w.main + ")" + prefixed(w.with) + " SELECT " + tail + " FROM s"
}

// claim adds the WITH clause that claims slots (PostgreSQL) to w, with its
// arguments after those w has.
func (w *write) claim(slots slotSet) {
	if c, a := claimClause("c", slots); c != "" {
		w.with = append(w.with, c)
		w.args = append(w.args, a...)
	}
}

// heldTail is the tail of a held write: with no row written it divides by
// zero, which fails the statement, and so the batch it is in and the
// transaction, before the COMMIT that may follow it (session.go).
const heldTail = "1 / COUNT(*)"

// put makes the write of a Put. In an Update on PostgreSQL that knows the
// statement will write (w.sure), it holds the statement back and reports
// success (one that turns out to have written nothing, against what the
// Update knew, runs the Update again with immediate writes); otherwise it
// runs it, and diagnoses a write that wrote nothing.
func (t *tx) put(ctx context.Context, w *write) error {
	t.ahead, t.joined = nil, nil // a write may change what was read before
	var n int64
	var err error
	switch {
	case t.know != nil && w.sure != nil && w.sure(t.know):
		t.sess.hold(held{entity: w.entity}, t.s.binds.rebind(t.s.d, w.pgSQL(heldTail)), w.args)
		t.wrote(w)
		return nil
	case t.s.d.postgres:
		n, err = t.count(ctx, w.entity, w.pgSQL("COUNT(*)"), w.args...)
	default:
		for _, s := range w.before {
			if _, err = t.write(ctx, w.entity, s.q, s.args...); err != nil {
				break
			}
		}
		if err == nil {
			n, err = t.write(ctx, w.entity, w.lite.q, w.lite.args...)
			if len(w.before) > 0 {
				t.breakOn(err) // the statements before it went in
			}
		}
		if err == nil && n > 0 {
			err = t.then(ctx, w.entity, w.then...)
		}
		if err == nil && n > 0 && w.follow != nil {
			err = w.follow(ctx)
		}
	}
	if err != nil {
		return err
	}
	if n == 0 {
		return w.diagnose(ctx)
	}
	t.wrote(w)
	return nil
}

// wrote does the bookkeeping of a write that went in.
func (t *tx) wrote(w *write) {
	if w.version != nil {
		t.versions = append(t.versions, versionWas{v: w.version, was: *w.version})
		*w.version++
	}
	if w.done != nil {
		w.done()
	}
	if t.know != nil && w.learn != nil {
		w.learn(t.know)
	}
}

// write runs a SQLite write statement and returns the rows it changed.
func (t *tx) write(ctx context.Context, entity, q string, args ...any) (int64, error) {
	res, err := t.exec(ctx, q, args...)
	if err != nil {
		return 0, t.fail("write "+entity, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.fail("write "+entity, err)
	}
	return n, nil
}

// count runs a PostgreSQL write statement that selects the number of main
// rows it wrote.
func (t *tx) count(ctx context.Context, entity, q string, args ...any) (int64, error) {
	var n int64
	if err := t.queryRow(ctx, q, args...).Scan(&n); err != nil {
		return 0, t.fail("write "+entity, err)
	}
	return n, nil
}

// then runs the statements that follow a SQLite write whose main row went
// in: if one fails, the transaction must not commit.
func (t *tx) then(ctx context.Context, entity string, stmts ...stmt) error {
	for _, s := range stmts {
		if s.q == "" {
			continue
		}
		if _, err := t.exec(ctx, s.q, s.args...); err != nil {
			err = t.fail("write "+entity, err)
			t.breakOn(err)
			return err
		}
	}
	return nil
}

// stmt is a statement with its arguments.
type stmt struct {
	q    string
	args []any
}

// list returns n placeholders: "?, ?, ?".
func list(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// maxInlineKeys is the most keys in that SQLite gives a placeholder each;
// more travel as one JSON array (SQLite takes at most 32,766 arguments in
// a statement, and a user with 40,000 emails has that many keys).
const maxInlineKeys = 500

// in returns the condition that col is one of keys, with its arguments:
// on PostgreSQL one bytea[] argument, whatever the number of keys; on
// SQLite a placeholder per key, or beyond maxInlineKeys one argument, a
// JSON array of the keys in hexadecimal. With not set, that col is none of
// them.
//
// One key is a plain comparison on either database: the server plans a
// prepared statement once for all arguments, and for an array of unknown
// length it assumes ten keys, for which a scan of the whole table looks
// cheaper than ten index lookups until the table holds thousands of rows;
// a plan made then stays while the table grows. Most users have one
// address.
func (t *tx) in(col string, keys [][]byte, not bool) (string, []any) {
	if len(keys) == 1 {
		if not {
			return col + " <> ?", []any{keys[0]}
		}
		return col + " = ?", []any{keys[0]}
	}
	if t.s.d.postgres {
		if keys == nil {
			keys = [][]byte{} // an empty array; nil would be NULL
		}
		if not {
			return col + " <> ALL(?::bytea[])", []any{keys}
		}
		return col + " = ANY(?::bytea[])", []any{keys}
	}
	if len(keys) > maxInlineKeys {
		op := " IN "
		if not {
			op = " NOT IN "
		}
		return col + op + "(SELECT unhex(value) FROM json_each(?))", []any{hexArray(keys)}
	}
	args := make([]any, len(keys))
	for i, k := range keys {
		args[i] = k
	}
	if not {
		return col + " NOT IN (" + list(len(keys)) + ")", args
	}
	return col + " IN (" + list(len(keys)) + ")", args
}

// hexArray returns keys as a JSON array of hexadecimal strings, which
// SQLite reads back with json_each and unhex.
func hexArray(keys [][]byte) string {
	var b strings.Builder
	b.Grow(len(keys) * 40)
	b.WriteByte('[')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		b.WriteString(hex.EncodeToString(k))
		b.WriteByte('"')
	}
	b.WriteByte(']')
	return b.String()
}

// sqliteEmailRows returns the statements that insert the email index rows
// of identity id in group g for keys, with suffix (" ON CONFLICT DO
// NOTHING" or ""): rows of bounded statements, or beyond maxInlineKeys one
// statement reading the keys from a JSON array, which SQLite runs many
// times faster than the dozens of statements and tens of thousands of
// arguments it would take otherwise.
func sqliteEmailRows(id, g []byte, keys [][]byte, suffix string) []stmt {
	if len(keys) > maxInlineKeys {
		return []stmt{{"INSERT INTO scimkit_scim_emails (identity_id, group_id, value_key) SELECT ?, ?, unhex(value) FROM json_each(?) WHERE true" + suffix,
			[]any{id, g, hexArray(keys)}}}
	}
	rows := make([][]any, len(keys))
	for i, k := range keys {
		rows[i] = []any{id, g, k}
	}
	return sqliteRows("scimkit_scim_emails", "identity_id, group_id, value_key", suffix, rows)
}

// sqliteRows returns the statements that insert rows into table (cols),
// a bounded number of rows per statement so that no statement has more
// arguments than SQLite takes; suffix ends each statement.
func sqliteRows(table, cols, suffix string, rows [][]any) []stmt {
	const perStmt = 500
	var out []stmt
	for len(rows) > 0 {
		n := min(len(rows), perStmt)
		row := "(" + list(len(rows[0])) + "), "
		var a []any
		for _, r := range rows[:n] {
			a = append(a, r...)
		}
		out = append(out, stmt{"INSERT INTO " + table + " (" + cols + ") VALUES " +
			strings.TrimSuffix(strings.Repeat(row, n), ", ") + suffix, a})
		rows = rows[n:]
	}
	return out
}

// args concatenates argument lists.
func args(lists ...[]any) []any {
	n := 0
	for _, l := range lists {
		n += len(l)
	}
	out := make([]any, 0, n)
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// validate checks the required fields of an entity, given as name, value
// pairs, and its Version.
func validate(entity string, version int64, fields ...string) error {
	for i := 0; i+1 < len(fields); i += 2 {
		if fields[i+1] == "" {
			return invalid(entity, fields[i])
		}
	}
	if version < 0 {
		return invalid(entity, "a non-negative Version")
	}
	return nil
}

func invalid(entity, field string) error {
	return fmt.Errorf("sqlstore: %s: %s is required: %w", entity, field, store.ErrInvalid)
}

const (
	groupExists = "EXISTS (SELECT 1 FROM scimkit_groups WHERE id = ?)"
	userExists  = "EXISTS (SELECT 1 FROM scimkit_users WHERE id = ?)"
)

// ---- groups

// PutGroup implements [store.Tx].
func (t *tx) PutGroup(ctx context.Context, g *store.Group) error {
	if err := t.check(true); err != nil {
		return err
	}
	if g == nil {
		return fmt.Errorf("sqlstore: nil group: %w", store.ErrInvalid)
	}
	if err := validate("group", g.Version, "ID", g.ID, "Path", g.Path); err != nil {
		return err
	}
	var digest []byte
	if g.TokenDigest != nil {
		digest = append([]byte{}, g.TokenDigest...)
	}
	id, path := b(g.ID), foldedKey(g.Path)
	pathTaken := taken(store.KeyGroupPath, "SELECT 1 FROM scimkit_groups WHERE path_key = ? AND id <> ?", path, id)
	w := &write{entity: "group", version: &g.Version}
	var q string
	if g.Version == 0 {
		q = "INSERT INTO scimkit_groups (" + groupCols + ", path_key) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
		w.args = args([]any{id, b(g.Path), b(g.Name), digest, int64(g.DefaultRole), g.EnforceSSO}, samlArgs(g.SAML), []any{path})
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "group", taken(store.KeyID, "SELECT 1 FROM scimkit_groups WHERE id = ?", id), pathTaken)
		}
	} else {
		q = `UPDATE scimkit_groups SET path = ?, path_key = ?, name = ?, token_digest = ?,
			default_role = ?, enforce_sso = ?, saml_enabled = ?, saml_idp_metadata = ?, saml_sso_url = ?,
			saml_certificate = ?, saml_fingerprint = ?, saml_idp_entity_id = ?, saml_name_id_format = ?,
			version = version + 1 WHERE id = ? AND version = ?
			AND NOT EXISTS (SELECT 1 FROM scimkit_groups o WHERE o.path_key = ? AND o.id <> ?)`
		w.args = args([]any{b(g.Path), path, b(g.Name), digest, int64(g.DefaultRole), g.EnforceSSO},
			samlArgs(g.SAML), []any{id, g.Version, path, id})
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "group", versionOf(g.Version, "SELECT version FROM scimkit_groups WHERE id = ?", id), pathTaken)
		}
	}
	w.main, w.lite = q+" RETURNING id", stmt{q, w.args}
	w.learn = func(kn *known) { kn.group(g) }
	return t.put(ctx, w)
}

// ---- users

// emailKeys returns the distinct stored keys of u's addresses.
func emailKeys(u *store.User) [][]byte {
	emails := u.Emails()
	keys := make([][]byte, 0, len(emails))
	seen := make(map[string]bool, len(emails))
	for _, addr := range emails {
		k := store.Fold(addr)
		if !seen[k] {
			seen[k] = true
			keys = append(keys, indexKey(k))
		}
	}
	return keys
}

// PutUser implements [store.Tx].
func (t *tx) PutUser(ctx context.Context, u *store.User) error {
	if err := t.check(true); err != nil {
		return err
	}
	if u == nil {
		return fmt.Errorf("sqlstore: nil user: %w", store.ErrInvalid)
	}
	if err := validate("user", u.Version, "ID", u.ID, "Username", u.Username, "Email", u.Email); err != nil {
		return err
	}
	for _, e := range u.SecondaryEmails {
		if e.Address == "" {
			return invalid("user", "secondary email Address")
		}
	}
	secondary, err := encodeEmails(u.SecondaryEmails)
	if err != nil {
		return fmt.Errorf("sqlstore: user %q: %w", u.ID, err)
	}
	keys := emailKeys(u)
	id, uname := b(u.ID), foldedKey(u.Username)
	fields := []any{b(u.Username), uname, b(u.Name), b(u.Email), secondary, b(u.ProvisionedByGroup), u.Confirmed, b(string(u.State))}
	probes := func(first probe) []probe {
		ps := []probe{first, taken(store.KeyUsername, "SELECT 1 FROM scimkit_users WHERE username_key = ? AND id <> ?", uname, id)}
		for _, k := range keys {
			ps = append(ps, taken(store.KeyEmail, "SELECT 1 FROM scimkit_user_emails WHERE email_key = ? AND user_id <> ?", k, id))
		}
		return ps
	}
	// Every user has an address (Email is required): keys is not empty.
	var emailRows [][]any
	for _, k := range keys {
		emailRows = append(emailRows, []any{k, id})
	}
	w := &write{entity: "user", version: &u.Version}
	if u.Version == 0 {
		insert := func(held string) string {
			return `INSERT INTO scimkit_users (username, username_key, name, email, secondary_emails, provisioned_by_group,
			confirmed, state, id, version) SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, 1
			WHERE NOT EXISTS (SELECT 1 FROM scimkit_user_emails WHERE ` + held + `)
			ON CONFLICT DO NOTHING`
		}
		if t.s.d.postgres {
			held, heldArgs := t.in("email_key", keys, false)
			w.main = insert(held) + " RETURNING id"
			w.with = []string{"e AS (INSERT INTO scimkit_user_emails (email_key, user_id) SELECT k, s.id FROM s CROSS JOIN unnest(?::bytea[]) AS k)"}
			w.args = args(fields, []any{id}, heldArgs, []any{keys})
		} else {
			held, heldArgs := t.in("email_key", keys, false)
			w.lite = stmt{insert(held), args(fields, []any{id}, heldArgs)}
			w.then = sqliteRows("scimkit_user_emails", "email_key, user_id", "", emailRows)
		}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "user", probes(taken(store.KeyID, "SELECT 1 FROM scimkit_users WHERE id = ?", id))...)
		}
		w.done = func() { t.inserted++ }
		w.sure = func(kn *known) bool {
			return kn.newRow(factKey{kind: kUser, a: u.ID}) && kn.free(factKey{kind: kUsername, a: string(uname)}) &&
				userEmailsFree(kn, keys, "")
		}
		w.learn = func(kn *known) {
			kn.user(u)
			kn.inserted(u.ID)
		}
	} else {
		others, othersArgs := t.in("e.email_key", keys, false)
		notKept, notKeptArgs := t.in("email_key", keys, true)
		update := `UPDATE scimkit_users SET username = ?, username_key = ?, name = ?, email = ?, secondary_emails = ?,
			provisioned_by_group = ?, confirmed = ?, state = ?, version = version + 1
			WHERE id = ? AND version = ?
			AND NOT EXISTS (SELECT 1 FROM scimkit_users o WHERE o.username_key = ? AND o.id <> ?)
			AND NOT EXISTS (SELECT 1 FROM scimkit_user_emails e WHERE ` + others + ` AND e.user_id <> ?)`
		guard := args(fields, []any{id, u.Version, uname, id}, othersArgs, []any{id})
		if t.s.d.postgres {
			w.main = update + " RETURNING id"
			w.with = []string{
				"d AS (DELETE FROM scimkit_user_emails WHERE user_id = ? AND " + notKept + " AND EXISTS (SELECT 1 FROM s))",
				`i AS (INSERT INTO scimkit_user_emails (email_key, user_id) SELECT k, s.id FROM s CROSS JOIN unnest(?::bytea[]) AS k
					ON CONFLICT DO NOTHING)`,
			}
			w.args = args(guard, []any{id}, notKeptArgs, []any{keys})
		} else {
			w.lite = stmt{update, guard}
			w.then = append([]stmt{{"DELETE FROM scimkit_user_emails WHERE user_id = ? AND " + notKept, args([]any{id}, notKeptArgs)}},
				sqliteRows("scimkit_user_emails", "email_key, user_id", " ON CONFLICT DO NOTHING", emailRows)...)
		}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "user", probes(versionOf(u.Version, "SELECT version FROM scimkit_users WHERE id = ?", id))...)
		}
		w.sure = func(kn *known) bool {
			return kn.at(factKey{kind: kUser, a: u.ID}, u.Version) && kn.freeOrOwn(factKey{kind: kUsername, a: string(uname)}, u.ID) &&
				userEmailsFree(kn, keys, u.ID)
		}
		w.learn = func(kn *known) { kn.user(u) }
	}
	return t.put(ctx, w)
}

// userEmailsFree reports whether every one of the email keys is known to
// be free or, with owner set, owner's.
func userEmailsFree(kn *known, keys [][]byte, owner string) bool {
	for _, k := range keys {
		if !kn.freeOrOwn(factKey{kind: kUserEmail, a: string(k)}, owner) {
			return false
		}
	}
	return true
}

// ---- memberships

// PutMembership implements [store.Tx].
func (t *tx) PutMembership(ctx context.Context, m *store.Membership) error {
	if err := t.check(true); err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("sqlstore: nil membership: %w", store.ErrInvalid)
	}
	if err := validate("membership", m.Version, "GroupID", m.GroupID, "UserID", m.UserID); err != nil {
		return err
	}
	g, u := b(m.GroupID), b(m.UserID)
	w := &write{entity: "membership", version: &m.Version}
	var q string
	if m.Version == 0 {
		q = `INSERT INTO scimkit_memberships (group_id, user_id, role, version)
			SELECT ?, ?, ?, 1 WHERE ` + groupExists + ` AND ` + userExists + ` ON CONFLICT DO NOTHING`
		w.args = []any{g, u, int64(m.Role), g, u}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "membership",
				taken(store.KeyMembership, "SELECT 1 FROM scimkit_memberships WHERE group_id = ? AND user_id = ?", g, u),
				missing("SELECT 1 FROM scimkit_groups WHERE id = ?", g), missing("SELECT 1 FROM scimkit_users WHERE id = ?", u))
		}
	} else {
		q = `UPDATE scimkit_memberships SET role = ?, version = version + 1
			WHERE group_id = ? AND user_id = ? AND version = ?`
		w.args = []any{int64(m.Role), g, u, m.Version}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "membership",
				versionOf(m.Version, "SELECT version FROM scimkit_memberships WHERE group_id = ? AND user_id = ?", g, u))
		}
	}
	w.main, w.lite = q+" RETURNING group_id", stmt{q, w.args}
	w.sure = func(kn *known) bool {
		if m.Version > 0 {
			return kn.at(factKey{kind: kMember, a: m.GroupID, b: m.UserID}, m.Version)
		}
		return refsKnown(kn, m.GroupID, m.UserID) && kn.free(factKey{kind: kMember, a: m.GroupID, b: m.UserID})
	}
	w.learn = func(kn *known) { kn.member(m) }
	return t.put(ctx, w)
}

// refsKnown reports whether group groupID and user userID are known to
// exist.
func refsKnown(kn *known, groupID, userID string) bool {
	return kn.present(factKey{kind: kGroup, a: groupID}) && kn.present(factKey{kind: kUser, a: userID})
}

// DeleteMembership implements [store.Tx].
func (t *tx) DeleteMembership(ctx context.Context, groupID, userID string) error {
	return t.deleteOf(ctx, "membership", "membership of user in group", "scimkit_memberships", kMember, groupID, userID)
}

// deleteOf deletes the row of table keyed (group_id, user_id), a row of
// kind, or returns ErrNotFound naming what.
func (t *tx) deleteOf(ctx context.Context, entity, what, table string, kind factKind, groupID, userID string) error {
	if err := t.check(true); err != nil {
		return err
	}
	q := "DELETE FROM " + table + " WHERE group_id = ? AND user_id = ?"
	a := []any{b(groupID), b(userID)}
	k := factKey{kind: kind, a: groupID, b: userID}
	return t.put(ctx, &write{entity: entity, main: q + " RETURNING group_id", args: a, lite: stmt{q, a},
		diagnose: func(context.Context) error { return notFound(what, groupID+"/"+userID) },
		sure:     func(kn *known) bool { return kn.present(k) },
		learn:    func(kn *known) { kn.gone(k) }})
}

// ---- SAML identities

// PutSAMLIdentity implements [store.Tx].
func (t *tx) PutSAMLIdentity(ctx context.Context, s *store.SAMLIdentity) error {
	if err := t.check(true); err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("sqlstore: nil SAML identity: %w", store.ErrInvalid)
	}
	if err := validate("SAML identity", s.Version, "GroupID", s.GroupID, "UserID", s.UserID, "ExternUID", s.ExternUID); err != nil {
		return err
	}
	g, u, key := b(s.GroupID), b(s.UserID), foldedKey(s.ExternUID)
	externTaken := taken(store.KeyExternUID, "SELECT 1 FROM scimkit_saml_identities WHERE group_id = ? AND extern_uid_key = ? AND user_id <> ?", g, key, u)
	w := &write{entity: "saml_identity", version: &s.Version}
	var q string
	if s.Version == 0 {
		q = `INSERT INTO scimkit_saml_identities (group_id, user_id, extern_uid, extern_uid_key, version)
			SELECT ?, ?, ?, ?, 1 WHERE ` + groupExists + ` AND ` + userExists + ` ON CONFLICT DO NOTHING`
		w.args = []any{g, u, b(s.ExternUID), key, g, u}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "saml_identity",
				taken(store.KeySAMLIdentityUser, "SELECT 1 FROM scimkit_saml_identities WHERE group_id = ? AND user_id = ?", g, u),
				externTaken,
				missing("SELECT 1 FROM scimkit_groups WHERE id = ?", g), missing("SELECT 1 FROM scimkit_users WHERE id = ?", u))
		}
	} else {
		q = `UPDATE scimkit_saml_identities SET extern_uid = ?, extern_uid_key = ?, version = version + 1
			WHERE group_id = ? AND user_id = ? AND version = ?
			AND NOT EXISTS (SELECT 1 FROM scimkit_saml_identities o WHERE o.group_id = ? AND o.extern_uid_key = ? AND o.user_id <> ?)`
		w.args = []any{b(s.ExternUID), key, g, u, s.Version, g, key, u}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "saml_identity",
				versionOf(s.Version, "SELECT version FROM scimkit_saml_identities WHERE group_id = ? AND user_id = ?", g, u), externTaken)
		}
	}
	w.main, w.lite = q+" RETURNING group_id", stmt{q, w.args}
	w.sure = func(kn *known) bool {
		extern := factKey{kind: kSAMLExtern, a: s.GroupID, b: string(key)}
		if s.Version > 0 {
			return kn.at(factKey{kind: kSAML, a: s.GroupID, b: s.UserID}, s.Version) && kn.freeOrOwn(extern, s.UserID)
		}
		return refsKnown(kn, s.GroupID, s.UserID) && kn.free(factKey{kind: kSAML, a: s.GroupID, b: s.UserID}) && kn.free(extern)
	}
	w.learn = func(kn *known) { kn.saml(s) }
	return t.put(ctx, w)
}

// DeleteSAMLIdentity implements [store.Tx].
func (t *tx) DeleteSAMLIdentity(ctx context.Context, groupID, userID string) error {
	return t.deleteOf(ctx, "saml_identity", "SAML identity of user", "scimkit_saml_identities", kSAML, groupID, userID)
}

// ---- SCIM identities

// PutSCIMIdentity implements [store.Tx].
func (t *tx) PutSCIMIdentity(ctx context.Context, s *store.SCIMIdentity) error {
	if err := t.check(true); err != nil {
		return err
	}
	if s == nil {
		return fmt.Errorf("sqlstore: nil SCIM identity: %w", store.ErrInvalid)
	}
	if err := validate("SCIM identity", s.Version, "ID", s.ID, "GroupID", s.GroupID, "UserID", s.UserID, "ExternUID", s.ExternUID); err != nil {
		return err
	}
	doc, err := encodeDocument(s.Document)
	if err != nil {
		return fmt.Errorf("sqlstore: SCIM identity %q: %w: %w", s.ID, store.ErrInvalid, err)
	}
	ix := indexDocument(s.Document)
	cs, cn := toUnix(s.Created)
	us, un := toUnix(s.Updated)
	id, g, u, ekey := b(s.ID), b(s.GroupID), b(s.UserID), foldedKey(s.ExternUID)
	keys := make([][]byte, len(ix.emails))
	for i, k := range ix.emails {
		keys[i] = indexKey(k)
	}
	probes := []probe{
		taken(store.KeyExternUID, "SELECT 1 FROM scimkit_scim_identities WHERE group_id = ? AND extern_uid_key = ? AND id <> ?", g, ekey, id),
		taken(store.KeySCIMIdentityUser, "SELECT 1 FROM scimkit_scim_identities WHERE group_id = ? AND user_id = ? AND id <> ?", g, u, id),
	}
	w := &write{entity: "scim_identity", version: &s.Version}
	// The rows of the document's emails, and the userName claim, go with
	// the identity's row: on PostgreSQL in the same statement.
	var withArgs []any
	if claim, claimArgs := t.claimFor(s, ix.userName); claim != "" {
		w.with = append(w.with, claim)
		withArgs = append(withArgs, claimArgs...)
	}
	if s.Version == 0 {
		insert := `INSERT INTO scimkit_scim_identities (id, group_id, user_id, extern_uid, extern_uid_key, user_name_key,
			active, deleted, document, version, created_s, created_ns, updated_s, updated_ns)
			SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ? WHERE ` + groupExists + ` AND ` + userExists + ` ON CONFLICT DO NOTHING`
		row := []any{id, g, u, b(s.ExternUID), ekey, ix.userName, s.Active, s.Deleted, doc, cs, cn, us, un, g, u}
		if t.s.d.postgres {
			if len(keys) > 0 {
				w.with = append(w.with, `e AS (INSERT INTO scimkit_scim_emails (identity_id, group_id, value_key)
					SELECT s.id, ?, k FROM s CROSS JOIN unnest(?::bytea[]) AS k)`)
				withArgs = append(withArgs, g, keys)
			}
			w.main, w.args = insert+" RETURNING id", args(row, withArgs)
		} else {
			w.lite = stmt{insert, row}
			w.then = sqliteEmailRows(id, g, keys, "")
		}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "scim_identity", append(append([]probe{
				taken(store.KeyID, "SELECT 1 FROM scimkit_scim_identities WHERE id = ?", id)}, probes...),
				missing("SELECT 1 FROM scimkit_groups WHERE id = ?", g), missing("SELECT 1 FROM scimkit_users WHERE id = ?", u))...)
		}
		w.done = func() {
			t.inserted++
			t.noteWrite(s, ix.userName)
		}
		w.sure = func(kn *known) bool {
			return kn.newRow(factKey{kind: kSCIM, a: s.ID}) && refsKnown(kn, s.GroupID, s.UserID) &&
				kn.free(factKey{kind: kSCIMExtern, a: s.GroupID, b: string(ekey)}) &&
				kn.free(factKey{kind: kSCIMUser, a: s.GroupID, b: s.UserID})
		}
	} else {
		update := `UPDATE scimkit_scim_identities SET user_id = ?, extern_uid = ?, extern_uid_key = ?, user_name_key = ?,
			active = ?, deleted = ?, document = ?, version = version + 1, created_s = ?, created_ns = ?, updated_s = ?, updated_ns = ?
			WHERE id = ? AND group_id = ? AND version = ?
			AND NOT EXISTS (SELECT 1 FROM scimkit_scim_identities o WHERE o.group_id = ? AND o.extern_uid_key = ? AND o.id <> ?)
			AND NOT EXISTS (SELECT 1 FROM scimkit_scim_identities o WHERE o.group_id = ? AND o.user_id = ? AND o.id <> ?)
			AND ` + userExists
		row := []any{u, b(s.ExternUID), ekey, ix.userName, s.Active, s.Deleted, doc, cs, cn, us, un, id, g, s.Version, g, ekey, id, g, u, id, u}
		if t.s.d.postgres {
			var slots slotSet
			t.memberSlot(&slots, s)
			if c, cArgs := claimClause("cm", slots); c != "" {
				w.with = append(w.with, c)
				withArgs = append(withArgs, cArgs...)
			}
			notKept, notKeptArgs := t.in("value_key", keys, true)
			w.with = append(w.with, "d AS (DELETE FROM scimkit_scim_emails WHERE identity_id = ? AND "+notKept+" AND EXISTS (SELECT 1 FROM s))")
			withArgs = append(withArgs, args([]any{id}, notKeptArgs)...)
			if len(keys) > 0 {
				w.with = append(w.with, `i AS (INSERT INTO scimkit_scim_emails (identity_id, group_id, value_key)
					SELECT s.id, ?, k FROM s CROSS JOIN unnest(?::bytea[]) AS k ON CONFLICT DO NOTHING)`)
				withArgs = append(withArgs, g, keys)
			}
			w.main, w.args = update+" RETURNING id", args(row, withArgs)
		} else {
			w.lite = stmt{update, row}
			if len(keys) > maxInlineKeys {
				w.follow = func(ctx context.Context) error { return t.syncEmails(ctx, id, g, keys) }
			} else {
				notKept, notKeptArgs := t.in("value_key", keys, true)
				w.then = append([]stmt{{"DELETE FROM scimkit_scim_emails WHERE identity_id = ? AND " + notKept, args([]any{id}, notKeptArgs)}},
					sqliteEmailRows(id, g, keys, " ON CONFLICT DO NOTHING")...)
			}
		}
		w.diagnose = func(ctx context.Context) error {
			var group []byte
			err := t.queryRow(ctx, "SELECT group_id FROM scimkit_scim_identities WHERE id = ?", id).Scan(&group)
			if err == nil && string(group) != s.GroupID {
				return fmt.Errorf("sqlstore: SCIM identity %q belongs to another group: %w", s.ID, store.ErrInvalid)
			}
			return t.diagnose(ctx, "scim_identity", append(append([]probe{
				versionOf(s.Version, "SELECT version FROM scimkit_scim_identities WHERE id = ?", id)}, probes...),
				missing("SELECT 1 FROM scimkit_users WHERE id = ?", u))...)
		}
		w.done = func() { t.noteWrite(s, ix.userName) }
		w.sure = func(kn *known) bool {
			f := kn.facts[factKey{kind: kSCIM, a: s.ID}]
			return f.present && f.version == s.Version && f.owner == s.GroupID &&
				kn.present(factKey{kind: kUser, a: s.UserID}) &&
				kn.freeOrOwn(factKey{kind: kSCIMExtern, a: s.GroupID, b: string(ekey)}, s.ID) &&
				kn.freeOrOwn(factKey{kind: kSCIMUser, a: s.GroupID, b: s.UserID}, s.ID)
		}
	}
	w.learn = func(kn *known) { kn.scim(s) }
	return t.put(ctx, w)
}

// syncEmails brings the email index rows of identity id (group g) on
// SQLite to keys, a large set (more than maxInlineKeys): it reads the rows
// there and deletes and inserts only the difference, so that an update of
// a user with tens of thousands of emails that leaves them as they were (a
// PATCH of its title) holds the one writer for a read, not for rewriting
// every row.
func (t *tx) syncEmails(ctx context.Context, id, g []byte, keys [][]byte) error {
	rows, err := t.query(ctx, "SELECT value_key FROM scimkit_scim_emails WHERE identity_id = ?", id)
	if err != nil {
		return t.fail("read emails of scim_identity", err)
	}
	had := make(map[string]bool)
	for rows.Next() {
		var k []byte
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return t.fail("read emails of scim_identity", err)
		}
		had[string(k)] = false
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return t.fail("read emails of scim_identity", err)
	}
	var added, removed [][]byte
	for _, k := range keys {
		kept, ok := had[string(k)]
		switch {
		case !ok:
			added = append(added, k)
			had[string(k)] = true // a key listed twice is added once
		case !kept:
			had[string(k)] = true
		}
	}
	for k, kept := range had {
		if !kept {
			removed = append(removed, []byte(k))
		}
	}
	var stmts []stmt
	if len(removed) > 0 {
		in, inArgs := t.in("value_key", removed, false)
		stmts = append(stmts, stmt{"DELETE FROM scimkit_scim_emails WHERE identity_id = ? AND " + in, args([]any{id}, inArgs)})
	}
	stmts = append(stmts, sqliteEmailRows(id, g, added, " ON CONFLICT DO NOTHING")...)
	return t.then(ctx, "scim_identity", stmts...)
}

// prefixed returns WITH clauses to follow a first one: ", a AS (...), ...".
func prefixed(with []string) string {
	if len(with) == 0 {
		return ""
	}
	return ", " + strings.Join(with, ", ")
}

// ---- the SAML service-provider key pair

// PutSAMLKey implements [store.Tx].
func (t *tx) PutSAMLKey(ctx context.Context, k *store.SAMLKey) error {
	if err := t.check(true); err != nil {
		return err
	}
	if k == nil || len(k.PrivateKey) == 0 || len(k.Certificate) == 0 {
		return invalid("SAML key", "PrivateKey and Certificate")
	}
	if k.Version < 0 {
		return invalid("SAML key", "a non-negative Version")
	}
	w := &write{entity: "saml_key", version: &k.Version}
	var q string
	if k.Version == 0 {
		q = "INSERT INTO scimkit_saml_keys (id, private_key, certificate, version) VALUES (1, ?, ?, 1) ON CONFLICT DO NOTHING"
		w.args = []any{k.PrivateKey, k.Certificate}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "saml_key", taken(store.KeyID, "SELECT 1 FROM scimkit_saml_keys WHERE id = 1"))
		}
	} else {
		q = "UPDATE scimkit_saml_keys SET private_key = ?, certificate = ?, version = version + 1 WHERE id = 1 AND version = ?"
		w.args = []any{k.PrivateKey, k.Certificate, k.Version}
		w.diagnose = func(ctx context.Context) error {
			return t.diagnose(ctx, "saml_key", versionOf(k.Version, "SELECT version FROM scimkit_saml_keys WHERE id = 1"))
		}
	}
	w.main, w.lite = q+" RETURNING id", stmt{q, w.args}
	return t.put(ctx, w)
}
