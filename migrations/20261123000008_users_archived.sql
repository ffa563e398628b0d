-- The few archived users of an organization, so a team's members can be
-- listed from the team_members index alone ("not one of these"), instead of
-- looking every member up in users. A partial index: both SQLite and
-- PostgreSQL accept this syntax.
CREATE INDEX users_archived ON users (org_id, id) WHERE archived_at IS NOT NULL;
