package dev.auditflow.server.trail;

import java.time.Instant;
import java.util.Map;

/**
 * The filters of a query, ANDed. {@code equals} maps column names to required values; {@code
 * since} and {@code until} are both inclusive (Kubernaut's reading), either may be null; {@code
 * detail} may be null; {@code excludedCategory}, when not null, leaves out the events of that
 * category (the console hides the server's own records with it); {@code producer}, when not null,
 * keeps one producer epoch's events in a range of numbers.
 */
public record EventFilter(Map<String, String> equals, Instant since, Instant until, DetailFilter detail,
    String excludedCategory, ProducerRange producer) {
  public EventFilter {
    equals = Map.copyOf(equals);
  }

  public EventFilter(Map<String, String> equals, Instant since, Instant until) {
    this(equals, since, until, null, null, null);
  }

  /** The same filter over another time range. */
  public EventFilter between(Instant from, Instant to) {
    return new EventFilter(equals, from, to, detail, excludedCategory, producer);
  }
}
