-- Every index costs every insert, and each must serve a query: docs/BENCHMARKS.md §3b measures
-- both sides (ingest with and without each index; every query filter's latency at 1 M events).

-- audit_events_chain_idx (correlation_id, chain_position) served only readers of a whole chain —
-- verify, export in chain order, the purge's lookups of a position — and
-- audit_events_correlation_idx (correlation_id, event_timestamp, event_id) finds exactly the same
-- rows: a chain is read whole and sorted by position in memory, which costs those rare readers
-- little and every write one index less. Queries by correlation_id keep their index order by
-- time, which keyset pages need.
DROP INDEX IF EXISTS audit_events_chain_idx;

-- severity had no index: a page of a rare severity ("critical" is rare by nature) was found by
-- walking the time index backwards through every other row — 61 ms p99 at 1 M events. Five
-- values, each appended in time order, make this one of the cheaper indexes to maintain.
CREATE INDEX IF NOT EXISTS audit_events_severity_idx ON audit_events (severity, event_timestamp, event_id);
