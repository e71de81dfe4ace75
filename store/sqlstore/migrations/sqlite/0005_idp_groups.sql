-- scimkit store schema, version 5 (SQLite): the identity provider's groups
-- inside each group (store.IdPGroup, the SCIM Group resource), their
-- members one row each, and the group links that give members roles
-- (store.IdPGroupLink). A database at version 4 upgrades in place: it gets
-- the empty tables.

-- external_id and external_id_key are NULL for an IdP group without an
-- externalId: NULLs do not collide in the unique index.
CREATE TABLE scimkit_idp_groups (
	id               BLOB PRIMARY KEY,
	group_id         BLOB NOT NULL REFERENCES scimkit_groups (id),
	display_name     BLOB NOT NULL,
	display_name_key BLOB NOT NULL,
	external_id      BLOB,
	external_id_key  BLOB,
	document         BLOB NOT NULL,
	version          INTEGER NOT NULL,
	created_s        INTEGER NOT NULL,
	created_ns       INTEGER NOT NULL,
	updated_s        INTEGER NOT NULL,
	updated_ns       INTEGER NOT NULL
);
CREATE UNIQUE INDEX scimkit_idp_groups_display_name ON scimkit_idp_groups (group_id, display_name_key);
CREATE UNIQUE INDEX scimkit_idp_groups_external_id ON scimkit_idp_groups (group_id, external_id_key);
CREATE INDEX scimkit_idp_groups_created ON scimkit_idp_groups (group_id, created_s, created_ns, id);

-- One row per member: adding or removing one is one row whatever the size
-- of the group. The primary key lists a group's members in id order; the
-- second index finds a member's groups. group_id is the tenant, kept so
-- that every statement is scoped to it.
CREATE TABLE scimkit_idp_group_members (
	idp_group_id BLOB NOT NULL REFERENCES scimkit_idp_groups (id),
	member_id    BLOB NOT NULL REFERENCES scimkit_scim_identities (id),
	group_id     BLOB NOT NULL,
	PRIMARY KEY (idp_group_id, member_id)
);
CREATE INDEX scimkit_idp_group_members_member ON scimkit_idp_group_members (member_id, idp_group_id);

-- attribute is store.LinkAttribute (1 displayName, 2 externalId);
-- value_key is the folded value.
CREATE TABLE scimkit_idp_group_links (
	group_id  BLOB NOT NULL REFERENCES scimkit_groups (id),
	attribute INTEGER NOT NULL,
	value     BLOB NOT NULL,
	value_key BLOB NOT NULL,
	role      INTEGER NOT NULL,
	version   INTEGER NOT NULL,
	PRIMARY KEY (group_id, attribute, value_key)
);
