-- scimkit store schema, version 3 (SQLite).
-- PostgreSQL drops its foreign keys in this version (they lock the
-- referenced rows); SQLite keeps them: one Update runs at a time and a
-- check takes no lock.
SELECT 1;
