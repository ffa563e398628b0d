-- Why did it fail? What an administrator sees of single sign-on and provisioning.

-- SSO sign-in attempts, newest first on Administration > SSO sign-in activity:
-- kept 30 days and at most 1,000 per organization (the oldest go as new ones
-- arrive). A failure is stored once per kind, address and window, as the
-- audit log counts it: tally_key names its audit row, whose repeat_count and
-- last_at say how often and until when it happened again. reason is a key of
-- domain::activity::SsoReason ('' for a success); expected and received are
-- what the reason compares; decoded is the response as JSON
-- (domain::activity::DecodedResponse); response_xml the response pretty-printed.
CREATE TABLE sso_attempts (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    at           TEXT NOT NULL,
    succeeded    BIGINT NOT NULL,
    reason       TEXT NOT NULL,
    message      TEXT NOT NULL,
    expected     TEXT NOT NULL,
    received     TEXT NOT NULL,
    email        TEXT NOT NULL,
    reference    TEXT NOT NULL,
    ip           TEXT NOT NULL,
    decoded      TEXT NOT NULL,
    response_xml TEXT NOT NULL,
    tally_key    TEXT
);
CREATE INDEX sso_attempts_org_at ON sso_attempts (org_id, at);

-- Certificate rotation: a second certificate accepted beside the current one
-- ('' when none), and when a sign-in signed with it was first seen (which lets
-- it become the current one under SAML only).
ALTER TABLE auth_settings ADD COLUMN idp_next_certificate TEXT NOT NULL DEFAULT '';
ALTER TABLE auth_settings ADD COLUMN idp_next_seen_at TEXT;

-- Every SCIM request of an organization's identity provider, newest first on
-- Administration > Provisioning activity. changes is a JSON list of
-- {field, before, after} (domain::activity::FieldChange); request_body is the
-- body with passwords redacted and long member lists shortened.
CREATE TABLE provisioning_activity (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    at             TEXT NOT NULL,
    request_id     TEXT NOT NULL,
    token_id       TEXT NOT NULL,
    token_name     TEXT NOT NULL,
    method         TEXT NOT NULL,
    path           TEXT NOT NULL,
    status         BIGINT NOT NULL,
    latency_us     BIGINT NOT NULL,
    outcome        TEXT NOT NULL,
    resource_kind  TEXT NOT NULL,
    resource_id    TEXT NOT NULL,
    resource_label TEXT NOT NULL,
    changes        TEXT NOT NULL,
    error_type     TEXT NOT NULL,
    message        TEXT NOT NULL,
    request_body   TEXT NOT NULL
);
CREATE INDEX provisioning_activity_org_at ON provisioning_activity (org_id, at);
CREATE INDEX provisioning_activity_resource ON provisioning_activity (org_id, resource_id, at);

-- How long provisioning activity is kept, in days; NULL: 30.
ALTER TABLE organizations ADD COLUMN provisioning_activity_days BIGINT;
