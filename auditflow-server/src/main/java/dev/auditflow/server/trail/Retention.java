package dev.auditflow.server.trail;

import dev.auditflow.api.AuditEvent;

/**
 * How many days an event is kept, decided once, when it is stored (docs/COMPLIANCE.md): from the
 * event's own {@code retention_days} or, when it has none, from the retention policy.
 */
@FunctionalInterface
public interface Retention {
  int effectiveDays(AuditEvent event);

  /** The event's own retention, else {@code days}: no policies (benchmarks, tools). */
  static Retention fixed(int days) {
    return event -> event.retentionDays() != null ? event.retentionDays() : days;
  }
}
