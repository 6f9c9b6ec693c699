-- Audit events, partitioned by month on the UTC date of event_timestamp.
-- Text columns carry no length limits here: the rules live in auditflow-api's EventValidator,
-- which the server applies before any write, and which reports every violation at once.
CREATE TABLE audit_events (
    event_id        uuid        NOT NULL,
    event_date      date        NOT NULL,
    event_timestamp timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    version         text        NOT NULL,
    event_type      text        NOT NULL,
    event_category  text        NOT NULL,
    event_action    text        NOT NULL,
    event_outcome   text        NOT NULL CHECK (event_outcome IN ('success', 'failure', 'pending')),
    correlation_id  text        NOT NULL,
    actor_type      text,
    actor_id        text,
    resource_type   text,
    resource_id     text,
    resource_name   text,
    parent_event_id uuid,
    namespace       text,
    cluster_name    text,
    severity        text        NOT NULL CHECK (severity IN ('debug', 'info', 'warning', 'error', 'critical')),
    duration_ms     bigint      CHECK (duration_ms >= 0),
    error_code      text,
    error_message   text,
    event_data      jsonb       NOT NULL CHECK (jsonb_typeof(event_data) = 'object'),
    retention_days  integer     NOT NULL CHECK (retention_days BETWEEN 1 AND 2555),
    is_sensitive    boolean     NOT NULL DEFAULT false,
    -- The partition key must be part of the primary key; event_date is derived from the event's
    -- own timestamp, so a retried event lands on the same key and is recognised as a duplicate.
    PRIMARY KEY (event_id, event_date)
) PARTITION BY RANGE (event_date);

-- event_id trails each index so keyset pagination, which orders by (event_timestamp, event_id),
-- is answered in index order without a sort.
CREATE INDEX audit_events_correlation_idx ON audit_events (correlation_id, event_timestamp, event_id);
CREATE INDEX audit_events_type_idx        ON audit_events (event_type, event_timestamp, event_id);
CREATE INDEX audit_events_resource_idx    ON audit_events (resource_type, resource_id, event_timestamp, event_id);
CREATE INDEX audit_events_actor_idx       ON audit_events (actor_id, event_timestamp, event_id);
CREATE INDEX audit_events_timestamp_idx   ON audit_events (event_timestamp, event_id);

-- Creates the month partition holding `day` unless it exists. Safe under concurrency: callers of
-- the same month serialise on an advisory lock held to the end of their transaction, so only
-- the first creates it and the others find it; different months do not wait for each other.
CREATE FUNCTION auditflow_ensure_month_partition(day date) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    month_start date := date_trunc('month', day)::date;
    month_end   date := (date_trunc('month', day) + interval '1 month')::date;
    part_name   text := format('audit_events_%s', to_char(month_start, 'YYYY_MM'));
    qualified   text := format('%I.%I', current_schema(), part_name);
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('auditflow.audit_events.partition'),
                                  (extract(year FROM month_start) * 12 + extract(month FROM month_start))::int);
    IF to_regclass(qualified) IS NULL THEN
        EXECUTE format('CREATE TABLE %s PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                       qualified, month_start, month_end);
    END IF;
    RETURN part_name;
END
$$;
