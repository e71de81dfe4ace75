-- scimkit store schema, version 1 (PostgreSQL).
-- Strings chosen by clients are bytea so that every byte (NUL included) is
-- kept and compared exactly the same way as on SQLite (BYTEA).
-- *_key columns hold store.Fold of the value: uniqueness and
-- case-insensitive lookups are enforced by the unique indexes on them.

CREATE TABLE scimkit_groups (
	id            BYTEA PRIMARY KEY,
	path          BYTEA NOT NULL,
	path_key      BYTEA NOT NULL UNIQUE,
	name          BYTEA NOT NULL,
	token_digest  BYTEA,
	default_role  BIGINT NOT NULL,
	enforce_sso   BOOLEAN NOT NULL,
	version       BIGINT NOT NULL
);

CREATE TABLE scimkit_users (
	id                   BYTEA PRIMARY KEY,
	username             BYTEA NOT NULL,
	username_key         BYTEA NOT NULL UNIQUE,
	name                 BYTEA NOT NULL,
	email                BYTEA NOT NULL,
	secondary_emails     BYTEA NOT NULL,
	provisioned_by_group BYTEA NOT NULL,
	confirmed            BOOLEAN NOT NULL,
	state                BYTEA NOT NULL,
	version              BIGINT NOT NULL
);

-- Every address of every user, primary and secondary, once per user: the
-- primary key makes an address belong to one user only.
CREATE TABLE scimkit_user_emails (
	email_key BYTEA PRIMARY KEY,
	user_id   BYTEA NOT NULL REFERENCES scimkit_users (id)
);
CREATE INDEX scimkit_user_emails_user ON scimkit_user_emails (user_id);

CREATE TABLE scimkit_memberships (
	group_id BYTEA NOT NULL REFERENCES scimkit_groups (id),
	user_id  BYTEA NOT NULL REFERENCES scimkit_users (id),
	role     BIGINT NOT NULL,
	version  BIGINT NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scimkit_memberships_role ON scimkit_memberships (group_id, role);

CREATE TABLE scimkit_scim_identities (
	id             BYTEA PRIMARY KEY,
	group_id       BYTEA NOT NULL REFERENCES scimkit_groups (id),
	user_id        BYTEA NOT NULL REFERENCES scimkit_users (id),
	extern_uid     BYTEA NOT NULL,
	extern_uid_key BYTEA NOT NULL,
	user_name_key  BYTEA,
	active         BOOLEAN NOT NULL,
	deleted        BOOLEAN NOT NULL,
	document       BYTEA NOT NULL,
	version        BIGINT NOT NULL,
	created_s      BIGINT NOT NULL,
	created_ns     BIGINT NOT NULL,
	updated_s      BIGINT NOT NULL,
	updated_ns     BIGINT NOT NULL
);
CREATE UNIQUE INDEX scimkit_scim_identities_extern_uid ON scimkit_scim_identities (group_id, extern_uid_key);
CREATE UNIQUE INDEX scimkit_scim_identities_user ON scimkit_scim_identities (group_id, user_id);
CREATE INDEX scimkit_scim_identities_user_name ON scimkit_scim_identities (group_id, user_name_key);
CREATE INDEX scimkit_scim_identities_created ON scimkit_scim_identities (group_id, created_s, created_ns, id);

-- Folded values of the SCIM document's emails[].value, for filter pushdown.
CREATE TABLE scimkit_scim_emails (
	identity_id BYTEA NOT NULL REFERENCES scimkit_scim_identities (id),
	group_id    BYTEA NOT NULL,
	value_key   BYTEA NOT NULL,
	PRIMARY KEY (identity_id, value_key)
);
CREATE INDEX scimkit_scim_emails_value ON scimkit_scim_emails (group_id, value_key);

CREATE TABLE scimkit_saml_identities (
	group_id       BYTEA NOT NULL REFERENCES scimkit_groups (id),
	user_id        BYTEA NOT NULL REFERENCES scimkit_users (id),
	extern_uid     BYTEA NOT NULL,
	extern_uid_key BYTEA NOT NULL,
	version        BIGINT NOT NULL,
	PRIMARY KEY (group_id, user_id)
);
CREATE UNIQUE INDEX scimkit_saml_identities_extern_uid ON scimkit_saml_identities (group_id, extern_uid_key);
