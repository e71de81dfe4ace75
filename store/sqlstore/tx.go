package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/sqlstore/internal/pipeline"
)

// tx is the [store.Tx] of one database transaction.
type tx struct {
	s *Store
	// sess runs the statements of a View, and of an Update on PostgreSQL
	// (session.go). An Update on SQLite runs them on q, the writer
	// connection, and stmt gives prepared ones.
	sess     *session
	q        querier
	stmt     func(ctx context.Context, query string) (*sql.Stmt, error)
	readOnly bool
	done     bool
	// know is what an Update on PostgreSQL knows of the rows its writes
	// check (known.go), which lets Puts hold their statement back
	// (session.go); nil where Puts run theirs at once: on SQLite, and in
	// the run again of an Update whose held write wrote nothing.
	know *known
	// retry is the first serialization failure, deadlock or busy error a
	// statement met: the transaction is doomed and Update runs fn again,
	// whatever fn made of the error.
	retry error
	// replay is set when a held write wrote nothing: Update runs fn
	// again with immediate writes, whatever fn made of the error.
	replay bool
	// broken is the error of a write that failed halfway (on SQLite, where
	// a Put may take several statements): the transaction must not
	// commit, whatever fn made of the error.
	broken error
	// gone is set on SQLite once a statement failed with an error after
	// which SQLite may have rolled back the whole transaction (a full
	// disk, an I/O error, a busy database): statements after it would run
	// outside any transaction and commit at once, so none runs.
	gone bool
	// names and claimed serve the userName claims (see claim.go): the
	// userName keys of the SCIM identities this transaction read, and the
	// slots it claimed.
	names   map[string]nameKey
	claimed map[int]bool
	// inserted counts the users and SCIM identities inserted (see
	// analyze.go).
	inserted int64
	// versions are the Versions Puts advanced, as they were: a run of fn
	// that does not commit puts them back, so that the next run sees the
	// entities as fn gave them the first time.
	versions []versionWas
	// first is the lookup a View made before its transaction began
	// (view.go); firstDone says it was made.
	first     *firstRead
	firstDone bool
	// ahead is a lookup read before it was asked for (view.go).
	ahead *aheadRead
	// joined are the accounts and memberships read with SCIM identities.
	joined *joinedRows
}

// joinedRows are the rows of accounts and memberships that came with SCIM
// identities (scimSelect): lookups of them take their row from here
// rather than ask again, until the transaction writes anything, which
// could change them. They are of the state the transaction sees (in a
// View whose first lookup ran on its own, the re-reading of that lookup,
// joined rows included, checks them).
type joinedRows struct {
	users   map[string][]any
	members map[[2]string][]any // nil: no membership
}

// maxJoined bounds the rows kept: a scan of a large group reads many.
const maxJoined = 1000

// keep keeps the account and membership read with s (all nil when the
// account is missing: then nothing is kept).
func (j *joinedRows) keep(s *store.SCIMIdentity, user, member []any) {
	if user[0] == nil {
		return
	}
	if len(j.users) >= maxJoined {
		j.users, j.members = nil, nil
	}
	if j.users == nil {
		j.users, j.members = make(map[string][]any), make(map[[2]string][]any)
	}
	j.users[s.UserID] = append([]any(nil), user...)
	if member[0] == nil {
		j.members[[2]string{s.GroupID, s.UserID}] = nil
	} else {
		j.members[[2]string{s.GroupID, s.UserID}] = append([]any(nil), member...)
	}
}

// user returns the row of user id when kept, for a lookup by id (kind
// kUser with arg the id).
func (j *joinedRows) user(kind factKind, arg []byte) (scanner, bool) {
	if j == nil || kind != kUser {
		return nil, false
	}
	r, ok := j.users[string(arg)]
	if !ok {
		return nil, false
	}
	return valueRow{st: &pipeline.Stmt{Rows: [][]any{r}}}, true
}

// member returns the row (role, version) of the membership of userID in
// groupID when kept, which has no rows when there is none.
func (j *joinedRows) member(groupID, userID string) (scanner, bool) {
	if j == nil {
		return nil, false
	}
	r, ok := j.members[[2]string{groupID, userID}]
	if !ok {
		return nil, false
	}
	st := &pipeline.Stmt{}
	if r != nil {
		st.Rows = [][]any{r}
	}
	return valueRow{st: st}, true
}

// versionWas is an entity's Version before a Put advanced it.
type versionWas struct {
	v   *int64
	was int64
}

