package dev.auditflow.cli.load;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * A one-line progress bar on stderr, redrawn twice a second, shown only once a run has lasted a
 * couple of seconds — short runs stay quiet.
 */
final class ProgressBar implements AutoCloseable {
  private static final long SHOW_AFTER_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final PrintStream out;
  private final long total;
  private final LongSupplier done;
  private final LongSupplier acknowledged;
  private final Supplier<Duration> oldestUnacknowledged;
  private final Thread thread;
  private final long start = System.nanoTime();
  private volatile boolean running = true;
  private boolean shown;

  /** @param oldestUnacknowledged how long the oldest event in flight has waited: why the bar may not move */
  ProgressBar(PrintStream out, long total, LongSupplier done, LongSupplier acknowledged,
      Supplier<Duration> oldestUnacknowledged) {
    this.out = out;
    this.total = total;
    this.done = done;
    this.acknowledged = acknowledged;
    this.oldestUnacknowledged = oldestUnacknowledged;
    this.thread = new Thread(this::loop, "auditflow-progress");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(500);
      } catch (InterruptedException e) {
        return;
      }
      if (System.nanoTime() - start >= SHOW_AFTER_NANOS) {
        draw();
      }
    }
  }

  private synchronized void draw() {
    shown = true;
    long n = done.getAsLong();
    int width = 30;
    int filled = total > 0 ? (int) Math.min(width, n * width / total) : (int) ((System.nanoTime() - start) / 500_000_000L % (width + 1));
    String bar = "#".repeat(filled) + "-".repeat(width - filled);
    long waiting = oldestUnacknowledged.get().toSeconds();
    out.printf("\r[%s] %d%s emitted, %d acknowledged, %.0f s%s ", bar, n, total > 0 ? "/" + total : "",
        acknowledged.getAsLong(), (System.nanoTime() - start) / 1e9,
        waiting >= 3 ? ", oldest unacknowledged " + waiting + " s (the client retries until its delivery timeout)" : "");
    out.flush();
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    synchronized (this) {
      if (shown) {
        draw();
        out.println();
      }
    }
  }
}
