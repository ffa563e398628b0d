-- Gatehouse's first schema. Portable SQL: it runs unchanged on SQLite and
-- PostgreSQL (text ids, UTC times as fixed-width RFC 3339 text, BIGINT flags).

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE account_types (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations(id),
    name            TEXT NOT NULL,
    name_norm       TEXT NOT NULL,
    description     TEXT NOT NULL DEFAULT '',
    -- 'viewer', 'creator' or 'admin' for the built-in types, NULL for custom ones
    built_in        TEXT,
    -- JSON array of permission keys
    permissions     TEXT NOT NULL,
    invite_default  BIGINT NOT NULL DEFAULT 0,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (org_id, name_norm)
);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    org_id           TEXT NOT NULL REFERENCES organizations(id),
    email            TEXT NOT NULL,
    email_norm       TEXT NOT NULL,
    first_name       TEXT NOT NULL,
    last_name        TEXT NOT NULL,
    account_type_id  TEXT NOT NULL REFERENCES account_types(id),
    status           TEXT NOT NULL DEFAULT 'active',
    origin           TEXT NOT NULL DEFAULT 'local',
    external_id      TEXT,
    password_hash    TEXT,
    last_login_at    TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    UNIQUE (org_id, email_norm)
);
CREATE INDEX users_org_type ON users (org_id, account_type_id);

CREATE TABLE teams (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    name         TEXT NOT NULL,
    name_norm    TEXT NOT NULL,
    description  TEXT NOT NULL DEFAULT '',
    origin       TEXT NOT NULL DEFAULT 'local',
    external_id  TEXT,
    status       TEXT NOT NULL DEFAULT 'active',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX teams_org_name ON teams (org_id, name_norm);

CREATE TABLE team_members (
    org_id    TEXT NOT NULL REFERENCES organizations(id),
    team_id   TEXT NOT NULL REFERENCES teams(id),
    user_id   TEXT NOT NULL REFERENCES users(id),
    added_at  TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id);

CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    at           TEXT NOT NULL,
    actor_id     TEXT,
    -- who acted, as shown: an email, a provisioning token's name, or 'system'
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    target       TEXT NOT NULL DEFAULT '',
    -- lower-case copy of the target, for the rate limit and the person filter
    target_norm  TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_org_at ON audit_events (org_id, at);
CREATE INDEX audit_org_action_at ON audit_events (org_id, action, at);
CREATE INDEX audit_org_target_at ON audit_events (org_id, target_norm, at);

-- One row once the first-run setup has happened; its primary key makes a
-- second, concurrent setup fail instead of creating a second organization.
CREATE TABLE setup_lock (
    id       TEXT PRIMARY KEY,
    done_at  TEXT NOT NULL
);
