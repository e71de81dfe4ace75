package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/scimkit/scimkit/store"
)

// tx is the [store.Tx] of one database transaction.
type tx struct {
	s        *Store
	sql      *sql.Tx
	readOnly bool
	done     bool
	// retry is the first serialization failure, deadlock or busy error a
	// statement met: the transaction is doomed and Update runs fn again,
	// whatever fn made of the error.
	retry error
	sp    int // savepoint counter
}

var (
	_ store.Tx                 = (*tx)(nil)
	_ store.SCIMIdentityLister = (*tx)(nil)
)

// b converts a string to the bytes bound to a BLOB/bytea column.
func b(s string) []byte { return []byte(s) }

func (t *tx) check(write bool) error {
	if t.done {
		return store.ErrTxDone
	}
	if write && t.readOnly {
		return store.ErrReadOnly
	}
	return nil
}

// fail wraps a database error of operation op, noting retryable ones.
func (t *tx) fail(op string, err error) error {
	switch t.s.d.classify(err) {
	case classRetry:
		if t.retry == nil {
			t.retry = err
		}
	case classUnavailable:
		return fmt.Errorf("sqlstore: %s: %w", op, t.s.d.wrap(err))
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return t.sql.ExecContext(ctx, t.s.d.rebind(q), args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return t.sql.QueryContext(ctx, t.s.d.rebind(q), args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return t.sql.QueryRowContext(ctx, t.s.d.rebind(q), args...)
}

// savepoint runs fn so that a failing fn leaves no trace in the
// transaction (a failed Put changes nothing, and on PostgreSQL the
// transaction stays usable after a unique violation).
func (t *tx) savepoint(ctx context.Context, fn func() error) error {
	t.sp++
	name := fmt.Sprintf("scimkit_sp%d", t.sp)
	if _, err := t.sql.ExecContext(ctx, "SAVEPOINT "+name); err != nil {
		return t.fail("savepoint", err)
	}
	err := fn()
	if err != nil {
		if t.retry == nil && !errors.Is(err, ErrUnavailable) {
			if _, rerr := t.sql.ExecContext(ctx, "ROLLBACK TO SAVEPOINT "+name); rerr != nil {
				return t.fail("rollback to savepoint", rerr)
			}
			if _, rerr := t.sql.ExecContext(ctx, "RELEASE SAVEPOINT "+name); rerr != nil {
				return t.fail("release savepoint", rerr)
			}
		}
		return err
	}
	if _, err := t.sql.ExecContext(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return t.fail("release savepoint", err)
	}
	return nil
}

// writeErr maps the error of a write to entity: unique violations become
// a *store.ConflictError naming the key (picked by keyOf from the index
// that refused it), foreign key violations store.ErrNotFound.
func (t *tx) writeErr(entity string, err error, keyOf func(index string) string) error {
	switch t.s.d.classify(err) {
	case classForeignKey:
		return fmt.Errorf("sqlstore: %s refers to a missing group or user: %w", entity, store.ErrNotFound)
	case classUnique:
		// The message names the index (PostgreSQL: the constraint).
		return &store.ConflictError{Entity: entity, Key: keyOf(err.Error())}
	}
	return t.fail("write "+entity, err)
}

// keyCheck is a query that finds a row, other than the one being written,
// holding one of an entity's unique keys.
type keyCheck struct {
	key  string
	q    string
	args []any
}

func check(key, q string, args ...any) keyCheck { return keyCheck{key, q, args} }

// put runs an entity's write statements in a savepoint. When a unique index
// refuses them, the checks (in order: the entity's own key first) find the
// key that is taken among the rows this transaction sees. If none is
// visible, the clashing row was committed by a concurrent transaction after
// this one took its snapshot: not a conflict fn could have seen, but a
// serialization failure, and the unit runs again (PostgreSQL; on SQLite a
// writer sees every committed row).
func (t *tx) put(ctx context.Context, entity string, write func() error, checks ...keyCheck) error {
	err := t.savepoint(ctx, write)
	var ce *store.ConflictError
	if err == nil || t.retry != nil || !errors.As(err, &ce) {
		return err
	}
	for _, c := range checks {
		var one int
		cerr := t.queryRow(ctx, c.q, c.args...).Scan(&one)
		if cerr == nil {
			return &store.ConflictError{Entity: entity, Key: c.key}
		}
		if !errors.Is(cerr, sql.ErrNoRows) {
			return t.fail("check "+entity+" keys", cerr)
		}
	}
	if t.s.d.postgres {
		t.retry = errConcurrentWrite
		return fmt.Errorf("sqlstore: write %s: %w", entity, errConcurrentWrite)
	}
	return err
}

// notFound is the error of a lookup that found nothing.
func notFound(what string, key string) error {
	return fmt.Errorf("sqlstore: %s %q: %w", what, key, store.ErrNotFound)
}

// versionErr explains why an UPDATE ... WHERE version = ? changed no row.
func (t *tx) versionErr(ctx context.Context, entity, q string, args ...any) error {
	var v int64
	err := t.queryRow(ctx, q, args...).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlstore: %s: %w", entity, store.ErrNotFound)
	}
	if err != nil {
		return t.fail("read "+entity+" version", err)
	}
	return fmt.Errorf("sqlstore: %s is at version %d: %w", entity, v, store.ErrVersionMismatch)
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

// ---- groups

const groupCols = "id, path, name, token_digest, default_role, enforce_sso, version"

func scanGroup(row interface{ Scan(...any) error }) (*store.Group, error) {
	g := &store.Group{}
	var role int64
	if err := row.Scan(&g.ID, &g.Path, &g.Name, &g.TokenDigest, &role, &g.EnforceSSO, &g.Version); err != nil {
		return nil, err
	}
	g.DefaultRole = store.Role(role)
	return g, nil
}

func (t *tx) group(ctx context.Context, what, where, label string, arg []byte) (*store.Group, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	g, err := scanGroup(t.queryRow(ctx, "SELECT "+groupCols+" FROM scimkit_groups WHERE "+where+" = ?", arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read group", err)
	}
	return g, nil
}

// Group implements [store.Tx].
func (t *tx) Group(ctx context.Context, id string) (*store.Group, error) {
	return t.group(ctx, "group", "id", id, b(id))
}

// GroupByPath implements [store.Tx].
func (t *tx) GroupByPath(ctx context.Context, path string) (*store.Group, error) {
	return t.group(ctx, "group with path", "path_key", path, foldedKey(path))
}

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
	keyOf := func(index string) string {
		if strings.Contains(index, "path_key") {
			return store.KeyGroupPath
		}
		return store.KeyID
	}
	var digest []byte
	if g.TokenDigest != nil {
		digest = append([]byte{}, g.TokenDigest...)
	}
	var ids []keyCheck
	if g.Version == 0 {
		ids = append(ids, check(store.KeyID, "SELECT 1 FROM scimkit_groups WHERE id = ?", b(g.ID)))
	}
	err := t.put(ctx, "group", func() error {
		if g.Version == 0 {
			_, err := t.exec(ctx, "INSERT INTO scimkit_groups ("+groupCols+", path_key) VALUES (?, ?, ?, ?, ?, ?, 1, ?)",
				b(g.ID), b(g.Path), b(g.Name), digest, int64(g.DefaultRole), g.EnforceSSO, foldedKey(g.Path))
			if err != nil {
				return t.writeErr("group", err, keyOf)
			}
			return nil
		}
		res, err := t.exec(ctx, `UPDATE scimkit_groups SET path = ?, path_key = ?, name = ?, token_digest = ?,
			default_role = ?, enforce_sso = ?, version = version + 1 WHERE id = ? AND version = ?`,
			b(g.Path), foldedKey(g.Path), b(g.Name), digest, int64(g.DefaultRole), g.EnforceSSO, b(g.ID), g.Version)
		if err != nil {
			return t.writeErr("group", err, keyOf)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return t.versionErr(ctx, "group", "SELECT version FROM scimkit_groups WHERE id = ?", b(g.ID))
		}
		return nil
	}, append(ids,
		check(store.KeyGroupPath, "SELECT 1 FROM scimkit_groups WHERE path_key = ? AND id <> ?", foldedKey(g.Path), b(g.ID)))...)
	if err != nil {
		return err
	}
	g.Version++
	return nil
}

// ---- users

const userCols = "u.id, u.username, u.name, u.email, u.secondary_emails, u.provisioned_by_group, u.confirmed, u.state, u.version"

func scanUser(row interface{ Scan(...any) error }) (*store.User, error) {
	u := &store.User{}
	var emails []byte
	var state string
	if err := row.Scan(&u.ID, &u.Username, &u.Name, &u.Email, &emails, &u.ProvisionedByGroup, &u.Confirmed, &state, &u.Version); err != nil {
		return nil, err
	}
	u.State = store.UserState(state)
	var err error
	u.SecondaryEmails, err = decodeEmails(emails)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: user %q: %w", u.ID, err)
	}
	return u, nil
}

func (t *tx) user(ctx context.Context, what, q, label string, arg []byte) (*store.User, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	u, err := scanUser(t.queryRow(ctx, q, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read user", err)
	}
	return u, nil
}

// User implements [store.Tx].
func (t *tx) User(ctx context.Context, id string) (*store.User, error) {
	return t.user(ctx, "user", "SELECT "+userCols+" FROM scimkit_users u WHERE u.id = ?", id, b(id))
}

// UserByUsername implements [store.Tx].
func (t *tx) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	return t.user(ctx, "user with username", "SELECT "+userCols+" FROM scimkit_users u WHERE u.username_key = ?", username, foldedKey(username))
}

// UserByEmail implements [store.Tx].
func (t *tx) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	return t.user(ctx, "user with email",
		"SELECT "+userCols+" FROM scimkit_user_emails e JOIN scimkit_users u ON u.id = e.user_id WHERE e.email_key = ?",
		email, foldedKey(email))
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
	keyOf := func(index string) string {
		switch {
		case strings.Contains(index, "username_key"):
			return store.KeyUsername
		case strings.Contains(index, "user_emails"):
			return store.KeyEmail
		}
		return store.KeyID
	}
	emails, err := encodeEmails(u.SecondaryEmails)
	if err != nil {
		return fmt.Errorf("sqlstore: user %q: %w", u.ID, err)
	}
	var ids []keyCheck
	if u.Version == 0 {
		ids = append(ids, check(store.KeyID, "SELECT 1 FROM scimkit_users WHERE id = ?", b(u.ID)))
	}
	ids = append(ids, check(store.KeyUsername, "SELECT 1 FROM scimkit_users WHERE username_key = ? AND id <> ?",
		foldedKey(u.Username), b(u.ID)))
	for _, addr := range u.Emails() {
		ids = append(ids, check(store.KeyEmail, "SELECT 1 FROM scimkit_user_emails WHERE email_key = ? AND user_id <> ?",
			foldedKey(addr), b(u.ID)))
	}
	err = t.put(ctx, "user", func() error {
		if u.Version == 0 {
			_, err := t.exec(ctx, `INSERT INTO scimkit_users (id, username, username_key, name, email, secondary_emails,
				provisioned_by_group, confirmed, state, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
				b(u.ID), b(u.Username), foldedKey(u.Username), b(u.Name), b(u.Email), emails,
				b(u.ProvisionedByGroup), u.Confirmed, b(string(u.State)))
			if err != nil {
				return t.writeErr("user", err, keyOf)
			}
		} else {
			res, err := t.exec(ctx, `UPDATE scimkit_users SET username = ?, username_key = ?, name = ?, email = ?,
				secondary_emails = ?, provisioned_by_group = ?, confirmed = ?, state = ?, version = version + 1
				WHERE id = ? AND version = ?`,
				b(u.Username), foldedKey(u.Username), b(u.Name), b(u.Email), emails,
				b(u.ProvisionedByGroup), u.Confirmed, b(string(u.State)), b(u.ID), u.Version)
			if err != nil {
				return t.writeErr("user", err, keyOf)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return t.versionErr(ctx, "user", "SELECT version FROM scimkit_users WHERE id = ?", b(u.ID))
			}
			if _, err := t.exec(ctx, "DELETE FROM scimkit_user_emails WHERE user_id = ?", b(u.ID)); err != nil {
				return t.fail("write user emails", err)
			}
		}
		seen := make(map[string]bool, 1+len(u.SecondaryEmails))
		for _, addr := range u.Emails() {
			k := store.Fold(addr)
			if seen[k] {
				continue
			}
			seen[k] = true
			if _, err := t.exec(ctx, "INSERT INTO scimkit_user_emails (email_key, user_id) VALUES (?, ?)", indexKey(k), b(u.ID)); err != nil {
				return t.writeErr("user", err, keyOf)
			}
		}
		return nil
	}, ids...)
	if err != nil {
		return err
	}
	u.Version++
	return nil
}

// ---- memberships

// Membership implements [store.Tx].
func (t *tx) Membership(ctx context.Context, groupID, userID string) (*store.Membership, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	m := &store.Membership{GroupID: groupID, UserID: userID}
	var role int64
	err := t.queryRow(ctx, "SELECT role, version FROM scimkit_memberships WHERE group_id = ? AND user_id = ?",
		b(groupID), b(userID)).Scan(&role, &m.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("membership of user in group", groupID+"/"+userID)
	}
	if err != nil {
		return nil, t.fail("read membership", err)
	}
	m.Role = store.Role(role)
	return m, nil
}

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
	keyOf := func(string) string { return store.KeyMembership }
	err := t.put(ctx, "membership", func() error {
		if m.Version == 0 {
			_, err := t.exec(ctx, "INSERT INTO scimkit_memberships (group_id, user_id, role, version) VALUES (?, ?, ?, 1)",
				b(m.GroupID), b(m.UserID), int64(m.Role))
			if err != nil {
				return t.writeErr("membership", err, keyOf)
			}
			return nil
		}
		res, err := t.exec(ctx, `UPDATE scimkit_memberships SET role = ?, version = version + 1
			WHERE group_id = ? AND user_id = ? AND version = ?`, int64(m.Role), b(m.GroupID), b(m.UserID), m.Version)
		if err != nil {
			return t.writeErr("membership", err, keyOf)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return t.versionErr(ctx, "membership", "SELECT version FROM scimkit_memberships WHERE group_id = ? AND user_id = ?",
				b(m.GroupID), b(m.UserID))
		}
		return nil
	}, check(store.KeyMembership, "SELECT 1 FROM scimkit_memberships WHERE group_id = ? AND user_id = ?", b(m.GroupID), b(m.UserID)))
	if err != nil {
		return err
	}
	m.Version++
	return nil
}

// DeleteMembership implements [store.Tx].
func (t *tx) DeleteMembership(ctx context.Context, groupID, userID string) error {
	if err := t.check(true); err != nil {
		return err
	}
	res, err := t.exec(ctx, "DELETE FROM scimkit_memberships WHERE group_id = ? AND user_id = ?", b(groupID), b(userID))
	if err != nil {
		return t.fail("delete membership", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return notFound("membership of user in group", groupID+"/"+userID)
	}
	return nil
}

// CountMembers implements [store.Tx].
func (t *tx) CountMembers(ctx context.Context, groupID string, role store.Role) (int, error) {
	if err := t.check(false); err != nil {
		return 0, err
	}
	var n int
	err := t.queryRow(ctx, "SELECT COUNT(*) FROM scimkit_memberships WHERE group_id = ? AND role = ?",
		b(groupID), int64(role)).Scan(&n)
	if err != nil {
		return 0, t.fail("count members", err)
	}
	return n, nil
}

// ---- SAML identities

func (t *tx) samlIdentity(ctx context.Context, what, where, groupID, label string, arg []byte) (*store.SAMLIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	s := &store.SAMLIdentity{}
	err := t.queryRow(ctx, "SELECT group_id, user_id, extern_uid, version FROM scimkit_saml_identities WHERE group_id = ? AND "+where+" = ?",
		b(groupID), arg).Scan(&s.GroupID, &s.UserID, &s.ExternUID, &s.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read SAML identity", err)
	}
	return s, nil
}

// SAMLIdentityByExternUID implements [store.Tx].
func (t *tx) SAMLIdentityByExternUID(ctx context.Context, groupID, externUID string) (*store.SAMLIdentity, error) {
	return t.samlIdentity(ctx, "SAML identity with extern_uid", "extern_uid_key", groupID, externUID, foldedKey(externUID))
}

// SAMLIdentityByUser implements [store.Tx].
func (t *tx) SAMLIdentityByUser(ctx context.Context, groupID, userID string) (*store.SAMLIdentity, error) {
	return t.samlIdentity(ctx, "SAML identity of user", "user_id", groupID, userID, b(userID))
}

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
	keyOf := func(index string) string {
		if strings.Contains(index, "extern_uid") {
			return store.KeyExternUID
		}
		return store.KeySAMLIdentityUser
	}
	var ids []keyCheck
	if s.Version == 0 {
		ids = append(ids, check(store.KeySAMLIdentityUser, "SELECT 1 FROM scimkit_saml_identities WHERE group_id = ? AND user_id = ?",
			b(s.GroupID), b(s.UserID)))
	}
	err := t.put(ctx, "saml_identity", func() error {
		if s.Version == 0 {
			_, err := t.exec(ctx, `INSERT INTO scimkit_saml_identities (group_id, user_id, extern_uid, extern_uid_key, version)
				VALUES (?, ?, ?, ?, 1)`, b(s.GroupID), b(s.UserID), b(s.ExternUID), foldedKey(s.ExternUID))
			if err != nil {
				return t.writeErr("saml_identity", err, keyOf)
			}
			return nil
		}
		res, err := t.exec(ctx, `UPDATE scimkit_saml_identities SET extern_uid = ?, extern_uid_key = ?, version = version + 1
			WHERE group_id = ? AND user_id = ? AND version = ?`,
			b(s.ExternUID), foldedKey(s.ExternUID), b(s.GroupID), b(s.UserID), s.Version)
		if err != nil {
			return t.writeErr("saml_identity", err, keyOf)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return t.versionErr(ctx, "SAML identity", "SELECT version FROM scimkit_saml_identities WHERE group_id = ? AND user_id = ?",
				b(s.GroupID), b(s.UserID))
		}
		return nil
	}, append(ids, check(store.KeyExternUID,
		"SELECT 1 FROM scimkit_saml_identities WHERE group_id = ? AND extern_uid_key = ? AND user_id <> ?",
		b(s.GroupID), foldedKey(s.ExternUID), b(s.UserID)))...)
	if err != nil {
		return err
	}
	s.Version++
	return nil
}

// DeleteSAMLIdentity implements [store.Tx].
func (t *tx) DeleteSAMLIdentity(ctx context.Context, groupID, userID string) error {
	if err := t.check(true); err != nil {
		return err
	}
	res, err := t.exec(ctx, "DELETE FROM scimkit_saml_identities WHERE group_id = ? AND user_id = ?", b(groupID), b(userID))
	if err != nil {
		return t.fail("delete SAML identity", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return notFound("SAML identity of user", groupID+"/"+userID)
	}
	return nil
}

// ---- SCIM identities

const scimCols = "s.id, s.group_id, s.user_id, s.extern_uid, s.active, s.deleted, s.document, s.version, s.created_s, s.created_ns, s.updated_s, s.updated_ns"

func scanSCIM(row interface{ Scan(...any) error }) (*store.SCIMIdentity, error) {
	s := &store.SCIMIdentity{}
	var doc []byte
	var cs, cn, us, un int64
	if err := row.Scan(&s.ID, &s.GroupID, &s.UserID, &s.ExternUID, &s.Active, &s.Deleted, &doc, &s.Version, &cs, &cn, &us, &un); err != nil {
		return nil, err
	}
	s.Created = fromUnix(cs, cn)
	s.Updated = fromUnix(us, un)
	var err error
	s.Document, err = decodeDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: SCIM identity %q: %w", s.ID, err)
	}
	return s, nil
}

func (t *tx) scimIdentity(ctx context.Context, what, where, groupID, label string, arg []byte) (*store.SCIMIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	s, err := scanSCIM(t.queryRow(ctx, "SELECT "+scimCols+" FROM scimkit_scim_identities s WHERE s.group_id = ? AND "+where+" = ?",
		b(groupID), arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read SCIM identity", err)
	}
	return s, nil
}

// SCIMIdentity implements [store.Tx].
func (t *tx) SCIMIdentity(ctx context.Context, groupID, id string) (*store.SCIMIdentity, error) {
	return t.scimIdentity(ctx, "SCIM identity", "s.id", groupID, id, b(id))
}

// SCIMIdentityByExternUID implements [store.Tx].
func (t *tx) SCIMIdentityByExternUID(ctx context.Context, groupID, externUID string) (*store.SCIMIdentity, error) {
	return t.scimIdentity(ctx, "SCIM identity with extern_uid", "s.extern_uid_key", groupID, externUID, foldedKey(externUID))
}

// SCIMIdentityByUser implements [store.Tx].
func (t *tx) SCIMIdentityByUser(ctx context.Context, groupID, userID string) (*store.SCIMIdentity, error) {
	return t.scimIdentity(ctx, "SCIM identity of user", "s.user_id", groupID, userID, b(userID))
}

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
	keyOf := func(index string) string {
		switch {
		case strings.Contains(index, "extern_uid"):
			return store.KeyExternUID
		case strings.Contains(index, "identities_user"), strings.Contains(index, "identities.user_id"):
			return store.KeySCIMIdentityUser
		}
		return store.KeyID
	}
	doc, err := encodeDocument(s.Document)
	if err != nil {
		return fmt.Errorf("sqlstore: SCIM identity %q: %w: %w", s.ID, store.ErrInvalid, err)
	}
	ix := indexDocument(s.Document)
	cs, cn := toUnix(s.Created)
	us, un := toUnix(s.Updated)
	var ids []keyCheck
	if s.Version == 0 {
		ids = append(ids, check(store.KeyID, "SELECT 1 FROM scimkit_scim_identities WHERE id = ?", b(s.ID)))
	}
	ids = append(ids,
		check(store.KeyExternUID, "SELECT 1 FROM scimkit_scim_identities WHERE group_id = ? AND extern_uid_key = ? AND id <> ?",
			b(s.GroupID), foldedKey(s.ExternUID), b(s.ID)),
		check(store.KeySCIMIdentityUser, "SELECT 1 FROM scimkit_scim_identities WHERE group_id = ? AND user_id = ? AND id <> ?",
			b(s.GroupID), b(s.UserID), b(s.ID)))
	err = t.put(ctx, "scim_identity", func() error {
		if s.Version == 0 {
			_, err := t.exec(ctx, `INSERT INTO scimkit_scim_identities (id, group_id, user_id, extern_uid, extern_uid_key,
				user_name_key, active, deleted, document, version, created_s, created_ns, updated_s, updated_ns)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
				b(s.ID), b(s.GroupID), b(s.UserID), b(s.ExternUID), foldedKey(s.ExternUID), ix.userName,
				s.Active, s.Deleted, doc, cs, cn, us, un)
			if err != nil {
				return t.writeErr("scim_identity", err, keyOf)
			}
		} else {
			res, err := t.exec(ctx, `UPDATE scimkit_scim_identities SET user_id = ?, extern_uid = ?, extern_uid_key = ?,
				user_name_key = ?, active = ?, deleted = ?, document = ?, version = version + 1,
				created_s = ?, created_ns = ?, updated_s = ?, updated_ns = ?
				WHERE id = ? AND group_id = ? AND version = ?`,
				b(s.UserID), b(s.ExternUID), foldedKey(s.ExternUID), ix.userName, s.Active, s.Deleted, doc,
				cs, cn, us, un, b(s.ID), b(s.GroupID), s.Version)
			if err != nil {
				return t.writeErr("scim_identity", err, keyOf)
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				var group string
				err := t.queryRow(ctx, "SELECT group_id FROM scimkit_scim_identities WHERE id = ?", b(s.ID)).Scan(&group)
				if err == nil && group != s.GroupID {
					return fmt.Errorf("sqlstore: SCIM identity %q belongs to another group: %w", s.ID, store.ErrInvalid)
				}
				return t.versionErr(ctx, "SCIM identity", "SELECT version FROM scimkit_scim_identities WHERE id = ?", b(s.ID))
			}
			if _, err := t.exec(ctx, "DELETE FROM scimkit_scim_emails WHERE identity_id = ?", b(s.ID)); err != nil {
				return t.fail("write SCIM identity emails", err)
			}
		}
		for _, k := range ix.emails {
			if _, err := t.exec(ctx, "INSERT INTO scimkit_scim_emails (identity_id, group_id, value_key) VALUES (?, ?, ?)",
				b(s.ID), b(s.GroupID), indexKey(k)); err != nil {
				return t.fail("write SCIM identity emails", err)
			}
		}
		return nil
	}, ids...)
	if err != nil {
		return err
	}
	s.Version++
	return nil
}

// SCIMIdentities implements [store.Tx].
func (t *tx) SCIMIdentities(ctx context.Context, groupID string) iter.Seq2[*store.SCIMIdentity, error] {
	return t.scan(ctx, groupID, cond{})
}
