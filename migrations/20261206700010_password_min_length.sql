-- The organization's minimum password length (Administration > Authentication):
-- 12 (the floor) to 64 characters. New passwords are checked against it;
-- passwords set before a change keep working.
ALTER TABLE auth_settings ADD COLUMN password_min_length INTEGER NOT NULL DEFAULT 12;
