-- Whether an account type administers the organization, as a stored fact:
-- the last-admin rule and the page guard count administrators with an
-- indexable column instead of searching the JSON permission list.
-- store::account_types keeps it equal to the permission list on every write.
ALTER TABLE account_types ADD COLUMN administers BIGINT NOT NULL DEFAULT 0;
UPDATE account_types SET administers = 1 WHERE permissions LIKE '%"administer"%';
