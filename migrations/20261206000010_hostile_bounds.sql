-- Bounds on what people who are not signed in can make Gatehouse write.

-- Refusals (wrong passwords, rate-limited attempts, failed SSO responses) are
-- counted: one row per kind of refusal, address and window, whose
-- repeat_count grows, instead of a row each. tally_key names that kind and
-- window; NULL for every other event (NULLs never conflict in a unique index,
-- on SQLite and PostgreSQL alike). last_at: the latest of the repeats.
ALTER TABLE audit_events ADD COLUMN repeat_count BIGINT NOT NULL DEFAULT 1;
ALTER TABLE audit_events ADD COLUMN tally_key TEXT;
ALTER TABLE audit_events ADD COLUMN last_at TEXT;
CREATE UNIQUE INDEX audit_org_tally ON audit_events (org_id, tally_key);

-- How long the audit log keeps events, in days; NULL: the operator's default
-- (GATEHOUSE_AUDIT_RETENTION_DAYS, 400 when unset).
ALTER TABLE organizations ADD COLUMN audit_retention_days BIGINT;
