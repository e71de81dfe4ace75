package sqlstore

import (
	"database/sql"
	"strconv"
	"strings"
)

// dialect holds what differs between SQLite and PostgreSQL. Queries are
// written with ? placeholders and rebound for PostgreSQL.
type dialect struct {
	name           string // migrations directory
	postgres       bool
	writeIsolation sql.IsolationLevel
	readIsolation  sql.IsolationLevel
}

func sqliteDialect() dialect {
	// SQLite transactions are serializable whatever is asked; the driver
	// refuses levels it does not know, so ask for the default.
	return dialect{name: "sqlite"}
}

func postgresDialect() dialect {
	return dialect{
		name:           "postgres",
		postgres:       true,
		writeIsolation: sql.LevelSerializable,
		readIsolation:  sql.LevelRepeatableRead,
	}
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
