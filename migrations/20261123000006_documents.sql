-- Documents and the datasets they show. Portable SQL (SQLite and PostgreSQL).
-- A dataset's rows live in one table with generic typed slots: up to 12 text
-- columns (t1..t12) and 8 number columns (n1..n8); the dataset's column list
-- maps each named column to its slot, so filters and sorts are plain bound SQL.

CREATE TABLE datasets (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    name        TEXT NOT NULL,
    -- JSON array of {"name", "kind" ("text" or "number"), "slot"}
    columns     TEXT NOT NULL,
    row_count   BIGINT NOT NULL DEFAULT 0,
    -- 'demo' or 'csv'
    source      TEXT NOT NULL,
    created_by  TEXT REFERENCES users(id),
    created_at  TEXT NOT NULL
);
CREATE INDEX datasets_org ON datasets (org_id, name);

CREATE TABLE dataset_rows (
    dataset_id  TEXT NOT NULL REFERENCES datasets(id),
    row_no      BIGINT NOT NULL,
    t1 TEXT, t2 TEXT, t3 TEXT, t4 TEXT, t5 TEXT, t6 TEXT,
    t7 TEXT, t8 TEXT, t9 TEXT, t10 TEXT, t11 TEXT, t12 TEXT,
    n1 DOUBLE PRECISION, n2 DOUBLE PRECISION, n3 DOUBLE PRECISION, n4 DOUBLE PRECISION,
    n5 DOUBLE PRECISION, n6 DOUBLE PRECISION, n7 DOUBLE PRECISION, n8 DOUBLE PRECISION,
    PRIMARY KEY (dataset_id, row_no)
);

CREATE TABLE documents (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organizations(id),
    name         TEXT NOT NULL,
    dataset_id   TEXT NOT NULL REFERENCES datasets(id),
    -- JSON: the chosen column names, the filters, the sort (or null)
    columns      TEXT NOT NULL,
    filters      TEXT NOT NULL DEFAULT '[]',
    sort         TEXT NOT NULL DEFAULT 'null',
    owner_id     TEXT NOT NULL REFERENCES users(id),
    -- set: the document lives in this team's workspace
    team_id      TEXT REFERENCES teams(id),
    -- set: "My documents > Archived users > <folder>" of the owner (moved on deactivation)
    folder       TEXT,
    created_by   TEXT REFERENCES users(id),
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX documents_owner ON documents (org_id, owner_id);
CREATE INDEX documents_team ON documents (org_id, team_id);

CREATE TABLE document_shares (
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    document_id   TEXT NOT NULL REFERENCES documents(id),
    -- 'user' or 'team'
    grantee_kind  TEXT NOT NULL,
    grantee_id    TEXT NOT NULL,
    created_by    TEXT REFERENCES users(id),
    created_at    TEXT NOT NULL,
    PRIMARY KEY (document_id, grantee_kind, grantee_id)
);
CREATE INDEX document_shares_grantee ON document_shares (org_id, grantee_kind, grantee_id);

-- Export to webhook: the URLs an admin allows (Administration > Account).
CREATE TABLE webhook_destinations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    url         TEXT NOT NULL,
    created_by  TEXT REFERENCES users(id),
    created_at  TEXT NOT NULL,
    UNIQUE (org_id, url)
);
