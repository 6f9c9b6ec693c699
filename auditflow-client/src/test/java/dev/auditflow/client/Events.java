package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import java.time.Instant;
import java.util.Map;

final class Events {
  private Events() {}

  static AuditEvent event(String correlationId) {
    return AuditEvent.builder()
        .eventType("test.event.emitted")
        .eventTimestamp(Instant.now())
        .eventCategory("test")
        .eventAction("emit")
        .eventOutcome(EventOutcome.SUCCESS)
        .correlationId(correlationId)
        .eventData(Map.of("k", "v"))
        .build();
  }
}
