-- Multi-factor authentication for password sign-in, and guests.

-- 'off', 'optional' or 'required' (for password sign-ins; SSO relies on the
-- identity provider's own factors), and whether guests may sign in.
ALTER TABLE auth_settings ADD COLUMN mfa_policy TEXT NOT NULL DEFAULT 'off';
ALTER TABLE auth_settings ADD COLUMN allow_guests BIGINT NOT NULL DEFAULT 0;

-- A guest: someone outside the identity provider who signs in with a password.
ALTER TABLE users ADD COLUMN is_guest BIGINT NOT NULL DEFAULT 0;
-- The authenticator app's key, sealed with the instance key (NULL: none);
-- when it was confirmed; the last time step a code was accepted for (a code
-- works once).
ALTER TABLE users ADD COLUMN mfa_secret TEXT;
ALTER TABLE users ADD COLUMN mfa_enabled_at TEXT;
ALTER TABLE users ADD COLUMN mfa_last_step BIGINT NOT NULL DEFAULT 0;

-- Single-use recovery codes, as SHA-256 hashes (80 random bits each).
CREATE TABLE mfa_recovery_codes (
    org_id     TEXT NOT NULL REFERENCES organizations(id),
    user_id    TEXT NOT NULL REFERENCES users(id),
    code_hash  TEXT NOT NULL,
    used_at    TEXT,
    PRIMARY KEY (user_id, code_hash)
);
