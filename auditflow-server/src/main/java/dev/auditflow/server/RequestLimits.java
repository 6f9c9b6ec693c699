package dev.auditflow.server;

import java.time.Duration;

/**
 * What one client can make the service hold (docs/SECURITY.md, "Limits").
 *
 * @param headerTimeout the longest a request's line and headers may take to arrive, counted from
 *     its first byte; then the connection is closed (a client sending a header line every few
 *     seconds would otherwise hold a connection for ever: "slowloris")
 */
public record RequestLimits(Duration headerTimeout) {
  public RequestLimits {
    if (headerTimeout == null || headerTimeout.toMillis() < 100) {
      throw new IllegalArgumentException("the header timeout must be >= 100 ms, was " + headerTimeout);
    }
  }

  /** Headers within 10 s. */
  public static RequestLimits defaults() {
    return new RequestLimits(Duration.ofSeconds(10));
  }
}
