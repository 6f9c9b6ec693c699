package dev.auditflow.client;

import java.time.Duration;

/**
 * Where the store's time and work come from: a ticker, a serial scheduler for the dispatcher
 * (timers and wake-ups, never I/O) and an executor for the requests. {@link #threads} is the
 * real thing; tests pass a fake that runs everything on their own thread, on a clock they move
 * (in the spirit of OkHttp's {@code TaskFaker}), so the store's timing rules are checked
 * deterministically and without waiting.
 */
interface StoreRuntime {
  /** Monotonic nanoseconds, as {@link System#nanoTime()}. */
  long nanoTime();

  /** Runs {@code task} on the dispatcher, after what is queued there. */
  void dispatch(Runnable task);

  /** Runs {@code task} on the dispatcher in {@code delayNanos}; the handle cancels it. */
  Cancellable schedule(Runnable task, long delayNanos);

  /** Runs a request on a sender. */
  void send(Runnable request);

  /** Stops taking work, interrupts what runs, drops what is scheduled; waits up to {@code grace}. */
  boolean shutdownNow(Duration grace) throws InterruptedException;

  /** Stops taking work; what was accepted still runs. */
  void shutdown();

  /** A scheduled task that has not run yet can be cancelled. */
  interface Cancellable {
    void cancel();
  }

  /** Real threads: one dispatcher thread, {@code senders} sender threads; all daemons. */
  static StoreRuntime threads(int senders) {
    return new ThreadRuntime(senders);
  }
}
