-- Every index costs every insert (docs/BENCHMARKS.md measures each one). audit_events_chain_idx
-- (correlation_id, chain_position) served only readers of a whole chain — verify, export in chain
-- order, the purge's lookups of a position — and audit_events_correlation_idx (correlation_id,
-- event_timestamp, event_id) finds exactly the same rows: a chain is read whole and sorted by
-- position in memory, which costs those rare readers little and every write one index less.
-- Queries by correlation_id keep their index order by time, which keyset pages need.
DROP INDEX IF EXISTS audit_events_chain_idx;
