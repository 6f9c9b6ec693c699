package dev.auditflow.server.export;

import dev.auditflow.api.Timestamps;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
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

  /** {@code WHERE …} for these filters (also bounding {@code event_date}, for partition pruning). */
  String where() {
    List<String> conditions = new ArrayList<>();
    if (startTime != null) {
      conditions.add("event_timestamp >= ? AND event_date >= ?");
    }
    if (endTime != null) {
      conditions.add("event_timestamp <= ? AND event_date <= ?");
    }
    if (correlationId != null) {
      conditions.add("correlation_id = ?");
    }
    if (eventCategory != null) {
      conditions.add("event_category = ?");
    }
    return conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
  }

  /** Binds {@link #where()}'s parameters from index 1; returns the next index. */
  int bind(PreparedStatement ps) throws SQLException {
    int i = 1;
    if (startTime != null) {
      ps.setObject(i++, startTime.atOffset(ZoneOffset.UTC));
      ps.setObject(i++, startTime.atOffset(ZoneOffset.UTC).toLocalDate());
    }
    if (endTime != null) {
      ps.setObject(i++, endTime.atOffset(ZoneOffset.UTC));
      ps.setObject(i++, endTime.atOffset(ZoneOffset.UTC).toLocalDate());
    }
    if (correlationId != null) {
      ps.setString(i++, correlationId);
    }
    if (eventCategory != null) {
      ps.setString(i++, eventCategory);
    }
    return i;
  }
}
