package dev.auditflow.server.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link ServerRuntime} on real threads: one per loop, each sleeping the delay its last run asked for. */
final class ThreadRuntime implements ServerRuntime {
  private static final Logger log = LoggerFactory.getLogger(ThreadRuntime.class);
  /** How long closing waits for a run under way; a run is one bounded transaction or command. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private final Clock clock;
  private final List<ThreadLoop> loops = new CopyOnWriteArrayList<>();

  ThreadRuntime(Clock clock) {
    this.clock = clock;
  }

  @Override
  public Clock clock() {
    return clock;
  }

  @Override
  public Loop loop(String name, Duration firstDelay, Task task) {
    ThreadLoop loop = new ThreadLoop(name, firstDelay, task);
    loops.add(loop);
    loop.thread.start();
    return loop;
  }

  @Override
  public void close() {
    loops.forEach(ThreadLoop::close);
  }

  private final class ThreadLoop implements Loop {
    private final Thread thread;
    private boolean closed;

    ThreadLoop(String name, Duration firstDelay, Task task) {
      this.thread = new Thread(() -> run(name, firstDelay, task), "auditflow-" + name);
      thread.setDaemon(true);
    }

    private void run(String name, Duration firstDelay, Task task) {
      Duration wait = firstDelay;
      try {
        while (waitFor(wait)) {
          try {
            wait = task.run();
          } catch (RuntimeException e) {
            // A task handles its own failures; one that escapes must not end the loop for good.
            log.error("background loop {} failed; it runs again in 1 s", name, e);
            wait = Duration.ofSeconds(1);
          }
        }
      } catch (InterruptedException e) {
        // The runtime's thread was interrupted from outside: stop.
      }
    }

    /** Waits {@code delay} unless closed meanwhile; true when the loop should run again. */
    private synchronized boolean waitFor(Duration delay) throws InterruptedException {
      if (delay.equals(DONE)) {
        return false;
      }
      long deadline = System.nanoTime() + delay.toNanos();
      for (long left = delay.toNanos(); !closed && left > 0; left = deadline - System.nanoTime()) {
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return !closed;
    }

    /** A run under way is not interrupted (it may be between a write and its acknowledgement): it finishes first. */
    @Override
    public void close() {
      synchronized (this) {
        closed = true;
        notifyAll();
      }
      try {
        thread.join(CLOSE_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      loops.remove(this);
    }
  }
}
