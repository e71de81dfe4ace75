package sqlstore

import (
	"context"
	"log/slog"
)

// Young tables on PostgreSQL. The server plans a prepared statement for
// good once it has run it a few times, with the statistics it has then. A
// table never analyzed looks like a handful of rows, and the plan a lookup
// gets while it does (read the group's identities in created order through
// their index and filter, rather than use the unique index on the key)
// stays while the table grows, until autovacuum analyzes it: a minute
// later at the earliest, when an IdP's initial sync may have sent tens of
// thousands of users, each create reading all the ones before. Once the
// table has statistics every lookup takes its index, whatever the table's
// size later.
//
// So a store that opens a young database (fewer than youngRows SCIM
// identities) analyzes its tables itself, in the background, once it has
// inserted each of analyzeAfter rows (users and identities).
const youngRows = 10000

var analyzeAfter = [...]int64{64, 1000, youngRows}

// checkYoung notes whether the database is young, on PostgreSQL.
func (s *Store) checkYoung(ctx context.Context) error {
	if !s.d.postgres {
		return nil
	}
	var rows float64
	err := s.db.QueryRowContext(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'scimkit_scim_identities'::regclass").Scan(&rows)
	if err != nil {
		return err
	}
	s.young.Store(rows < youngRows)
	return nil
}

// grew counts n users and identities inserted by a committed Update and
// analyzes the tables when a threshold was crossed.
func (s *Store) grew(n int64) {
	if n == 0 || !s.young.Load() {
		return
	}
	total := s.inserted.Add(n)
	for i, at := range analyzeAfter {
		if total-n < at && at <= total {
			if i == len(analyzeAfter)-1 {
				s.young.Store(false) // autovacuum's thresholds suffice from here on
			}
			s.bgMu.Lock()
			defer s.bgMu.Unlock()
			if s.bgCtx.Err() != nil {
				return // closing
			}
			s.bg.Go(func() {
				_, err := s.db.ExecContext(s.bgCtx, `ANALYZE scimkit_scim_identities, scimkit_scim_emails, scimkit_users,
					scimkit_user_emails, scimkit_memberships, scimkit_saml_identities`)
				if err != nil && s.bgCtx.Err() == nil {
					s.log.Warn("sqlstore: analyzing young tables", slog.Any("error", err))
				}
			})
			return
		}
	}
}
