-- scimkit store schema, version 3 (PostgreSQL).
-- The store checks references itself: every write that refers to a group
-- or user checks in its own statement that the row exists (EXISTS), and the
-- store never deletes groups or users. A foreign key check on top locks the
-- referenced row (FOR KEY SHARE) on every insert: every create in a group
-- would lock the group's one row three times, and concurrent creates would
-- queue on it. The keys go; the indexes on the referencing columns stay.
ALTER TABLE scimkit_user_emails DROP CONSTRAINT scimkit_user_emails_user_id_fkey;
ALTER TABLE scimkit_memberships DROP CONSTRAINT scimkit_memberships_group_id_fkey;
ALTER TABLE scimkit_memberships DROP CONSTRAINT scimkit_memberships_user_id_fkey;
ALTER TABLE scimkit_scim_identities DROP CONSTRAINT scimkit_scim_identities_group_id_fkey;
ALTER TABLE scimkit_scim_identities DROP CONSTRAINT scimkit_scim_identities_user_id_fkey;
ALTER TABLE scimkit_scim_emails DROP CONSTRAINT scimkit_scim_emails_identity_id_fkey;
ALTER TABLE scimkit_saml_identities DROP CONSTRAINT scimkit_saml_identities_group_id_fkey;
ALTER TABLE scimkit_saml_identities DROP CONSTRAINT scimkit_saml_identities_user_id_fkey;
