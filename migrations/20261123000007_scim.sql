-- SCIM: what the identity provider sent for a user that Gatehouse does not
-- model in its own columns, so that it is returned exactly as sent (RFC 7643
-- §2.x; identity providers and conformance tools compare it). JSON text:
-- {"name": {...}, "emails": [...], "unassigned": ["active", "userType"]}.
-- NULL for users Gatehouse manages itself.
ALTER TABLE users ADD COLUMN scim_profile TEXT;
