package dev.auditflow.server.testing;

import dev.auditflow.server.runtime.ServerRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * {@link ServerRuntime} on fake time: nothing runs until the test {@link #advance advances} the
 * clock, and then every run that falls due runs on the test's thread, in time order — a loop's
 * timing rules checked exactly and without waiting.
 */
public final class FakeServerRuntime implements ServerRuntime {
  /** More runs than this in one advance means a loop that never waits: a bug, reported as one. */
  private static final int MOST_RUNS_PER_ADVANCE = 10_000;

  private Instant now;
  private long order;
  private final PriorityQueue<Due> due =
      new PriorityQueue<>(Comparator.comparing(Due::at).thenComparingLong(Due::order));
  private final List<String> runs = new ArrayList<>();

  public FakeServerRuntime(Instant start) {
    this.now = start;
  }

  private record Due(Instant at, long order, FakeLoop loop) {}

  private final class FakeLoop implements Loop {
    final String name;
    final Task task;
    boolean closed;

    FakeLoop(String name, Task task) {
      this.name = name;
      this.task = task;
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @Override
  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now;
      }
    };
  }

  @Override
  public Loop loop(String name, Duration firstDelay, Task task) {
    FakeLoop loop = new FakeLoop(name, task);
    due.add(new Due(now.plus(firstDelay), order++, loop));
    return loop;
  }

  /** Moves the clock on by {@code step}, running every run that falls due, in order, at its time. */
  public void advance(Duration step) throws InterruptedException {
    Instant until = now.plus(step);
    int ran = 0;
    while (!due.isEmpty() && !due.peek().at().isAfter(until)) {
      Due next = due.poll();
      if (next.loop().closed) {
        continue;
      }
      if (++ran > MOST_RUNS_PER_ADVANCE) {
        throw new IllegalStateException(next.loop().name + " ran " + MOST_RUNS_PER_ADVANCE + " times without waiting");
      }
      now = next.at();
      runs.add(next.loop().name + "@" + now);
      Duration wait = next.loop().task.run();
      if (!wait.equals(DONE)) {
        due.add(new Due(now.plus(wait), order++, next.loop()));
      }
    }
    now = until;
  }

  /** Runs whatever is due now, without moving the clock. */
  public void runDue() throws InterruptedException {
    advance(Duration.ZERO);
  }

  public Instant now() {
    return now;
  }

  /** Every run so far, as {@code name@instant}. */
  public List<String> runs() {
    return List.copyOf(runs);
  }

  /** When {@code name} runs next, or null when it is not scheduled. */
  public Instant nextRunOf(String name) {
    return due.stream().filter(d -> d.loop().name.equals(name) && !d.loop().closed).map(Due::at)
        .min(Comparator.naturalOrder()).orElse(null);
  }

  @Override
  public void close() {
    due.forEach(d -> d.loop().close());
    due.clear();
  }
}
