package dev.auditflow.client;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.PriorityQueue;

/**
 * A {@link StoreRuntime} with no threads and a clock that moves only when the test says so: work
 * handed to the dispatcher or a sender waits in a queue until the test runs it, and timers fire
 * when the test advances the clock past them — in the order of their deadlines, with the clock
 * set to each deadline as it fires. The store's timing rules can then be checked exactly and at
 * once. Everything runs on the test's thread.
 */
final class FakeTime implements StoreRuntime {
  private record Timer(long due, long order, Runnable task, boolean[] cancelled) {}

  private long now = 1_000_000_000_000L;
  private long order;
  private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
  private final PriorityQueue<Timer> timers = new PriorityQueue<>((a, b) -> a.due != b.due
      ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
  private boolean stopped;

  @Override
  public synchronized long nanoTime() {
    return now;
  }

  @Override
  public synchronized void dispatch(Runnable task) {
    if (!stopped) {
      ready.add(task);
    }
  }

  @Override
  public synchronized Cancellable schedule(Runnable task, long delayNanos) {
    boolean[] cancelled = {false};
    if (!stopped) {
      timers.add(new Timer(now + Math.max(0, delayNanos), order++, task, cancelled));
    }
    return () -> cancelled[0] = true;
  }

  @Override
  public synchronized void send(Runnable request) {
    dispatch(request);
  }

  @Override
  public synchronized boolean shutdownNow(Duration grace) {
    stopped = true;
    ready.clear();
    timers.clear();
    return true;
  }

  @Override
  public synchronized void shutdown() {
    stopped = true;
  }

  /** Runs what is ready, and what that makes ready, without moving the clock. */
  void runUntilIdle() {
    Runnable next;
    while ((next = poll()) != null) {
      next.run();
    }
  }

  /** Moves the clock forward by {@code d}, firing each due timer at its own deadline. */
  void advance(Duration d) {
    long target;
    synchronized (this) {
      target = now + d.toNanos();
    }
    runUntilIdle();
    while (true) {
      Timer timer;
      synchronized (this) {
        timer = timers.peek();
        if (timer == null || timer.due > target) {
          now = target;
          break;
        }
        timers.poll();
        now = Math.max(now, timer.due);
      }
      if (!timer.cancelled[0]) {
        timer.task.run();
      }
      runUntilIdle();
    }
    runUntilIdle();
  }

  /**
   * The process was not scheduled for {@code d}: the clock jumps first, then the timers that came
   * due meanwhile fire — late, as a starved or suspended process's timers do.
   */
  void stall(Duration d) {
    synchronized (this) {
      now += d.toNanos();
    }
    advance(Duration.ZERO);
  }

  /** Moves the clock without running anything: time passing inside a blocking call. */
  synchronized void passDuringCall(Duration d) {
    now += d.toNanos();
  }

  /** Nanoseconds since {@code start} on this clock. */
  synchronized Duration since(long start) {
    return Duration.ofNanos(now - start);
  }

  private synchronized Runnable poll() {
    return ready.poll();
  }
}
