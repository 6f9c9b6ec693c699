package dev.auditflow.server.auth;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits failed authentications per source address: after {@code limit} failures within a
 * window, that address is refused (429) until the window ends — token guessing gets nowhere,
 * and one misconfigured client does not lock out the others. Successful requests are not
 * counted.
 */
public final class FailedAuthentications {
  private record Window(Instant start, int failures) {}

  private final int limit;
  private final Duration window;
  private final Clock clock;
  private final Map<String, Window> bySource = new ConcurrentHashMap<>();

  public FailedAuthentications(int limit, Duration window, Clock clock) {
    this.limit = limit;
    this.window = window;
    this.clock = clock;
  }

  /** How long {@code source} must wait, if it has failed too often in the current window. */
  public Optional<Duration> blockedFor(String source) {
    Window w = current(source);
    if (w == null || w.failures() < limit) {
      return Optional.empty();
    }
    Duration left = Duration.between(clock.instant(), w.start().plus(window));
    return Optional.of(left.isNegative() ? Duration.ZERO : left);
  }

  public void failed(String source) {
    Instant now = clock.instant();
    bySource.compute(source, (k, w) -> w == null || !now.isBefore(w.start().plus(window))
        ? new Window(now, 1) : new Window(w.start(), w.failures() + 1));
    if (bySource.size() > 100_000) {
      // A flood of sources: forget the expired windows rather than grow without bound.
      bySource.entrySet().removeIf(e -> !now.isBefore(e.getValue().start().plus(window)));
    }
  }

  private Window current(String source) {
    Window w = bySource.get(source);
    if (w != null && !clock.instant().isBefore(w.start().plus(window))) {
      bySource.remove(source, w);
      return null;
    }
    return w;
  }
}
