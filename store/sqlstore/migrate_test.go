package sqlstore

import "testing"

func TestMigrationsNumbered(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		ms, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) == 0 {
			t.Fatalf("%s: no migrations", d)
		}
	}
	sq, _ := migrations("sqlite")
	pg, _ := migrations("postgres")
	if len(sq) != len(pg) {
		t.Errorf("%d SQLite migrations, %d PostgreSQL ones: each version must exist for both", len(sq), len(pg))
	}
}
