// Package postgres opens a [sqlstore.Store] in a PostgreSQL database,
// through the driver github.com/jackc/pgx/v5. Importing it links that
// driver and no other. Several processes (application replicas) may share
// one database: they see one consistent store.
//
//	st, err := postgres.Open(ctx, "postgres://app@db.internal/scimkit")
//	if err != nil { ... }
//	defer st.Close()
//
// The store's transactions send the statements that need no answer yet
// (BEGIN, writes whose outcome is checked at the commit) together with the
// next one that does, in one round trip, through pgx's batches: a create
// takes about half the round trips it would statement by statement.
//
// A program that builds its own pgx configuration (TLS certificates, a
// custom dialer) opens the database with pgx's stdlib package and hands it
// to [sqlstore.New] with [sqlstore.PostgreSQL]; its transactions then send
// their statements one by one, with the same results.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/internal/pipeline"
)

// Open connects to the PostgreSQL database named by dsn (a URL
// "postgres://user@host/db" or a "key=value" string, as pgx and libpq
// accept them) and brings its schema up to date. Replicas opening one
// database at once migrate it once.
//
// A server that cannot be reached fails with an error matching
// [sqlstore.ErrUnavailable], at Open as in any later Update or View.
func Open(ctx context.Context, dsn string, opts ...sqlstore.Option) (*sqlstore.Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := sql.OpenDB(connector{stdlib.GetConnector(*cfg)})
	return sqlstore.New(ctx, db, sqlstore.PostgreSQL, opts...)
}

// connector reports a failed connection as the database being
// unavailable, unless the caller's own context ended: a refused connection,
// a server that does not answer within connect_timeout, a failed TLS
// handshake all say that the database is not there. Its connections send
// batches ([pipeline.Conn]).
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		if ctx.Err() == nil {
			return nil, &sqlstore.UnavailableError{Err: err}
		}
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		return dc, nil
	}
	return conn{sc}, nil
}

// conn is pgx's database/sql connection (every method database/sql calls
// is its own) that also sends batches.
type conn struct{ *stdlib.Conn }

var _ pipeline.Conn = conn{}

// Send implements [pipeline.Conn] with a pgx batch: the statements go out
// in one pipeline ending in one Sync, so the server stops at the first
// that fails.
func (c conn) Send(ctx context.Context, stmts []pipeline.Stmt) error {
	var b pgx.Batch
	for _, s := range stmts {
		b.Queue(s.SQL, s.Args...)
	}
	br := c.Conn.Conn().SendBatch(ctx, &b)
	for i := range stmts {
		if err := read(br, &stmts[i]); err != nil {
			br.Close()
			var pe *pgconn.PgError
			if errors.As(err, &pe) {
				return &pipeline.Error{Index: i, Err: err}
			}
			return err
		}
	}
	return br.Close()
}

// read reads the results of the next statement of br into s.
func read(br pgx.BatchResults, s *pipeline.Stmt) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	s.Rows = nil
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		s.Rows = append(s.Rows, vals)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	s.Tag = rows.CommandTag().String()
	return nil
}
