-- Administration > User Attributes: attributes an admin defines, their values
-- per person and per team, and the row rule a dataset's documents apply with
-- them (row-level security). Portable SQL (SQLite and PostgreSQL).
CREATE TABLE user_attributes (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations(id),
    name           TEXT NOT NULL,
    -- LOWER(name): names are unique per organization whatever their case
    name_norm      TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    -- the value of people with none of their own and none from a team
    default_value  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (org_id, name_norm)
);

-- One value per attribute and person or team. A person's own value wins; else
-- the value of their active team with the lowest priority number (the admin's
-- team order, 1 first); else the attribute's default.
CREATE TABLE user_attribute_values (
    org_id        TEXT NOT NULL REFERENCES organizations(id),
    attribute_id  TEXT NOT NULL REFERENCES user_attributes(id),
    -- 'user' or 'team'
    subject_kind  TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    value         TEXT NOT NULL,
    -- teams only: the team's place in the attribute's order (1 first)
    priority      BIGINT NOT NULL DEFAULT 0,
    -- 'local' (set here) or 'scim' (set by the identity provider, read-only here)
    origin        TEXT NOT NULL DEFAULT 'local',
    updated_at    TEXT NOT NULL,
    PRIMARY KEY (attribute_id, subject_kind, subject_id)
);
CREATE INDEX user_attribute_values_subject ON user_attribute_values (org_id, subject_kind, subject_id);

-- The row rule of a dataset, which every document over it applies to every
-- reader: JSON {"column", "op" ("eq" or "in"), "attribute" (an attribute id)}.
ALTER TABLE datasets ADD COLUMN row_rule TEXT;
