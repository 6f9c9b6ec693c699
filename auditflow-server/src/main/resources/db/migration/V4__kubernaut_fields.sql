-- Fields Kubernaut's services send, stored and returned (docs/KUBERNAUT.md):
--   actor_ip          the client's source IP address (SOC 2 CC7.2 / NIST AU-3), at most 45 characters;
--   parent_event_date the parent event's date (its partition), filled by the service from the parent.
-- cluster_name keeps its column; the API also reads and writes it as cluster_id.
ALTER TABLE audit_events
    ADD COLUMN actor_ip          text,
    ADD COLUMN parent_event_date date;

-- Severity is free text of at most 20 characters (Kubernaut's authwebhook sends "high") and may be
-- absent; the service still stores 'info' when a producer sends none. The length rule lives in
-- the validator, like every other text rule.
ALTER TABLE audit_events DROP CONSTRAINT IF EXISTS audit_events_severity_check;
ALTER TABLE audit_events ALTER COLUMN severity DROP NOT NULL;
