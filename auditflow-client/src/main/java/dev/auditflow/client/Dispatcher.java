package dev.auditflow.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Decides when a batch leaves the buffer: when a full batch is waiting ({@code SIZE}), when the
 * oldest event has waited the flush interval ({@code TIME} — a deadline per event, not a
 * periodic tick), when a flush asked for what was buffered ({@code FLUSH}), or while closing
 * ({@code CLOSE}) — and only while fewer than {@code maxInFlightBatches} batches are out.
 *
 * <p>It runs as tasks on the runtime's dispatcher: woken by producers only when the buffer's first
 * event arrives or a batch fills, by its own timer at the oldest event's deadline, by flush and
 * close, and when a batch finishes. It never performs I/O or sleeps. Its lock is held only to move
 * events from the buffer into the in-flight set (so flush sees each event in exactly one of the
 * two) — never while logging or completing handles.
 */
final class Dispatcher {
  /** Where a batch goes once it leaves. */
  interface Deliveries {
    void deliver(Batch batch);
  }

  /** A straggler reserved its slot but is not in the queue yet: look again this soon. */
  private static final long STRAGGLER_RECHECK_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

  private final AuditStoreConfig config;
  private final EventBuffer buffer;
  private final StoreRuntime runtime;
  private final StoreDiagnostics diagnostics;
  private final StoreMetrics metrics;
  private final Deliveries deliveries;
  private final long flushIntervalNanos;

  private final ReentrantLock lock = new ReentrantLock();
  private final Set<Batch> inFlight = ConcurrentHashMap.newKeySet();
  /** Events taken from the buffer so far (under the lock). */
  private long taken;
  /** Send at once until {@link #taken} reaches this (set by flush, under the lock). */
  private volatile long flushTarget;
  private volatile boolean closing;
  private final CountDownLatch drained = new CountDownLatch(1);
  private final AtomicBoolean checkQueued = new AtomicBoolean();
  private final Runnable check = this::check;

  // Dispatcher-task state: only ever touched by the runtime's (serial) dispatcher.
  private StoreRuntime.Cancellable timer;
  private long timerDeadline;
  private long waitingForSenderSince = -1;
  private long lastDriftNanos;

  Dispatcher(AuditStoreConfig config, EventBuffer buffer, StoreRuntime runtime, StoreDiagnostics diagnostics,
      StoreMetrics metrics, Deliveries deliveries) {
    this.config = config;
    this.buffer = buffer;
    this.runtime = runtime;
    this.diagnostics = diagnostics;
    this.metrics = metrics;
    this.deliveries = deliveries;
    this.flushIntervalNanos = config.flushInterval().toNanos();
  }

  /** A producer's event is in the buffer, which now holds {@code reserved} events. */
  void enqueued(long reserved) {
    // Only a new head (a new deadline) or a batch becoming full changes what the dispatcher does.
    if (reserved == 1 || reserved == config.batchSize()) {
      wake();
    }
  }

  /** Asks for a look at the buffer; at most one such request is queued at a time. */
  void wake() {
    if (checkQueued.compareAndSet(false, true)) {
      runtime.dispatch(check);
    }
  }

  private void check() {
    checkQueued.set(false);
    while (true) {
      long now = runtime.nanoTime();
      Pending head = buffer.head();
      if (head == null) {
        if (buffer.size() > 0) {
          runtime.schedule(this::wake, STRAGGLER_RECHECK_NANOS);
        } else if (closing && inFlight.isEmpty()) {
          drained.countDown();
        }
        return;
      }
      long deadline = head.enqueuedAtNanos + flushIntervalNanos;
      SendTrigger trigger = triggerFor(now, deadline);
      if (trigger == null) {
        armTimer(deadline, now);
        return;
      }
      if (inFlight.size() >= config.maxInFlightBatches()) {
        if (waitingForSenderSince < 0) {
          waitingForSenderSince = now; // a finishing batch wakes us
        }
        return;
      }
      Dispatch dispatch = take(trigger, now, head);
      diagnostics.dispatched(dispatch);
      metrics.batchSent(dispatch.batch().size());
      deliveries.deliver(dispatch.batch());
    }
  }

  private SendTrigger triggerFor(long now, long deadline) {
    if (buffer.size() >= config.batchSize()) {
      return SendTrigger.SIZE;
    }
    if (taken < flushTarget) {
      return SendTrigger.FLUSH;
    }
    if (closing) {
      return SendTrigger.CLOSE;
    }
    return now - deadline >= 0 ? SendTrigger.TIME : null;
  }

  private Dispatch take(SendTrigger trigger, long now, Pending head) {
    Batch batch;
    lock.lock();
    try {
      List<Pending> entries = buffer.take(config.batchSize());
      taken += entries.size();
      batch = new Batch(entries, trigger);
      inFlight.add(batch);
    } finally {
      lock.unlock();
    }
    long waited = waitingForSenderSince < 0 ? 0 : now - waitingForSenderSince;
    waitingForSenderSince = -1;
    return new Dispatch(batch, buffer.size(), now - head.enqueuedAtNanos, waited, lastDriftNanos);
  }

  /** Sets the timer for the oldest event's deadline, unless it is set for it already. */
  private void armTimer(long deadline, long now) {
    if (timer != null && timerDeadline == deadline) {
      return;
    }
    if (timer != null) {
      timer.cancel();
    }
    timerDeadline = deadline;
    timer = runtime.schedule(() -> onTimer(deadline), deadline - now);
  }

  private void onTimer(long deadline) {
    // Drift is measured against the timer's own deadline, so a slow write can never look like one.
    lastDriftNanos = Math.max(0, runtime.nanoTime() - deadline);
    diagnostics.drift(lastDriftNanos);
    if (timerDeadline == deadline) {
      timer = null;
    }
    check();
  }

  /** A batch's handles are complete: it leaves the in-flight set and frees its sender slot. */
  void finished(Batch batch) {
    inFlight.remove(batch);
    wake();
  }

  /**
   * The handles of every event buffered or in flight now, and a request to send the buffered ones
   * at once. The lock keeps the dispatcher from moving an event between the two while we look.
   */
  List<CompletableFuture<Void>> flush() {
    List<CompletableFuture<Void>> covered = new ArrayList<>();
    lock.lock();
    try {
      long[] queued = {0};
      buffer.forEachQueued(p -> {
        covered.add(p.handle.future());
        queued[0]++;
      });
      for (Batch b : inFlight) {
        for (Pending p : b.entries) {
          covered.add(p.handle.future());
        }
      }
      flushTarget = Math.max(flushTarget, taken + queued[0]);
    } finally {
      lock.unlock();
    }
    wake();
    return covered;
  }

  /** Sends everything buffered, then reports drained through {@link #awaitDrained}. */
  void close() {
    closing = true;
    buffer.close();
    wake();
  }

  boolean awaitDrained(long timeoutNanos) throws InterruptedException {
    return drained.await(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
  }

  /** The batches sent and not yet finished (a copy), for stats and for close giving up. */
  List<Batch> inFlight() {
    return new ArrayList<>(inFlight);
  }

  boolean isLockHeldByCurrentThread() {
    return lock.isHeldByCurrentThread();
  }
}
