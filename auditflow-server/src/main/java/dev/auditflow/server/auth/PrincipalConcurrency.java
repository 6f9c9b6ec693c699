package dev.auditflow.server.auth;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many audited requests each principal has running, bounded: a reader with one token cannot
 * occupy every read connection and Jetty thread by itself (twelve range verifications from one
 * reader once held the whole pool for 20 s). Counted per principal name, in one atomic map update
 * per entry and leave, and forgotten at zero.
 */
final class PrincipalConcurrency {
  private final int limit;
  private final Map<String, Integer> running = new ConcurrentHashMap<>();

  PrincipalConcurrency(int limit) {
    this.limit = limit;
  }

  /** Counts one more request of {@code principal}, unless it already has {@code limit} running. */
  boolean tryEnter(String principal) {
    boolean[] entered = new boolean[1];
    running.compute(principal, (name, now) -> {
      int current = now == null ? 0 : now;
      if (current >= limit) {
        return now;
      }
      entered[0] = true;
      return current + 1;
    });
    return entered[0];
  }

  void leave(String principal) {
    running.compute(principal, (name, now) -> now == null || now <= 1 ? null : now - 1);
  }

  int limit() {
    return limit;
  }
}
