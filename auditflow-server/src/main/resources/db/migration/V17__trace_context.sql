-- Trace context (docs/OTLP.md): an event may name the OpenTelemetry trace and span it was emitted
-- in, so that an auditor can go from the event to its trace and back. NULL for every row stored
-- before the columns existed and for events sent without them; the canonical form omits them
-- when NULL, so older chains, checkpoints and exports verify unchanged.
ALTER TABLE audit_events
    ADD COLUMN trace_id text,
    ADD COLUMN span_id text;

-- "Every audit event of this trace" (GET /api/v1/audit/events?trace_id=…), in page order.
-- Partial: events without a trace (Kubernaut's, curl's, every event before V17) cost it nothing.
CREATE INDEX audit_events_trace_idx ON audit_events (trace_id, event_timestamp, event_id)
    WHERE trace_id IS NOT NULL;
