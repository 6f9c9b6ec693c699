package dev.auditflow.server.auth;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.server.failure.UnavailableException;
import dev.auditflow.server.trail.AuditTrail;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Commits access records for concurrent readers together (group commit). A reader hands its
 * record over and waits until it is durable, as it always did; the records of every reader that
 * arrived while the previous commit was in flight go into the next transaction together — one
 * transaction and one {@code fsync} for all of them, each principal's records linked into its
 * chain in the order they arrived. Nothing waits for company: the committer takes whatever is
 * there as soon as it is free, so a lone reader's record costs one commit, as before, and a
 * crowd's cost grows with the number of commits, not of readers.
 *
 * <p>One thread commits, so within one server two groups never wait for each other's chain
 * locks; across servers on one database, a group takes all its chains in one call, in the trail's
 * lock order, so groups can wait for each other but never deadlock.
 */
final class AccessRecorder implements AutoCloseable {
  /** The most records in one transaction: a bound on how long one commit holds its chains. */
  static final int MAX_GROUP = 256;

  private record Pending(AuditEvent record, String principal, CompletableFuture<Void> durable) {}

  /** Handed over by {@link #close()}: the committer stops when it takes it, after what came before. */
  private static final Pending STOP = new Pending(null, null, null);

  private final AuditTrail trail;
  private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
  private final DistributionSummary groupSize;
  private final Thread committer;
  private boolean closed; // guarded by this

  AccessRecorder(AuditTrail trail, MeterRegistry registry) {
    this.trail = trail;
    this.groupSize = DistributionSummary.builder("auditflow.access.commit.records")
        .description("Access records committed per transaction (group commit across concurrent readers)")
        .register(registry);
    Gauge.builder("auditflow.access.records.waiting", waiting, BlockingQueue::size)
        .description("Access records handed over and waiting for the commit in flight to end").register(registry);
    this.committer = new Thread(this::commitWhileOpen, "auditflow-access-recorder");
    committer.setDaemon(true);
    committer.start();
  }

  /**
   * Returns once {@code record} is committed.
   *
   * @throws RuntimeException what the trail threw when it could not be committed
   */
  void record(AuditEvent record, String principal) {
    Pending pending = new Pending(record, principal, new CompletableFuture<>());
    handOver(pending);
    try {
      pending.durable().get();
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the access was being recorded", e);
    }
  }

  /**
   * Queues a record unless the committer stops or has stopped. Handing over and closing exclude
   * each other, so nothing is queued behind {@link #STOP} or after the committer's last look:
   * every record handed over gets an answer.
   */
  private synchronized void handOver(Pending pending) {
    if (closed) {
      throw stopping();
    }
    waiting.add(pending);
  }

  private synchronized void closeTheDoor(boolean stopAfterWhatIsQueued) {
    if (!closed && stopAfterWhatIsQueued) {
      waiting.add(STOP);
    }
    closed = true;
  }

  private void commitWhileOpen() {
    try {
      List<Pending> group = new ArrayList<>();
      boolean stop = false;
      while (!stop) {
        group.add(waiting.take());
        waiting.drainTo(group, MAX_GROUP - 1);
        stop = group.removeIf(p -> p == STOP);
        try {
          commit(group);
        } catch (Error e) {
          // The committer dies with it; its group must not wait for an answer that never comes.
          group.forEach(p -> p.durable().completeExceptionally(e));
          throw e;
        }
        group.clear();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      closeTheDoor(false);
      failWaiting();
    }
  }

  private void commit(List<Pending> group) {
    if (group.isEmpty()) {
      return;
    }
    try {
      write(group);
      groupSize.record(group.size());
      group.forEach(p -> p.durable().complete(null));
    } catch (RuntimeException e) {
      if (group.size() == 1 || e instanceof UnavailableException) {
        group.forEach(p -> p.durable().completeExceptionally(e));
        return;
      }
      // Not the store being away but something about one record: each alone, so that one record
      // the trail refuses does not cost the others their answers.
      group.forEach(p -> commit(List.of(p)));
    }
  }

  private void write(List<Pending> group) {
    Map<String, List<AuditEvent>> byPrincipal = new LinkedHashMap<>();
    List<Instant> times = new ArrayList<>(group.size());
    for (Pending p : group) {
      byPrincipal.computeIfAbsent(p.principal(), k -> new ArrayList<>()).add(p.record());
      times.add(p.record().eventTimestamp());
    }
    trail.appendWith("recording " + group.size() + " accesses", times, (tx, appender) -> {
      // All of the group's chains at once, in the trail's one lock order: appended principal by
      // principal they would be locked in arrival order, and two instances on one database
      // whose groups hold the same principals in opposite orders would deadlock. One principal's
      // group (a lone reader's) needs no separate round trip: its append locks its chain first.
      if (byPrincipal.size() > 1) {
        appender.lockChains(group.stream().map(p -> p.record().correlationId()).distinct().toList());
      }
      for (Map.Entry<String, List<AuditEvent>> records : byPrincipal.entrySet()) {
        appender.append(records.getValue(), records.getKey());
      }
      return null;
    });
  }

  private void failWaiting() {
    List<Pending> left = new ArrayList<>();
    waiting.drainTo(left);
    left.stream().filter(p -> p != STOP).forEach(p -> p.durable().completeExceptionally(stopping()));
  }

  private static IllegalStateException stopping() {
    return new IllegalStateException("the server is stopping: the access was not recorded");
  }

  /** Stops once the records handed over so far are committed; records handed over later fail. */
  @Override
  public void close() {
    closeTheDoor(true);
    try {
      committer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
