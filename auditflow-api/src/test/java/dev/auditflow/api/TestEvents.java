package dev.auditflow.api;

import java.time.Instant;
import java.util.Map;

final class TestEvents {
  static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");

  private TestEvents() {}

  static AuditEvent.Builder valid() {
    return AuditEvent.builder()
        .eventType("gateway.signal.received")
        .eventTimestamp(NOW)
        .eventCategory("gateway")
        .eventAction("receive")
        .eventOutcome(EventOutcome.SUCCESS)
        .correlationId("corr-1")
        .eventData(Map.of("signal", "cpu-high"));
  }
}
