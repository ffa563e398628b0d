-- The Users page orders by name (or email), then id: with the id in the index
-- the first page is read in order, without sorting every active user.
DROP INDEX users_org_status_name;
DROP INDEX users_org_status_email;
CREATE INDEX users_org_status_name ON users (org_id, status, name_norm, id);
CREATE INDEX users_org_status_email ON users (org_id, status, email_norm, id);
