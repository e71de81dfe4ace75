-- scimkit store schema, version 4 (PostgreSQL): a group's SAML single
-- sign-on configuration (store.SAMLConfig) and the host's SAML
-- service-provider key pair (store.SAMLKey). A database at version 3
-- upgrades in place: its groups get no SAML configuration (saml_enabled
-- NULL).

-- saml_enabled is NULL for a group without SAML configuration; the other
-- saml_* columns are NULL then and hold the configuration's strings
-- otherwise.
ALTER TABLE scimkit_groups
	ADD COLUMN saml_enabled        BOOLEAN,
	ADD COLUMN saml_idp_metadata   BYTEA,
	ADD COLUMN saml_sso_url        BYTEA,
	ADD COLUMN saml_certificate    BYTEA,
	ADD COLUMN saml_fingerprint    BYTEA,
	ADD COLUMN saml_idp_entity_id  BYTEA,
	ADD COLUMN saml_name_id_format BYTEA;

-- At most one row: the CHECK keeps the key pair one per host.
CREATE TABLE scimkit_saml_keys (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	private_key BYTEA NOT NULL,
	certificate BYTEA NOT NULL,
	version     BIGINT NOT NULL
);
