-- The provisioning activity's per-person and per-team index leaves out the
-- requests about no one (list reads, most of an identity provider's
-- traffic): one index less to write for each of them. A query by resource
-- says `resource_id <> ''` so that both databases use it.
DROP INDEX provisioning_activity_resource;
CREATE INDEX provisioning_activity_resource ON provisioning_activity (org_id, resource_id, at) WHERE resource_id <> '';
