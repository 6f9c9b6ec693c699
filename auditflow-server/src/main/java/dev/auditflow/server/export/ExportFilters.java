package dev.auditflow.server.export;

import dev.auditflow.api.Timestamps;
import dev.auditflow.server.trail.EventFilter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What an export covers (Kubernaut's filters): events with {@code event_timestamp} in
 * [{@code startTime}, {@code endTime}] (both inclusive, either open), of one correlation and/or
 * category; and whether PII is redacted.
 */
public record ExportFilters(Instant startTime, Instant endTime, String correlationId, String eventCategory,
    boolean redactPii) {

  /** The filters as the manifest and the Kubernaut answer state them (unset ones left out). */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    if (startTime != null) {
      map.put("start_time", Timestamps.format(startTime));
    }
    if (endTime != null) {
      map.put("end_time", Timestamps.format(endTime));
    }
    if (correlationId != null) {
      map.put("correlation_id", correlationId);
    }
    if (eventCategory != null) {
      map.put("event_category", eventCategory);
    }
    return map;
  }

  /** The events these filters cover, as every reader of the trail filters them. */
  public EventFilter events() {
    Map<String, String> equals = new LinkedHashMap<>();
    if (correlationId != null) {
      equals.put("correlation_id", correlationId);
    }
    if (eventCategory != null) {
      equals.put("event_category", eventCategory);
    }
    return new EventFilter(equals, startTime, endTime);
  }
}
