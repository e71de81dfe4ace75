package postgres_test

import (
	"context"
	"log"

	"github.com/scimkit/scimkit/store/sqlstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
)

func ExampleOpen() {
	ctx := context.Background()
	st, err := postgres.Open(ctx, "postgres://app@db.internal/scimkit?sslmode=verify-full",
		sqlstore.WithMaxConns(32))
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	// st is a store.Store: hand it to identity.New.
}
