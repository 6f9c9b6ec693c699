package dev.auditflow.server.log;

import java.time.Duration;

/**
 * The verifiable log's integrator (docs/LOG.md).
 *
 * @param enabled whether stored events enter the log; off only to measure what the log costs —
 *     events stored while it is off never get a leaf
 * @param interval how long the integrator waits between rounds when there was nothing to do
 *     (default 200 ms): with a backlog it goes again at once
 * @param maxLeavesPerRound a round stops taking queue rows once it holds this many events (default
 *     20 000; one request's events are never split), which bounds a round's transaction
 * @param replicatedCheckpoints sign only state a synchronous standby has applied: each round
 *     commits with {@code synchronous_commit = remote_apply}, so a checkpoint becomes visible — to
 *     a witness — only once the standby holds it, and a standby promoted after a failover never
 *     lacks a tree a witness has seen (docs/SCALE.md, "Failover")
 */
public record LogSettings(boolean enabled, Duration interval, int maxLeavesPerRound, boolean replicatedCheckpoints) {
  public LogSettings {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("log-interval must be > 0, was " + interval);
    }
    if (maxLeavesPerRound < 1) {
      throw new IllegalArgumentException("log-max-leaves-per-round must be >= 1, was " + maxLeavesPerRound);
    }
  }

  public LogSettings(boolean enabled, Duration interval, int maxLeavesPerRound) {
    this(enabled, interval, maxLeavesPerRound, false);
  }

  public static LogSettings defaults() {
    return new LogSettings(true, Duration.ofMillis(200), 20_000);
  }

  /** The log off: what the benchmarks compare the default with. */
  public static LogSettings disabled() {
    return new LogSettings(false, Duration.ofMillis(200), 20_000);
  }
}
