// Package postgres opens a [sqlstore.Store] in a PostgreSQL database,
// through the driver github.com/jackc/pgx/v5. Importing it links that
// driver and no other. Several processes (application replicas) may share
// one database: they see one consistent store.
//
//	st, err := postgres.Open(ctx, "postgres://app@db.internal/scimkit")
//	if err != nil { ... }
//	defer st.Close()
//
// A program that builds its own pgx configuration (TLS certificates, a
// custom dialer) opens the database with pgx's stdlib package and hands it
// to [sqlstore.New] with [sqlstore.PostgreSQL].
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/scimkit/scimkit/store/sqlstore"
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
// handshake all say that the database is not there.
type connector struct{ driver.Connector }

func (c connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil && ctx.Err() == nil {
		return nil, &sqlstore.UnavailableError{Err: err}
	}
	return conn, err
}
