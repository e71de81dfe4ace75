-- scimkit store schema, version 1 (SQLite).
-- Strings chosen by clients are BLOBs so that every byte (NUL included) is
-- kept and compared exactly the same way as on PostgreSQL (bytea).
-- *_key columns hold store.Fold of the value: uniqueness and
-- case-insensitive lookups are enforced by the unique indexes on them.

CREATE TABLE scimkit_groups (
	id            BLOB PRIMARY KEY,
	path          BLOB NOT NULL,
	path_key      BLOB NOT NULL UNIQUE,
	name          BLOB NOT NULL,
	token_digest  BLOB,
	default_role  INTEGER NOT NULL,
	enforce_sso   INTEGER NOT NULL,
	version       INTEGER NOT NULL
);

CREATE TABLE scimkit_users (
	id                   BLOB PRIMARY KEY,
	username             BLOB NOT NULL,
	username_key         BLOB NOT NULL UNIQUE,
	name                 BLOB NOT NULL,
	email                BLOB NOT NULL,
	secondary_emails     BLOB NOT NULL,
	provisioned_by_group BLOB NOT NULL,
	confirmed            INTEGER NOT NULL,
	state                BLOB NOT NULL,
	version              INTEGER NOT NULL
);

-- Every address of every user, primary and secondary, once per user: the
-- primary key makes an address belong to one user only.
CREATE TABLE scimkit_user_emails (
	email_key BLOB PRIMARY KEY,
	user_id   BLOB NOT NULL REFERENCES scimkit_users (id)
);
CREATE INDEX scimkit_user_emails_user ON scimkit_user_emails (user_id);

CREATE TABLE scimkit_memberships (
	group_id BLOB NOT NULL REFERENCES scimkit_groups (id),
	user_id  BLOB NOT NULL REFERENCES scimkit_users (id),
	role     INTEGER NOT NULL,
	version  INTEGER NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scimkit_memberships_role ON scimkit_memberships (group_id, role);

CREATE TABLE scimkit_scim_identities (
	id             BLOB PRIMARY KEY,
	group_id       BLOB NOT NULL REFERENCES scimkit_groups (id),
	user_id        BLOB NOT NULL REFERENCES scimkit_users (id),
	extern_uid     BLOB NOT NULL,
	extern_uid_key BLOB NOT NULL,
	user_name_key  BLOB,
	active         INTEGER NOT NULL,
	deleted        INTEGER NOT NULL,
	document       BLOB NOT NULL,
	version        INTEGER NOT NULL,
	created_s      INTEGER NOT NULL,
	created_ns     INTEGER NOT NULL,
	updated_s      INTEGER NOT NULL,
	updated_ns     INTEGER NOT NULL
);
CREATE UNIQUE INDEX scimkit_scim_identities_extern_uid ON scimkit_scim_identities (group_id, extern_uid_key);
CREATE UNIQUE INDEX scimkit_scim_identities_user ON scimkit_scim_identities (group_id, user_id);
CREATE INDEX scimkit_scim_identities_user_name ON scimkit_scim_identities (group_id, user_name_key);
CREATE INDEX scimkit_scim_identities_created ON scimkit_scim_identities (group_id, created_s, created_ns, id);

-- Folded values of the SCIM document's emails[].value, for filter pushdown.
CREATE TABLE scimkit_scim_emails (
	identity_id BLOB NOT NULL REFERENCES scimkit_scim_identities (id),
	group_id    BLOB NOT NULL,
	value_key   BLOB NOT NULL,
	PRIMARY KEY (identity_id, value_key)
);
CREATE INDEX scimkit_scim_emails_value ON scimkit_scim_emails (group_id, value_key);

CREATE TABLE scimkit_saml_identities (
	group_id       BLOB NOT NULL REFERENCES scimkit_groups (id),
	user_id        BLOB NOT NULL REFERENCES scimkit_users (id),
	extern_uid     BLOB NOT NULL,
	extern_uid_key BLOB NOT NULL,
	version        INTEGER NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE UNIQUE INDEX scimkit_saml_identities_extern_uid ON scimkit_saml_identities (group_id, extern_uid_key);
