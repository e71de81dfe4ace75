package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/scimkit/scimkit/store"
	"github.com/scimkit/scimkit/store/memstore"
	"github.com/scimkit/scimkit/store/sqlstore/postgres"
	"github.com/scimkit/scimkit/store/sqlstore/sqlite"
)

// openStore opens the store named by the -store flag: "memory" (lost on
// exit), "sqlite:FILE" or "postgres:DSN" (a postgres:// URL or a key=value
// string). The returned function closes the store.
func openStore(ctx context.Context, spec string) (store.Store, func() error, error) {
	kind, arg, _ := strings.Cut(spec, ":")
	switch strings.ToLower(kind) {
	case "memory":
		if arg != "" {
			return nil, nil, fmt.Errorf("store %q: memory takes no argument", spec)
		}
		return memstore.New(), func() error { return nil }, nil
	case "sqlite":
		if arg == "" {
			return nil, nil, fmt.Errorf("store %q: want sqlite:FILE", spec)
		}
		st, err := sqlite.Open(ctx, arg)
		if err != nil {
			return nil, nil, err
		}
		return st, st.Close, nil
	case "postgres", "postgresql":
		if arg == "" {
			return nil, nil, fmt.Errorf("store %q: want postgres:DSN", spec)
		}
		// "postgres:postgres://host/db" and "postgres://host/db" both work.
		dsn := arg
		if strings.HasPrefix(arg, "//") {
			dsn = spec
		}
		st, err := postgres.Open(ctx, dsn)
		if err != nil {
			return nil, nil, err
		}
		return st, st.Close, nil
	}
	return nil, nil, fmt.Errorf("store %q: want memory, sqlite:FILE or postgres:DSN", spec)
}
