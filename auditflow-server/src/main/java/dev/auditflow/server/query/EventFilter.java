package dev.auditflow.server.query;

import java.time.Instant;
import java.util.Map;

/**
 * The filters of a query, ANDed. {@code equals} maps column names to required values; {@code
 * since} and {@code until} are both inclusive (Kubernaut's reading), either may be null; {@code
 * detail} may be null.
 */
public record EventFilter(Map<String, String> equals, Instant since, Instant until, DetailFilter detail) {
  public EventFilter {
    equals = Map.copyOf(equals);
  }

  public EventFilter(Map<String, String> equals, Instant since, Instant until) {
    this(equals, since, until, null);
  }
}
