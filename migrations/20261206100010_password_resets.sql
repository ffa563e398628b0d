-- One-time links to choose a new password: made by an administrator (Users,
-- a person's page) or asked for on the sign-in page (Forgot password?). A
-- link works once, for an hour, in its organization only.
CREATE TABLE password_resets (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    user_id     TEXT NOT NULL REFERENCES users(id),
    -- SHA-256 of the token in the link; the token itself is never stored
    token_hash  TEXT NOT NULL UNIQUE,
    -- the administrator who made it; NULL when the person asked for it
    created_by  TEXT,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT
);
CREATE INDEX password_resets_user ON password_resets (org_id, user_id);
CREATE INDEX password_resets_expiry ON password_resets (expires_at);
