-- Administration > Authentication > Allowed IP addresses: the address ranges
-- an organization may be reached from. No rows: no restriction. A range
-- applies to the application (pages, sign-in, exports), the SCIM API, or both.
CREATE TABLE ip_allowlist (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations(id),
    -- the range in its canonical form ("203.0.113.0/24", "2001:db8::/32")
    cidr        TEXT NOT NULL,
    -- 'app', 'scim' or 'both'
    scope       TEXT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    created_by  TEXT,
    created_at  TEXT NOT NULL,
    UNIQUE (org_id, cidr)
);
