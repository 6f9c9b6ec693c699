-- A token authenticates as the principal token:<name>, recorded as ingested_by and as the actor of
-- every access record: two live tokens of one name were one principal to the trail and two to
-- the admin. Names are now unique among tokens not revoked (a revoked token's name may be given
-- again; the token list tells them apart by time). A store with live namesakes keeps the oldest
-- name as it is and gives each later one its id's first 8 characters: name-0190a1b2.
UPDATE api_tokens t SET name = t.name || '-' || left(t.token_id::text, 8)
WHERE t.revoked_at IS NULL
  AND EXISTS (SELECT 1 FROM api_tokens o
              WHERE o.name = t.name AND o.revoked_at IS NULL AND (o.created_at, o.token_id) < (t.created_at, t.token_id));

CREATE UNIQUE INDEX api_tokens_live_name_key ON api_tokens (name) WHERE revoked_at IS NULL;
