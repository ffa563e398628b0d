-- Two-step verification by a code sent by email (Administration >
-- Authentication, "Codes by email"): with the policy Required and mail set
-- up, people without an authenticator app get a six-digit code by email
-- after their password instead of having to set up an app.
ALTER TABLE auth_settings ADD COLUMN mfa_email_codes BIGINT NOT NULL DEFAULT 0;
-- The person's current code (its keyed hash, never the digits) and until
-- when it works; one at a time, cleared when it is used.
ALTER TABLE users ADD COLUMN mfa_email_code TEXT;
ALTER TABLE users ADD COLUMN mfa_email_code_until TEXT;
