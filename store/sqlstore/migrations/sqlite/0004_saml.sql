-- scimkit store schema, version 4 (SQLite): a group's SAML single sign-on
-- configuration (store.SAMLConfig) and the host's SAML service-provider key
-- pair (store.SAMLKey). A database at version 3 upgrades in place: its
-- groups get no SAML configuration (saml_enabled NULL).

-- saml_enabled is NULL for a group without SAML configuration; the other
-- saml_* columns are NULL then and hold the configuration's strings
-- otherwise.
ALTER TABLE scimkit_groups ADD COLUMN saml_enabled INTEGER;
ALTER TABLE scimkit_groups ADD COLUMN saml_idp_metadata BLOB;
ALTER TABLE scimkit_groups ADD COLUMN saml_sso_url BLOB;
ALTER TABLE scimkit_groups ADD COLUMN saml_certificate BLOB;
ALTER TABLE scimkit_groups ADD COLUMN saml_fingerprint BLOB;
ALTER TABLE scimkit_groups ADD COLUMN saml_idp_entity_id BLOB;
ALTER TABLE scimkit_groups ADD COLUMN saml_name_id_format BLOB;

-- At most one row: the CHECK keeps the key pair one per host.
CREATE TABLE scimkit_saml_keys (
	id          INTEGER PRIMARY KEY CHECK (id = 1),
	private_key BLOB NOT NULL,
	certificate BLOB NOT NULL,
	version     INTEGER NOT NULL
);
