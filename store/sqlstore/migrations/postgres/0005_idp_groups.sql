-- scimkit store schema, version 5 (PostgreSQL): the identity provider's
-- groups inside each group (store.IdPGroup, the SCIM Group resource), their
-- members one row each, and the group links that give members roles
-- (store.IdPGroupLink). A database at version 4 upgrades in place: it gets
-- the empty tables. As since version 3, there are no foreign keys: every
-- write checks the rows it refers to in its own statement.

-- external_id and external_id_key are NULL for an IdP group without an
-- externalId: NULLs do not collide in the unique index.
CREATE TABLE scimkit_idp_groups (
	id               BYTEA PRIMARY KEY,
	group_id         BYTEA NOT NULL,
	display_name     BYTEA NOT NULL,
	display_name_key BYTEA NOT NULL,
	external_id      BYTEA,
	external_id_key  BYTEA,
	document         BYTEA NOT NULL,
	version          BIGINT NOT NULL,
	created_s        BIGINT NOT NULL,
	created_ns       BIGINT NOT NULL,
	updated_s        BIGINT NOT NULL,
	updated_ns       BIGINT NOT NULL
);
CREATE UNIQUE INDEX scimkit_idp_groups_display_name ON scimkit_idp_groups (group_id, display_name_key);
CREATE UNIQUE INDEX scimkit_idp_groups_external_id ON scimkit_idp_groups (group_id, external_id_key);
CREATE INDEX scimkit_idp_groups_created ON scimkit_idp_groups (group_id, created_s, created_ns, id);

-- One row per member: adding or removing one is one row whatever the size
-- of the group. The primary key lists a group's members in id order; the
-- second index finds a member's groups. group_id is the tenant, kept so
-- that every statement is scoped to it.
CREATE TABLE scimkit_idp_group_members (
	idp_group_id BYTEA NOT NULL,
	member_id    BYTEA NOT NULL,
	group_id     BYTEA NOT NULL,
	PRIMARY KEY (idp_group_id, member_id)
);
CREATE INDEX scimkit_idp_group_members_member ON scimkit_idp_group_members (member_id, idp_group_id);

-- attribute is store.LinkAttribute (1 displayName, 2 externalId);
-- value_key is the folded value.
CREATE TABLE scimkit_idp_group_links (
	group_id  BYTEA NOT NULL,
	attribute INTEGER NOT NULL,
	value     BYTEA NOT NULL,
	value_key BYTEA NOT NULL,
	role      BIGINT NOT NULL,
	version   BIGINT NOT NULL,
	PRIMARY KEY (group_id, attribute, value_key)
);
