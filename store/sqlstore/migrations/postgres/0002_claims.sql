-- scimkit store schema, version 2 (PostgreSQL).
-- Claims: an Update that decides on a userName (none of the group's
-- identities holds it) and one that gives an identity that userName both
-- update the row of its slot, so that the second waits for the first and
-- runs again once it committed (see claim.go). The slots are fixed: 65536
-- rows, updated in place, whatever the number of identities; pages are
-- half empty so that an update stays on its page (a HOT update, no index
-- entry).
CREATE TABLE scimkit_claims (
	slot INTEGER PRIMARY KEY,
	n    BIGINT NOT NULL
) WITH (fillfactor = 50);
INSERT INTO scimkit_claims (slot, n) SELECT s, 0 FROM generate_series(0, 65535) AS s;
