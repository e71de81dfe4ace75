// Package sqlstore is a [store.Store] in SQLite (embedded, the default of
// the example server) or PostgreSQL (for several application replicas
// sharing one database), over database/sql. It links no database driver:
// a program imports the package of the database it opens, which links that
// driver only.
//
//	st, err := sqlite.Open(ctx, "scimkit.db")                     // store/sqlstore/sqlite
//	st, err := postgres.Open(ctx, "postgres://app@db/scimkit")    // store/sqlstore/postgres
//	defer st.Close()
//
// [New] makes a Store over a *sql.DB the program opened itself.
//
// # Durability and concurrency
//
// Each [Store.Update] is one database transaction. Unique keys (case-folded
// emails, usernames, group paths, per-group extern_uids, one identity per
// user per group) are unique indexes: the database, not a lock in one
// process, keeps two replicas from creating the same account twice.
//
// On PostgreSQL an Update runs at REPEATABLE READ: all its reads see one
// snapshot, and concurrent Updates proceed side by side, creates in one
// group as in different ones. What keeps their read-then-write decisions
// race-free:
//
//   - A write never fails on a key its snapshot shows taken: the Put
//     writes nothing and returns a *[store.ConflictError]. A key taken by a
//     transaction the snapshot cannot see (committed since, or still
//     running) is a serialization failure: the Update runs fn again, which
//     then sees it. So "look up the email, create the account if nobody
//     has it" never creates two.
//   - Writing a row another Update changed since the snapshot is a
//     serialization failure too (no lost update).
//   - [store.Tx.CountMembers] locks the memberships it counts, so two
//     owners leaving at once cannot both see the other stay.
//   - A list whose filter requires userName eq "x" claims x (see claim.go
//     in the source), so deciding that no identity holds a userName is
//     race-free against a concurrent write of one that does.
//   - Changes of IdP group members claim the group and each member;
//     deleting a SCIM identity, or writing one with another active or
//     deleted state, claims it as a member; writing an IdP group or a
//     group link claims its displayName and externalId. So a member is
//     never added to a group or an identity that is going away, and the
//     decisions package identity takes on members' roles (from the groups
//     a member is in and the links that name them) are race-free.
//
// Other decisions on what is absent (a list under another filter that finds
// nothing) are not protected against concurrent writes. A serialization
// failure, deadlock or busy database rolls the unit back and runs fn again
// after a jittered backoff, for up to 2 seconds ([WithRetryTimeout]) and
// never past ctx's deadline; [Store.Stats] counts these runs. fn must have
// no effects outside the transaction.
//
// # Round trips
//
// On PostgreSQL a round trip to the server, not the statement it carries,
// is most of what a short transaction costs, so a transaction sends what
// needs no answer yet with the next statement that does, in one round
// trip (a pgx batch, through the postgres package's connections): BEGIN
// goes with the first lookup; a Put whose checks the Update already saw
// pass (the keys it takes looked up and free, the version it writes over
// read, the group and user it refers to read or written) returns at once
// and its statement goes with the next lookup or with COMMIT; a create's
// SAML identity lookup goes with its SCIM identity lookup. A SCIM identity
// is read with its account and its membership of the group in one
// statement (a SCIM resource shows both), and the lookups of those that
// follow take the rows read, until the Update writes. A create takes six
// round trips instead of twelve, a GET of a User one instead of six, a
// PATCH of active three instead of nine. Every Put still returns what it would
// return if its statement ran at once: a Put whose checks the Update has
// not seen pass runs at once, and a held statement that writes nothing all
// the same (the ID of a new entity taken, which no lookup checks) rolls the
// Update back before its COMMIT and runs fn again with every Put running
// at once, so that fn gets the Put's error ([Stats].Replays counts these
// runs). A View runs its first lookup on its own, without a transaction,
// and its second in one round trip with BEGIN and that first lookup again
// (see [Store.View]).
//
// SQLite runs one write transaction at a time (BEGIN IMMEDIATE; across
// processes they queue on SQLite's lock), with its statements prepared
// once on the connection writes use. Concurrent Updates of one process
// share transactions (group commit): each runs its function in a savepoint,
// one after the other, and one commit serves them all, so that the fsync of
// a commit, which takes longer than a create, is paid once for several. It
// runs in WAL mode with synchronous=FULL: Update returns only once the
// commit holding its writes is on disk, so a crash or kill never loses an
// acknowledged write, and a transaction holding the writes of an Update
// whose context ended is rolled back, never committed (the other Updates
// run again); so is one where an Update's statement failed in a way after
// which SQLite rolls back the whole transaction (a full disk, an I/O
// error): that Update fails, runs no further statement, and the others
// run again. Readers never wait for writers.
//
// # Schema
//
// The schema is versioned SQL embedded in the package (migrations/) and
// brought up to date when a store is opened, under a PostgreSQL advisory
// lock or SQLite's write lock, so replicas starting together migrate once.
// Strings chosen by clients are stored as BLOB/bytea: every byte comes back
// as it went in, NUL included.
//
// # IdP groups
//
// IdP groups, their members (one row each, with an index from member to
// groups) and group links are tables of their own (migration 5, which an
// older database gets on open). Adding or removing k members is one
// statement on PostgreSQL and O(k) rows on either database; reading an IdP
// group reads no member.
//
// # Lists
//
// The Tx implements [store.SCIMIdentityLister]. Filters on id, externalId,
// active, userName (eq, sw) and emails.value (eq) become parameterised SQL
// on indexed columns; the rest of a filter, sortBy and paging are evaluated
// in memory, by the engine of [store.Select], over the rows SQL selected, so
// results are exactly those of [store.Select]. Values are never written into SQL text.
// [Store.Explain] shows the database's plan for a query.
//
// # Errors
//
// Database errors become the store sentinels ([store.ErrConflict] with the
// key, [store.ErrNotFound], [store.ErrVersionMismatch]); the drivers'
// errors are read through small interfaces (SQLState() string, the SQLite
// result code's Code() int), see [Dialect]. A database that is
// gone (connection refused, server shut down, I/O error, closed Store)
// gives an error matching [ErrUnavailable], which also has an
// Unavailable() bool method for callers that do not import this package;
// a server should answer it with 503.
//
// # Tests
//
// The tests run every case on SQLite and on PostgreSQL. The PostgreSQL
// tests use the database named by SCIMKIT_POSTGRES_DSN (e.g.
// postgres://scimkit@127.0.0.1:5432/scimkit?sslmode=disable), one fresh
// schema per test. They are skipped when it is unset, except under CI=true,
// where they fail.
package sqlstore
