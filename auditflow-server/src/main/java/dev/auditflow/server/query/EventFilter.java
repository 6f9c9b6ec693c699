package dev.auditflow.server.query;

import java.time.Instant;
import java.util.Map;

/**
 * The filters of a query, ANDed. {@code equals} maps column names to required values; {@code
 * since} is inclusive and {@code until} exclusive, either may be null.
 */
public record EventFilter(Map<String, String> equals, Instant since, Instant until) {
  public EventFilter {
    equals = Map.copyOf(equals);
  }
}
