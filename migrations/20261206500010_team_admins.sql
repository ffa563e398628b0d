-- Team admins and public or private teams (Sigma's "Manage team admins").
-- A team admin is a member of the team with this flag: leaving the team
-- (however it happens: a team admin, an administrator, the identity
-- provider) ends the role with the membership.
ALTER TABLE team_members ADD COLUMN team_admin BIGINT NOT NULL DEFAULT 0;
-- 'public': everyone in the organization sees the team and its members;
-- 'private': only its members and the organization's administrators.
ALTER TABLE teams ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public';
-- "Which teams does this person administer" is asked on every Teams page.
CREATE INDEX team_members_admins ON team_members (org_id, user_id, team_admin);
