package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"github.com/scimkit/scimkit/store"
)

// tx is the [store.Tx] of one database transaction.
type tx struct {
	s *Store
	// q runs statements (a *sql.Tx, or on SQLite the writer connection;
	// nil in a View until it begins its transaction), and stmt, when set,
	// gives prepared ones.
	q        querier
	stmt     func(ctx context.Context, query string) (*sql.Stmt, error)
	readOnly bool
	done     bool
	// retry is the first serialization failure, deadlock or busy error a
	// statement met: the transaction is doomed and Update runs fn again,
	// whatever fn made of the error.
	retry error
	// broken is the error of a write that failed halfway (on SQLite, where
	// a Put may take several statements): the transaction must not
	// commit, whatever fn made of the error.
	broken error
	// names and claimed serve the userName claims (see claim.go): the
	// userName keys of the SCIM identities this transaction read, and the
	// slots it claimed.
	names   map[string]nameKey
	claimed map[int]bool
	// inserted counts the users and SCIM identities inserted (see
	// analyze.go).
	inserted int64
	// late is set in a View that begins its transaction late (view.go),
	// and x is the transaction once begun.
	late *lateView
	x    *txn
}

// querier runs statements: *sql.Tx and *sql.Conn are ones.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a row to scan: a *sql.Row, *sql.Rows, or errRow.
type scanner interface{ Scan(dest ...any) error }

// errRow is a row whose query could not run.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

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

// prepared returns the prepared statement for q when the transaction has
// them (nil otherwise), q with the dialect's placeholders, and the context
// to run it under.
//
// The prepared statements are SQLite's, whose driver watches a cancelable
// context with a goroutine per statement, which doubles a short
// statement's cost. They run under a context that cannot be canceled once
// ctx was checked: a statement of an Update on SQLite holds the write lock
// and waits for nothing, and the Update checks ctx again before it commits.
func (t *tx) prepared(ctx context.Context, q string) (*sql.Stmt, string, context.Context, error) {
	q = t.s.d.rebind(q)
	if t.late != nil {
		if err := t.beginLate(ctx); err != nil {
			return nil, q, ctx, err
		}
	}
	if t.stmt == nil {
		return nil, q, ctx, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, q, ctx, err
	}
	st, err := t.stmt(ctx, q)
	if st == nil {
		return nil, q, ctx, err
	}
	return st, q, context.WithoutCancel(ctx), err
}

