package dev.auditflow.client;

import java.time.Duration;
import java.util.Objects;

/**
 * When a spooled event is forced to disk (docs/COMPLETENESS.md), trading the producer's latency
 * for what a crash of the machine (not only of the process) may lose:
 *
 * <ul>
 *   <li>{@link #always()}: {@code store()} returns once the event is on disk. Concurrent calls
 *       share one {@code fsync} (group commit), so throughput grows with the number of producing
 *       threads; one thread pays a disk flush per event. Nothing accepted is lost, whatever
 *       crashes.
 *   <li>{@link #interval(Duration)}: {@code store()} returns once the event is written to the
 *       spool file; a background flush forces the file every interval. A killed process loses
 *       nothing (the operating system keeps what was written); a machine that loses power may
 *       lose up to one interval of events, and every lost number is reported as a gap, never
 *       silently. {@code storeDurably} still waits for the disk.
 * </ul>
 */
public final class FsyncPolicy {
  private final Duration interval;

  private FsyncPolicy(Duration interval) {
    this.interval = interval;
  }

  public static FsyncPolicy always() {
    return new FsyncPolicy(Duration.ZERO);
  }

  /** Group commit: the spool is forced every {@code interval} (at least 1 ms). */
  public static FsyncPolicy interval(Duration interval) {
    Objects.requireNonNull(interval, "interval");
    if (interval.toMillis() < 1) {
      throw new IllegalArgumentException("the fsync interval must be at least 1 ms, was " + interval);
    }
    return new FsyncPolicy(interval);
  }

  /** True for {@link #always()}. */
  public boolean isAlways() {
    return interval.isZero();
  }

  /** The group-commit interval; zero for {@link #always()}. */
  public Duration interval() {
    return interval;
  }

  @Override
  public String toString() {
    return isAlways() ? "ALWAYS" : "INTERVAL(" + interval.toMillis() + " ms)";
  }
}
