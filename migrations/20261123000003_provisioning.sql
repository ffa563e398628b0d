-- SCIM provisioning: bearer tokens (stored as SHA-256 hashes), and the
-- attributes SCIM keeps on users and teams.

CREATE TABLE scim_tokens (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(id),
    name             TEXT NOT NULL,
    token_hash       TEXT NOT NULL UNIQUE,
    created_by       TEXT NOT NULL REFERENCES users(id),
    created_by_email TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    last_used_at     TEXT,
    revoked_at       TEXT
);
CREATE INDEX scim_tokens_org ON scim_tokens (org_id, created_at);

ALTER TABLE users ADD COLUMN display_name TEXT;
-- set when the identity provider deleted the user: kept, but gone from SCIM (404)
ALTER TABLE users ADD COLUMN archived_at TEXT;
ALTER TABLE teams ADD COLUMN archived_at TEXT;
CREATE INDEX users_org_external ON users (org_id, external_id);
CREATE INDEX teams_org_external ON teams (org_id, external_id);
