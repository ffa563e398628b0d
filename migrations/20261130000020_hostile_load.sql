-- Holding up under hostile load.

-- Secrets every instance of one database shares: the key that signs cookies
-- (single sign-on requests bound to the browser that started them, trusted
-- devices) and, until the first organization exists, the setup code.
CREATE TABLE instance_secrets (
    name        TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Sign-in attempts per fixed window and key ("email:…", "address:…",
-- "device:…", "setup:…"), counted atomically: an attempt takes a slot before
-- the password is checked.
CREATE TABLE sign_in_limits (
    org_id        TEXT NOT NULL,
    limit_key     TEXT NOT NULL,
    window_start  TEXT NOT NULL,
    attempts      BIGINT NOT NULL,
    PRIMARY KEY (org_id, limit_key)
);

-- Sessions, written through the same writer queue as everything else.
CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- A person's sessions started before this time are over (deactivation).
ALTER TABLE users ADD COLUMN sessions_valid_after TEXT;

-- Signing out after inactivity (seconds; 0: never), and whether sign-in may
-- start at the identity provider (IdP-initiated SAML; Okta's app tiles).
ALTER TABLE auth_settings ADD COLUMN idle_timeout_secs BIGINT NOT NULL DEFAULT 0;
ALTER TABLE auth_settings ADD COLUMN allow_idp_initiated BIGINT NOT NULL DEFAULT 1;

-- Outstanding single sign-on requests now travel in a signed cookie of the
-- browser that started them; nothing is written when sign-in starts.
DROP TABLE saml_requests;
