package sqlstore

import (
	"strconv"
	"strings"
)

// Dialect names the SQL database a [Store] talks to. It decides the schema,
// the SQL, the isolation levels and how driver errors are read (see [New]).
type Dialect uint8

const (
	// SQLite is SQLite 3.35 or newer, through a driver whose errors have
	// a Code() int method returning the SQLite (extended) result code, as
	// modernc.org/sqlite's do.
	SQLite Dialect = iota + 1
	// PostgreSQL is PostgreSQL 13 or newer, through a driver whose errors
	// have a SQLState() string method, as pgx's and lib/pq's do.
	PostgreSQL
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case PostgreSQL:
		return "postgres"
	}
	return "Dialect(" + strconv.Itoa(int(d)) + ")"
}

// dialect holds what differs between SQLite and PostgreSQL. Queries are
// written with ? placeholders and rebound for PostgreSQL.
type dialect struct {
	name     string // migrations directory
	postgres bool
	// beginView begins a View's transaction (an Update's is beginUpdate
	// on PostgreSQL; on SQLite see batch.go).
	beginView string
}

// spec returns what the store needs to know of d, and false for a Dialect
// that is not one of the constants.
func (d Dialect) spec() (dialect, bool) {
	switch d {
	case SQLite:
		// SQLite transactions are serializable; a reader's (deferred)
		// begins at its first read.
		return dialect{name: "sqlite", beginView: "BEGIN"}, true
	case PostgreSQL:
		return dialect{name: "postgres", postgres: true, beginView: beginView}, true
	}
	return dialect{}, false
}

// rebind turns ? placeholders into $1, $2, ... on PostgreSQL. Queries are
// ours and never contain a literal question mark.
func (d dialect) rebind(q string) string {
	if !d.postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