// restore puts back the Versions Puts of t advanced.
func (t *tx) restore() {
	for i := len(t.versions) - 1; i >= 0; i-- {
		*t.versions[i].v = t.versions[i].was
	}
	t.versions = nil
}

// querier runs statements: *sql.Tx and *sql.Conn are ones.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a row to scan: a *sql.Row, *sql.Rows, valueRow or errRow.
type scanner interface{ Scan(dest ...any) error }

// rows are the rows of a query: *sql.Rows, or a session's valueRows.
type rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close() error
}

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

// fail wraps a database error of operation op, noting retryable ones and
// held writes that wrote nothing.
func (t *tx) fail(op string, err error) error {
	var he *heldError
	if errors.As(err, &he) {
		op, err = "write "+he.entity, he.err
		if c := t.s.d.classify(err); c != classRetry && c != classUnavailable {
			// Run at once, the Put would have given fn this error:
			// run fn again so that it does.
			t.replay = true
			return he
		}
	}
	c := t.s.d.classify(err)
	switch c {
	case classRetry:
		if t.retry == nil {
			t.retry = err
		}
		err = fmt.Errorf("sqlstore: %s: %w", op, err)
	case classUnavailable:
		err = fmt.Errorf("sqlstore: %s: %w", op, t.s.d.wrap(err))
	default:
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if t.stmt != nil {
		// SQLite may have rolled the whole transaction back.
		t.gone = true
		t.breakOn(err)
	}
	return err
}

// prepared returns the prepared statement for q on the SQLite writer
// (nil when there is none), and the context to run it under. After a
// statement that may have ended the transaction (tx.gone) it returns that
// statement's error.
//
// The prepared statements are SQLite's, whose driver watches a cancelable
// context with a goroutine per statement, which doubles a short
// statement's cost. They run under a context that cannot be canceled once
// ctx was checked: a statement of an Update on SQLite holds the write lock
// and waits for nothing, and the Update checks ctx again before it commits.
func (t *tx) prepared(ctx context.Context, q string) (*sql.Stmt, context.Context, error) {
	if t.stmt == nil {
		return nil, ctx, nil
	}
	if t.gone {
		return nil, ctx, t.broken
	}
	if err := ctx.Err(); err != nil {
		return nil, ctx, err
	}
	st, err := t.stmt(ctx, q)
	if st == nil {
		return nil, ctx, err
	}
	return st, context.WithoutCancel(ctx), err
}

// exec runs a statement on the SQLite writer (Updates on PostgreSQL and
// Views send theirs through a session, which needs no exec: every write
// there selects its count).
func (t *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if t.sess != nil {
		return nil, errors.New("sqlstore: exec in a session")
	}
	st, ctx, err := t.prepared(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.ExecContext(ctx, args...)
	}
	return t.q.ExecContext(ctx, q, args...)
}

func (t *tx) query(ctx context.Context, q string, args ...any) (rows, error) {
	if t.sess != nil {
		st, err := t.send(ctx, q, args, false)
		if err != nil {
			return nil, err
		}
		return &valueRows{rows: st.Rows}, nil
	}
	st, ctx, err := t.prepared(ctx, q)
	switch {
	case err != nil:
		return nil, err
	case st != nil:
		return st.QueryContext(ctx, args...)
	}
	return t.q.QueryContext(ctx, q, args...)
}

func (t *tx) queryRow(ctx context.Context, q string, args ...any) scanner {
	if t.sess != nil {
		st, err := t.send(ctx, q, args, true)
		return valueRow{st, err}
	}
	st, ctx, err := t.prepared(ctx, q)
	switch {
	case err != nil:
		return errRow{err}
	case st != nil:
		return st.QueryRowContext(ctx, args...)
	}
	return t.q.QueryRowContext(ctx, q, args...)
}

// notFound is the error of a lookup that found nothing.
func notFound(what string, key string) error { return &notFoundError{what, key} }

// notFoundError matches store.ErrNotFound. Lookups that find nothing are
// the rule in a create (is the email taken? the extern_uid?): the message
// is only written when asked for.
type notFoundError struct{ what, key string }

func (e *notFoundError) Error() string {
	return fmt.Sprintf("sqlstore: %s %q: %v", e.what, e.key, store.ErrNotFound)
}

func (e *notFoundError) Unwrap() error { return store.ErrNotFound }

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

// group looks a group up; a group that is not there makes a fact of miss
// (see known.go), when set.
func (t *tx) group(ctx context.Context, what, where, label string, arg []byte, miss factKey) (*store.Group, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	g, err := scanGroup(t.queryRow(ctx, "SELECT "+groupCols+" FROM scimkit_groups WHERE "+where+" = ?", arg))
	if errors.Is(err, sql.ErrNoRows) {
		t.missing(miss)
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read group", err)
	}
	t.know.group(g)
	return g, nil
}

// missing notes, when k is set, that nothing holds k.
func (t *tx) missing(k factKey) {
	if k.kind != 0 {
		t.know.missing(k)
	}
}

// Group implements [store.Tx].
func (t *tx) Group(ctx context.Context, id string) (*store.Group, error) {
	return t.group(ctx, "group", "id", id, b(id), factKey{kind: kGroup, a: id})
}

// GroupByPath implements [store.Tx].
func (t *tx) GroupByPath(ctx context.Context, path string) (*store.Group, error) {
	return t.group(ctx, "group with path", "path_key", path, foldedKey(path), factKey{})
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

func (t *tx) user(ctx context.Context, what, q, label string, arg []byte, miss factKind) (*store.User, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	var row scanner
	if r, ok := t.joined.user(miss, arg); ok {
		row = r
	} else {
		row = t.queryRow(ctx, q, arg)
	}
	u, err := scanUser(row)
	if errors.Is(err, sql.ErrNoRows) {
		t.missing(factKey{kind: miss, a: string(arg)})
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read user", err)
	}
	t.know.user(u)
	return u, nil
}

// User implements [store.Tx].
func (t *tx) User(ctx context.Context, id string) (*store.User, error) {
	return t.user(ctx, "user", "SELECT "+userCols+" FROM scimkit_users u WHERE u.id = ?", id, b(id), kUser)
}

// UserByUsername implements [store.Tx].
func (t *tx) UserByUsername(ctx context.Context, username string) (*store.User, error) {
	return t.user(ctx, "user with username", "SELECT "+userCols+" FROM scimkit_users u WHERE u.username_key = ?", username, foldedKey(username), kUsername)
}

// UserByEmail implements [store.Tx].
func (t *tx) UserByEmail(ctx context.Context, email string) (*store.User, error) {
	return t.user(ctx, "user with email",
		"SELECT "+userCols+" FROM scimkit_user_emails e JOIN scimkit_users u ON u.id = e.user_id WHERE e.email_key = ?",
		email, foldedKey(email), kUserEmail)
}

// ---- memberships

// Membership implements [store.Tx].
func (t *tx) Membership(ctx context.Context, groupID, userID string) (*store.Membership, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if m, ok, known := t.know.membership(groupID, userID); known {
		// What the Update read or wrote of it: no need to ask.
		if !ok {
			return nil, notFound("membership of user in group", groupID+"/"+userID)
		}
		return m, nil
	}
	m := &store.Membership{GroupID: groupID, UserID: userID}
	var role int64
	row, ok := t.joined.member(groupID, userID)
	if !ok {
		row = t.queryRow(ctx, "SELECT role, version FROM scimkit_memberships WHERE group_id = ? AND user_id = ?", b(groupID), b(userID))
	}
	err := row.Scan(&role, &m.Version)
	if errors.Is(err, sql.ErrNoRows) {
		t.missing(factKey{kind: kMember, a: groupID, b: userID})
		return nil, notFound("membership of user in group", groupID+"/"+userID)
	}
	if err != nil {
		return nil, t.fail("read membership", err)
	}
	m.Role = store.Role(role)
	t.know.member(m)
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

// samlQuery selects the SAML identities of a group where a column, which
// follows, has a value.
const samlQuery = "SELECT group_id, user_id, extern_uid, version FROM scimkit_saml_identities WHERE group_id = ? AND "

func (t *tx) samlIdentity(ctx context.Context, what, where, groupID, label string, arg []byte, miss factKind) (*store.SAMLIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	s := &store.SAMLIdentity{}
	err := t.queryRow(ctx, samlQuery+where+" = ?", b(groupID), arg).Scan(&s.GroupID, &s.UserID, &s.ExternUID, &s.Version)
	if errors.Is(err, sql.ErrNoRows) {
		t.missing(factKey{kind: miss, a: groupID, b: string(arg)})
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read SAML identity", err)
	}
	t.know.saml(s)
	return s, nil
}

// SAMLIdentityByExternUID implements [store.Tx].
func (t *tx) SAMLIdentityByExternUID(ctx context.Context, groupID, externUID string) (*store.SAMLIdentity, error) {
	return t.samlIdentity(ctx, "SAML identity with extern_uid", "extern_uid_key", groupID, externUID, foldedKey(externUID), kSAMLExtern)
}

// SAMLIdentityByUser implements [store.Tx].
func (t *tx) SAMLIdentityByUser(ctx context.Context, groupID, userID string) (*store.SAMLIdentity, error) {
	return t.samlIdentity(ctx, "SAML identity of user", "user_id", groupID, userID, b(userID), kSAML)
}

// ---- SCIM identities

const scimCols = "s.id, s.group_id, s.user_id, s.extern_uid, s.active, s.deleted, s.document, s.version, s.created_s, s.created_ns, s.updated_s, s.updated_ns, s.user_name_key"

// scimSelect reads SCIM identities (s) and, with each, its account (u,
// userCols) and its membership of the group (m): whoever reads an identity
// reads those next (a SCIM resource shows both), and here they come in
// the same statement, seen in the same state (see tx.joined). A WHERE
// clause follows.
const scimSelect = scimSelectFrom + " scimkit_scim_identities s" + scimJoins

// scimSelectFrom and scimJoins are scimSelect around its first table, for
// a statement that reads the identities through another (a page of ids).
const (
	scimSelectFrom = "SELECT " + scimCols + ", " + userCols + ", m.role, m.version FROM"
	scimJoins      = `
	LEFT JOIN scimkit_users u ON u.id = s.user_id
	LEFT JOIN scimkit_memberships m ON m.group_id = s.group_id AND m.user_id = s.user_id`
)

// Columns of scimSelect after scimCols.
const (
	userColumns   = 9
	memberColumns = 2
)

// scanSCIM reads a row of scimSelect, keeping the account and membership
// that come with it for the lookups that follow. In a transaction that
// claims userNames it notes the identity's stored userName key (see
// [tx.claimFor]).
func (t *tx) scanSCIM(row scanner) (*store.SCIMIdentity, error) {
	s := &store.SCIMIdentity{}
	var doc, nameKey []byte
	var cs, cn, us, un int64
	var with [userColumns + memberColumns]any
	if err := row.Scan(&s.ID, &s.GroupID, &s.UserID, &s.ExternUID, &s.Active, &s.Deleted, &doc, &s.Version, &cs, &cn, &us, &un, &nameKey,
		&with[0], &with[1], &with[2], &with[3], &with[4], &with[5], &with[6], &with[7], &with[8], &with[9], &with[10]); err != nil {
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
	t.know.scim(s)
	if t.joined == nil {
		t.joined = &joinedRows{}
	}
	t.joined.keep(s, with[:userColumns], with[userColumns:])
	return s, nil
}

// scimIdentity looks an identity up; one that is not there makes a fact
// of miss, when set.
func (t *tx) scimIdentity(ctx context.Context, what, where, groupID, label string, arg []byte, miss factKind) (*store.SCIMIdentity, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if miss == kSCIMExtern && t.know != nil {
		// A create looks the SAML identity of the extern_uid up next
		// but one: read it in the same round trip.
		t.readAhead(samlQuery+"extern_uid_key = ?", b(groupID), arg)
	}
	s, err := t.scanSCIM(t.queryRow(ctx, scimSelect+" WHERE s.group_id = ? AND "+where+" = ?", b(groupID), arg))
	if errors.Is(err, sql.ErrNoRows) {
		if miss != 0 {
			t.missing(factKey{kind: miss, a: groupID, b: string(arg)})
		}
		return nil, notFound(what, label)
	}
	if err != nil {
		return nil, t.fail("read SCIM identity", err)
	}
	return s, nil
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

// SCIMIdentity implements [store.Tx]. (An identity of another group may
// hold the id: not finding it says nothing of the id.)
func (t *tx) SCIMIdentity(ctx context.Context, groupID, id string) (*store.SCIMIdentity, error) {
	return t.scimIdentity(ctx, "SCIM identity", "s.id", groupID, id, b(id), 0)
}

// SCIMIdentityByExternUID implements [store.Tx].
func (t *tx) SCIMIdentityByExternUID(ctx context.Context, groupID, externUID string) (*store.SCIMIdentity, error) {
	return t.scimIdentity(ctx, "SCIM identity with extern_uid", "s.extern_uid_key", groupID, externUID, foldedKey(externUID), kSCIMExtern)
}

// SCIMIdentityByUser implements [store.Tx].
func (t *tx) SCIMIdentityByUser(ctx context.Context, groupID, userID string) (*store.SCIMIdentity, error) {
	return t.scimIdentity(ctx, "SCIM identity of user", "s.user_id", groupID, userID, b(userID), kSCIMUser)
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
