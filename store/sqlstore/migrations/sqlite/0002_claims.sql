-- scimkit store schema, version 2 (SQLite).
-- PostgreSQL gets the claims table in this version; SQLite runs one Update
-- at a time and needs none.
SELECT 1;
