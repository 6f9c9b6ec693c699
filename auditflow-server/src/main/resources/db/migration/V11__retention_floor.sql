-- A producer's own retention_days had no floor under the default policy: retention_days 1 on a
-- 6-day-old event, and the acknowledged event was purged within the hour. The default policy now
-- ships a floor of 30 days (docs/COMPLIANCE.md), which applies wherever the deciding policy names
-- no floor of its own; an administrator lowers it explicitly (PUT /api/v1/admin/retention-policies).
UPDATE retention_policies SET minimum_days = 30
WHERE event_category IS NULL AND event_type IS NULL AND minimum_days IS NULL AND retention_days >= 30;