func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, q, ctx, err := t.prepared(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.ExecContext(ctx, args...)
	}
	return t.q.ExecContext(ctx, q, args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, q, ctx, err := t.prepared(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.QueryContext(ctx, args...)
	}
	return t.q.QueryContext(ctx, q, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) scanner {
	if t.late != nil {
		if r := t.lateRow(ctx, t.s.d.rebind(q), args); r != nil {
			return r
		}
	}
	st, q, ctx, err := t.prepared(ctx, q)
	switch {
	case err != nil:
		return errRow{err}
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	}
	return t.q.QueryRowContext(ctx, q, args...)
}

// notFound is the error of a lookup that found nothing.
func notFound(what string, key string) error {
	return fmt.Errorf("sqlstore: %s %q: %w", what, key, store.ErrNotFound)
}

// ---- groups

const groupCols = "id, path, name, token_digest, default_role, enforce_sso, version, " + samlCols

// samlCols are the columns of a group's SAML configuration, in the order
// of samlArgs; saml_enabled is NULL for a group without one.
const samlCols = "saml_enabled, saml_idp_metadata, saml_sso_url, saml_certificate, saml_fingerprint, saml_idp_entity_id, saml_name_id_format"

func scanGroup(row scanner) (*store.Group, error) {
	g := &store.Group{}
	var role int64
	var enabled sql.NullBool
	var md, sso, cert, fp, idp, nif sql.NullString
	if err := row.Scan(&g.ID, &g.Path, &g.Name, &g.TokenDigest, &role, &g.EnforceSSO, &g.Version,
		&enabled, &md, &sso, &cert, &fp, &idp, &nif); err != nil {
		return nil, err
	}
	g.DefaultRole = store.Role(role)
	if enabled.Valid {
		g.SAML = &store.SAMLConfig{Enabled: enabled.Bool, IdPMetadata: md.String, SSOURL: sso.String,
			Certificate: cert.String, Fingerprint: fp.String, IdPEntityID: idp.String, NameIDFormat: nif.String}
	}
	return g, nil
}

// samlArgs are the values of samlCols for c, all NULL when c is nil.
func samlArgs(c *store.SAMLConfig) []any {
	if c == nil {
		return make([]any, 7)
	}
	return []any{c.Enabled, b(c.IdPMetadata), b(c.SSOURL), b(c.Certificate), b(c.Fingerprint), b(c.IdPEntityID), b(c.NameIDFormat)}
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

// ---- users

const userCols = "u.id, u.username, u.name, u.email, u.secondary_emails, u.provisioned_by_group, u.confirmed, u.state, u.version"

func scanUser(row scanner) (*store.User, error) {
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

// CountMembers implements [store.Tx]. Inside an Update on PostgreSQL it
// locks the memberships it counts until the transaction ends: an Update
// that counts the same ones waits, and one that changed or removed one of
// them meanwhile makes this one run again (so two owners leaving at once
// cannot both see the other stay).
func (t *tx) CountMembers(ctx context.Context, groupID string, role store.Role) (int, error) {
	if err := t.check(false); err != nil {
		return 0, err
	}
	q := "SELECT COUNT(*) FROM scimkit_memberships WHERE group_id = ? AND role = ?"
	if t.locks() {
		q = "SELECT COUNT(*) FROM (SELECT 1 FROM scimkit_memberships WHERE group_id = ? AND role = ? ORDER BY user_id FOR UPDATE) m"
	}
	var n int
	if err := t.queryRow(ctx, q, b(groupID), int64(role)).Scan(&n); err != nil {
		return 0, t.fail("count members", err)
	}
	return n, nil
}

// locks reports whether reads that decide writes must take locks: in an
// Update on PostgreSQL, whose transactions run side by side on snapshots.
// SQLite runs one Update at a time.
func (t *tx) locks() bool { return !t.readOnly && t.s.d.postgres }

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

// ---- SCIM identities

const scimCols = "s.id, s.group_id, s.user_id, s.extern_uid, s.active, s.deleted, s.document, s.version, s.created_s, s.created_ns, s.updated_s, s.updated_ns, s.user_name_key"

// scanSCIM reads a row of scimCols. In a transaction that claims userNames
// it notes the identity's stored userName key (see [tx.claimFor]).
func (t *tx) scanSCIM(row scanner) (*store.SCIMIdentity, error) {
	s := &store.SCIMIdentity{}
	var doc, nameKey []byte
	var cs, cn, us, un int64
	if err := row.Scan(&s.ID, &s.GroupID, &s.UserID, &s.ExternUID, &s.Active, &s.Deleted, &doc, &s.Version, &cs, &cn, &us, &un, &nameKey); err != nil {
		return nil, err
	}
	s.Created = fromUnix(cs, cn)
	s.Updated = fromUnix(us, un)
	var err error
	s.Document, err = decodeDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: SCIM identity %q: %w", s.ID, err)
	}
	t.noteName(s, nameKey)
	return s, nil
}

func (t *tx) scimIdentity(ctx context.Context, what, where, groupID, label string, arg []byte) (*store.SCIMIdentity, error) {
	return lookupIn(t, ctx, "SCIM identity", what, label, "SELECT "+scimCols+" FROM scimkit_scim_identities s WHERE s.group_id = ? AND "+where+" = ?",
		b(groupID), arg, t.scanSCIM)
}

// lookupIn reads the one row of entity that query q finds in a group
// (arguments group and key) with scan, or returns ErrNotFound naming what
// and label.
func lookupIn[T any](t *tx, ctx context.Context, entity, what, label, q string, group, key []byte, scan func(scanner) (T, error)) (T, error) {
	var zero T
	if err := t.check(false); err != nil {
		return zero, err
	}
	v, err := scan(t.queryRow(ctx, q, group, key))
	if errors.Is(err, sql.ErrNoRows) {
		return zero, notFound(what, label)
	}
	if err != nil {
		return zero, t.fail("read "+entity, err)
	}
	return v, nil
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

// SCIMIdentities implements [store.Tx].
func (t *tx) SCIMIdentities(ctx context.Context, groupID string) iter.Seq2[*store.SCIMIdentity, error] {
	return t.scan(ctx, groupID, cond{})
}

// ---- the SAML service-provider key pair

// SAMLKey implements [store.Tx].
func (t *tx) SAMLKey(ctx context.Context) (*store.SAMLKey, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	k := &store.SAMLKey{}
	err := t.queryRow(ctx, "SELECT private_key, certificate, version FROM scimkit_saml_keys WHERE id = 1").
		Scan(&k.PrivateKey, &k.Certificate, &k.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("SAML key", "")
	}
	if err != nil {
		return nil, t.fail("read SAML key", err)
	}
	return k, nil
}
