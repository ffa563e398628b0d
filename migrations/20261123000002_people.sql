-- Administration pages: search columns and indexes for the Users page at
-- 100,000 users, invitations, and flags for account types.

ALTER TABLE users ADD COLUMN name_norm TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN last_norm TEXT NOT NULL DEFAULT '';
-- 1 while the person has not yet chosen a password through their invitation link
ALTER TABLE users ADD COLUMN invite_pending BIGINT NOT NULL DEFAULT 0;
UPDATE users SET name_norm = LOWER(first_name || ' ' || last_name), last_norm = LOWER(last_name);

CREATE INDEX users_org_status_name ON users (org_id, status, name_norm);
CREATE INDEX users_org_status_email ON users (org_id, status, email_norm);
CREATE INDEX users_org_last ON users (org_id, last_norm);
CREATE INDEX users_org_login ON users (org_id, last_login_at);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    -- SHA-256 of the token in the link; the token itself is never stored
    token_hash  TEXT NOT NULL UNIQUE,
    created_by  TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE INDEX team_members_team ON team_members (team_id, user_id);
CREATE INDEX teams_org_status ON teams (org_id, status, name_norm);
