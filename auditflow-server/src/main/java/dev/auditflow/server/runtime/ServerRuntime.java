package dev.auditflow.server.runtime;

import java.time.Clock;
import java.time.Duration;

/**
 * Where the server's background work gets its time and its turns: the log's integration, the
 * scheduled purge, the DLQ's replay and its Redis connection, the TLS certificate's reload. Each is
 * a {@link Loop} whose every run says how long to wait before the next, so its timing rules live in
 * one method that tests drive on fake time ({@code FakeServerRuntime}, in the tests, in the spirit
 * of OkHttp's {@code TaskFaker} and the client's {@code StoreRuntime}); {@link #threads} is the real
 * thing.
 */
public interface ServerRuntime extends AutoCloseable {
  /** What a run returns when its loop's work is done for good (a connection made): the loop ends. */
  Duration DONE = Duration.ofSeconds(Long.MAX_VALUE);

  /** The time of day: what records are stamped with and expiry is reckoned from. */
  Clock clock();

  /**
   * Runs {@code task} after {@code firstDelay}, then again after each delay a run returns, until
   * the loop or the runtime is closed.
   *
   * @param name names the loop's thread and its log lines
   */
  Loop loop(String name, Duration firstDelay, Task task);

  /** Closes every loop still running. */
  @Override
  void close();

  /** One run of a loop. */
  @FunctionalInterface
  interface Task {
    /**
     * Does one round of work.
     *
     * @return how long to wait before the next run; {@link Duration#ZERO} to run again at once,
     *     {@link #DONE} to end the loop
     * @throws InterruptedException when the loop's thread is interrupted while the run waits
     */
    Duration run() throws InterruptedException;
  }

  /** A running loop. */
  interface Loop extends AutoCloseable {
    /** Stops the loop: no run starts after this; one under way finishes and is waited for. */
    @Override
    void close();
  }

  /** Real time: each loop on a daemon thread of its own, so a slow run never holds another loop back. */
  static ServerRuntime threads(Clock clock) {
    return new ThreadRuntime(clock);
  }
}
