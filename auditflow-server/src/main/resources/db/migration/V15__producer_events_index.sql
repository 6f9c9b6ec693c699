-- "The events around a gap": one producer epoch's events by number (GET /api/v1/audit/events?
-- producer_epoch=…&producer_seq_from=…&producer_seq_to=…, the console's link from a gap). Partial:
-- events without producer numbers (Kubernaut's, curl's, every event before V13) are not in it and
-- cost it nothing.
CREATE INDEX audit_events_producer_idx ON audit_events (producer_epoch, producer_seq)
    WHERE producer_epoch IS NOT NULL;
