package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.ValidationRules;
import dev.auditflow.api.Violation;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link AuditStore}: a bounded FIFO buffer, one dispatcher thread that decides when a batch
 * leaves, and {@code maxInFlightBatches} sender threads that deliver batches and retry them.
 *
 * <p>The split is the point. The dispatcher never performs I/O or sleeps for back-off, so its
 * flush deadlines — taken from each batch's oldest event — hold however slow a write is; a slow
 * or failing batch occupies one sender while the next batch goes out on another. When every
 * sender is busy the dispatcher waits for one, and that wait is logged as the cause of any lag.
 *
 * <p>One lock guards the buffer, the in-flight set and the state flags; it is never held during
 * I/O, logging or handle completion.
 */
final class BufferedAuditStore implements AuditStore {
  private static final Logger log = LoggerFactory.getLogger(AuditStore.class);
  private static final long DROP_WARNING_PERIOD_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** How long an abandoning close waits for interrupted threads before settling their batches itself. */
  static final Duration ABANDON_GRACE = Duration.ofSeconds(2);

  private final AuditStoreConfig config;
  private final BatchTransport transport;
  private final EventValidator validator;
  private final long flushIntervalNanos;
  private final StoreMetrics metrics;
  private final BatchSender sender;

  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the dispatcher may have something to do: first event, full batch, flush, close, a sender freed. */
  private final Condition dispatcherWake = lock.newCondition();
  /** Signalled when the buffer has space or the store starts closing. */
  private final Condition spaceAvailable = lock.newCondition();
  /** Signalled when the last batch completes after the dispatcher has finished. */
  private final Condition drained = lock.newCondition();
  private final ArrayDeque<Pending> buffer = new ArrayDeque<>();
  private final Set<Batch> inFlight = new HashSet<>();
  private long nextSeq;
  private long flushUpToSeq = -1;
  private boolean closing;
  private boolean dispatcherDone;

  private final LongAdder enqueued = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder unknown = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder rejectedAfterClose = new LongAdder();
  private final RateLimitedWarning dropWarning =
      new RateLimitedWarning(log, "audit events dropped: buffer full", DROP_WARNING_PERIOD_NANOS);

  private final Thread dispatcher;
  private final ExecutorService senders;
  private final CompletableFuture<CloseReport> closed = new CompletableFuture<>();
  private final AtomicInteger closeCalls = new AtomicInteger();
  /** The JVM shutdown hook that closes this store, if asked for; removed again by close. */
  private volatile Thread shutdownHook;

  BufferedAuditStore(AuditStoreConfig config, BatchTransport transport, ValidationRules rules, StoreMetrics metrics) {
    this.config = config;
    this.transport = transport;
    this.validator = new EventValidator(rules);
    this.flushIntervalNanos = config.flushInterval().toNanos();
    this.metrics = metrics;
    this.sender = new BatchSender(config, transport, metrics);
    this.dispatcher = new Thread(this::dispatchLoop, "auditflow-dispatcher");
    this.dispatcher.setDaemon(true);
    AtomicInteger senderIds = new AtomicInteger();
    this.senders =
        Executors.newFixedThreadPool(
            config.maxInFlightBatches(),
            r -> {
              Thread t = new Thread(r, "auditflow-sender-" + senderIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  AuditStoreConfig config() {
    return config;
  }

  void start() {
    log.info(
        "audit store started buffer_size={} batch_size={} flush_interval_ms={} overflow={} overflow_timeout_ms={}"
            + " request_timeout_ms={} delivery_timeout_ms={} max_in_flight_batches={} max_attempts={}"
            + " backoff_initial_ms={} backoff_max_ms={} jitter={} outcome_resolution_timeout_ms={} transport={}",
        config.bufferSize(), config.batchSize(), config.flushInterval().toMillis(),
        config.overflowPolicy(), config.overflowTimeout().toMillis(), config.requestTimeout().toMillis(),
        config.deliveryTimeout().toMillis(), config.maxInFlightBatches(), config.retryPolicy().maxAttempts(),
        config.retryPolicy().initialBackoff().toMillis(), config.retryPolicy().maxBackoff().toMillis(),
        config.retryPolicy().jitter(), config.outcomeResolutionTimeout().toMillis(), transport);
    dispatcher.start();
  }

  /** Closes the store from a JVM shutdown hook (SIGTERM), bounded by {@code timeout}. */
  void closeOnShutdown(Duration timeout) {
    Thread hook = new Thread(() -> close(timeout), "auditflow-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    shutdownHook = hook;
  }

  // ---------------------------------------------------------------- store

  @Override
  public DeliveryHandle store(AuditEvent event) {
    List<Violation> violations = validator.validate(event);
    if (!violations.isEmpty()) {
      invalid.increment();
      throw new InvalidAuditEventException(violations);
    }
    // Allocate and read the clock before taking the lock: every producer contends for it.
    DeliveryHandle handle = new DeliveryHandle(event.eventId());
    long now = System.nanoTime();
    lock.lock();
    try {
      if (buffer.size() >= config.bufferSize() && !awaitSpace()) {
        if (closing) {
          throw rejectClosed();
        }
        return drop(event);
      }
      if (closing) {
        throw rejectClosed();
      }
      buffer.addLast(new Pending(event, nextSeq++, now, handle));
      int size = buffer.size();
      // The dispatcher only cares about a new head (new deadline) or a batch becoming full.
      if (size == 1 || size == config.batchSize()) {
        dispatcherWake.signal();
      }
    } finally {
      lock.unlock();
    }
    enqueued.increment();
    return handle;
  }

  /** With the lock held and the buffer full: waits per the overflow policy; true if space appeared. */
  private boolean awaitSpace() {
    if (config.overflowPolicy() == OverflowPolicy.DROP || closing) {
      return false;
    }
    long remaining = config.overflowTimeout().toNanos();
    try {
      while (buffer.size() >= config.bufferSize() && !closing) {
        if (remaining <= 0) {
          return false;
        }
        remaining = spaceAvailable.awaitNanos(remaining);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !closing;
  }

  private AuditStoreClosedException rejectClosed() {
    rejectedAfterClose.increment();
    return new AuditStoreClosedException(
        "audit store is closed; event not accepted (rejected after close so far: "
            + rejectedAfterClose.sum() + ")");
  }

  private DeliveryHandle drop(AuditEvent event) {
    dropped.increment();
    dropWarning.occurred(dropped.sum());
    String message =
        config.overflowPolicy() == OverflowPolicy.BLOCK
            ? "buffer full (" + config.bufferSize() + " events) for the overflow timeout " + config.overflowTimeout()
            : "buffer full (" + config.bufferSize() + " events), overflow policy DROP";
    return DeliveryHandle.failed(
        event.eventId(), new AuditDeliveryException(event.eventId(), Reason.BUFFER_FULL, message, null, 0, null));
  }

  // ---------------------------------------------------------------- dispatcher

  private void dispatchLoop() {
    try {
      while (true) {
        Dispatch next = nextBatch();
        if (next == null) {
          return;
        }
        logDispatch(next);
        metrics.batchSent(next.batch.size());
        try {
          senders.execute(() -> deliver(next.batch));
        } catch (RejectedExecutionException e) {
          // close() is abandoning delivery and has stopped the senders; it settles what is left.
          return;
        }
      }
    } catch (InterruptedException e) {
      // close() ran out of time and is abandoning what is left.
    } finally {
      lock.lock();
      try {
        dispatcherDone = true;
        drained.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  /** What the dispatcher hands to a sender, with what the diagnostics need to explain it. */
  private record Dispatch(Batch batch, int queueDepthAfter, long oldestAgeNanos, long waitedForSenderNanos, long lastDriftNanos) {}

  /** Blocks until a batch should leave and a sender is free; null once closing has drained the buffer. */
  private Dispatch nextBatch() throws InterruptedException {
    lock.lock();
    try {
      long waitForSenderSince = -1;
      long lastDrift = 0;
      while (true) {
        if (buffer.isEmpty()) {
          if (closing) {
            return null;
          }
          dispatcherWake.await();
          continue;
        }
        Pending head = buffer.peekFirst();
        long now = System.nanoTime();
        long deadline = head.enqueuedAtNanos + flushIntervalNanos;
        SendTrigger trigger = triggerFor(head, now, deadline);
        if (trigger == null) {
          long remaining = dispatcherWake.awaitNanos(deadline - now);
          if (remaining <= 0) {
            lastDrift = Math.max(0, System.nanoTime() - deadline);
            recordDrift(lastDrift, deadline);
          }
          continue;
        }
        if (inFlight.size() >= config.maxInFlightBatches()) {
          if (waitForSenderSince < 0) {
            waitForSenderSince = now;
          }
          dispatcherWake.await();
          continue;
        }
        int n = Math.min(config.batchSize(), buffer.size());
        List<Pending> entries = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          entries.add(buffer.pollFirst());
        }
        Batch batch = new Batch(entries, trigger);
        inFlight.add(batch);
        // Wake one blocked producer per freed slot, not all of them: with 50 producers blocked on a
        // 100-slot buffer, signalAll would have 40 of them wake, contend for the lock, and sleep again.
        for (int i = 0; i < n; i++) {
          spaceAvailable.signal();
        }
        long waited = waitForSenderSince < 0 ? 0 : now - waitForSenderSince;
        return new Dispatch(batch, buffer.size(), now - head.enqueuedAtNanos, waited, lastDrift);
      }
    } finally {
      lock.unlock();
    }
  }

  private SendTrigger triggerFor(Pending head, long now, long deadline) {
    if (buffer.size() >= config.batchSize()) {
      return SendTrigger.SIZE;
    }
    if (head.seq <= flushUpToSeq) {
      return SendTrigger.FLUSH;
    }
    if (closing) {
      return SendTrigger.CLOSE;
    }
    return now - deadline >= 0 ? SendTrigger.TIME : null;
  }

  /** Drift is measured against the timer's own deadline, so a slow write can never look like one. */
  private void recordDrift(long driftNanos, long deadline) {
    metrics.schedulerDrift(driftNanos);
    if (driftNanos > config.schedulerDriftThreshold().toNanos()) {
      log.warn(
          "flush scheduler woke late drift_ms={} threshold_ms={} cause=scheduler"
              + " (the dispatcher thread was not run on time: CPU starvation, GC pause or a suspended host)",
          TimeUnit.NANOSECONDS.toMillis(driftNanos), config.schedulerDriftThreshold().toMillis());
    }
  }

  private void logDispatch(Dispatch d) {
    long lagThreshold = 2 * flushIntervalNanos;
    if (d.oldestAgeNanos > lagThreshold) {
      log.warn(
          "flush lag oldest_event_age_ms={} flush_interval_ms={} trigger={} batch_size={} queue_depth={} cause={}",
          TimeUnit.NANOSECONDS.toMillis(d.oldestAgeNanos), config.flushInterval().toMillis(),
          d.batch.trigger.label(), d.batch.size(), d.queueDepthAfter, lagCause(d));
    }
    if (log.isDebugEnabled()) {
      log.debug(
          "batch dispatched trigger={} batch_size={} queue_depth={} oldest_event_age_ms={} waited_for_sender_ms={}",
          d.batch.trigger.label(), d.batch.size(), d.queueDepthAfter,
          TimeUnit.NANOSECONDS.toMillis(d.oldestAgeNanos), TimeUnit.NANOSECONDS.toMillis(d.waitedForSenderNanos));
    }
  }

  private String lagCause(Dispatch d) {
    if (d.waitedForSenderNanos > 0) {
      return "all " + config.maxInFlightBatches() + " senders busy for "
          + TimeUnit.NANOSECONDS.toMillis(d.waitedForSenderNanos) + " ms (slow writes or retries in flight)";
    }
    if (d.lastDriftNanos > config.schedulerDriftThreshold().toNanos()) {
      return "scheduler woke " + TimeUnit.NANOSECONDS.toMillis(d.lastDriftNanos) + " ms late";
    }
    return "dispatcher delayed (lock contention or CPU starvation)";
  }

  // ---------------------------------------------------------------- senders

  private void deliver(Batch batch) {
    settle(batch, sender.deliver(batch));
    finish(batch);
  }

  /**
   * Records a batch's outcome, once: counters move before handles complete, so a caller woken by
   * a handle sees its event counted; handles complete before the batch leaves the in-flight set,
   * so {@link #flush} never misses an event that is neither buffered nor in flight but not yet
   * completed.
   */
  private void settle(Batch batch, BatchSender.Outcome outcome) {
    if (!batch.settle()) {
      return; // close() abandoned it first
    }
    if (outcome.acknowledged()) {
      acknowledged.add(batch.size());
      long now = System.nanoTime();
      for (Pending p : batch.entries) {
        metrics.ackLatency(now - p.enqueuedAtNanos);
        p.handle.acknowledge();
      }
    } else {
      fail(batch.entries, outcome.failure(), outcome.attempts(), outcome.last());
    }
  }

  private void fail(List<Pending> entries, Reason reason, int attempts, TransportException last) {
    String message =
        switch (reason) {
          case REJECTED -> "server rejected the batch: " + (last == null ? "?" : last.getMessage());
          case DELIVERY_TIMEOUT -> "not acknowledged within the delivery timeout " + config.deliveryTimeout()
              + (last == null ? "" : "; last error: " + last.getMessage());
          case RETRIES_EXHAUSTED -> "not acknowledged after " + attempts + " attempts; last error: "
              + (last == null ? "?" : last.getMessage());
          case OUTCOME_UNKNOWN -> "may or may not be stored: an attempt went unanswered and re-sending within "
              + config.outcomeResolutionTimeout() + " brought no answer either"
              + (last == null ? "" : "; last error: " + last.getMessage());
          default -> "store closed before the event was sent";
        };
    if (reason == Reason.OUTCOME_UNKNOWN) {
      log.error("audit events outcome unknown count={} attempts={} detail=\"{}\"", entries.size(), attempts, message);
      unknown.add(entries.size());
    } else {
      log.error("audit events lost count={} reason={} attempts={} detail=\"{}\"", entries.size(), reason, attempts,
          message);
      failed.add(entries.size());
    }
    for (Pending p : entries) {
      p.handle.fail(
          new AuditDeliveryException(
              p.event.eventId(), reason, message, last == null ? null : last.problem().orElse(null), attempts, last));
    }
  }

  /** The batch leaves the in-flight set; a sender slot is free. */
  private void finish(Batch batch) {
    lock.lock();
    try {
      inFlight.remove(batch);
      dispatcherWake.signal();
      if (inFlight.isEmpty() && dispatcherDone) {
        drained.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------- flush, stats, close

  @Override
  public void flush(Duration timeout) throws AuditFlushException, InterruptedException {
    List<CompletableFuture<Void>> covered = new ArrayList<>();
    lock.lock();
    try {
      for (Pending p : buffer) {
        covered.add(p.handle.future());
      }
      for (Batch b : inFlight) {
        for (Pending p : b.entries) {
          covered.add(p.handle.future());
        }
      }
      flushUpToSeq = nextSeq - 1;
      dispatcherWake.signal();
    } finally {
      lock.unlock();
    }
    try {
      CompletableFuture.allOf(covered.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return;
    } catch (ExecutionException | TimeoutException e) {
      // Counted below: one failure or a timeout says nothing about the others.
    }
    long failedCount = covered.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    long unacknowledged = covered.stream().filter(f -> !f.isDone()).count();
    throw new AuditFlushException(covered.size(), failedCount, unacknowledged);
  }

  @Override
  public AuditStoreStats stats() {
    int depth;
    int batches = 0;
    int events = 0;
    long oldest = 0;
    boolean any;
    lock.lock();
    try {
      depth = buffer.size();
      any = !buffer.isEmpty();
      if (any) {
        oldest = buffer.peekFirst().enqueuedAtNanos;
      }
      for (Batch b : inFlight) {
        if (b.isSettled()) {
          continue;
        }
        batches++;
        events += b.size();
        // nanoTime values are compared by difference: they may wrap.
        if (!any || b.oldestEnqueuedAtNanos - oldest < 0) {
          oldest = b.oldestEnqueuedAtNanos;
          any = true;
        }
      }
    } finally {
      lock.unlock();
    }
    Duration age = !any ? Duration.ZERO : Duration.ofNanos(Math.max(0, System.nanoTime() - oldest));
    return new AuditStoreStats(
        enqueued.sum(), acknowledged.sum(), dropped.sum(), failed.sum(), unknown.sum(), invalid.sum(),
        rejectedAfterClose.sum(), depth, batches, events, age);
  }

  @Override
  public void close() {
    CloseReport report = close(config.closeTimeout());
    if (report.lost() > 0 || report.unknown() > 0 || !report.completed()) {
      log.error("audit store closed with losses {}", report);
    }
  }

  @Override
  public CloseReport close(Duration timeout) {
    if (closeCalls.getAndIncrement() > 0) {
      return closed.join();
    }
    try {
      long deadline = System.nanoTime() + timeout.toNanos();
      lock.lock();
      try {
        closing = true;
        dispatcherWake.signal();
        spaceAvailable.signalAll();
      } finally {
        lock.unlock();
      }
      boolean completed = awaitDrained(deadline);
      if (!completed) {
        abandon();
      }
      senders.shutdown();
      transport.close();
      removeShutdownHook();
      CloseReport report = new CloseReport(enqueued.sum(), acknowledged.sum(), failed.sum(), unknown.sum(),
          dropped.sum(), rejectedAfterClose.sum(), completed);
      log.info(
          "audit store closed enqueued={} acknowledged={} failed={} unknown={} dropped={} rejected_after_close={}"
              + " drained={}",
          report.enqueued(), report.acknowledged(), report.failed(), report.unknown(), report.dropped(),
          report.rejectedAfterClose(), completed);
      closed.complete(report);
      return report;
    } catch (RuntimeException | Error e) {
      closed.completeExceptionally(e);
      throw e;
    }
  }

  /** Waits until the dispatcher has emptied the buffer and every batch has completed. */
  private boolean awaitDrained(long deadline) {
    lock.lock();
    try {
      while (!(dispatcherDone && inFlight.isEmpty())) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        drained.awaitNanos(remaining);
      }
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Close ran out of time: stops the threads and settles everything not yet settled — batches
   * in flight (also those handed to a sender that never started them) and the buffer. A batch
   * whose request was under way ends {@code OUTCOME_UNKNOWN}, one never sent {@code
   * CLOSED_BEFORE_DELIVERY}; every handle is complete when close returns.
   */
  private void abandon() {
    dispatcher.interrupt();
    senders.shutdownNow();
    try {
      // Interrupted senders settle their own batches; give them a moment to do so.
      if (!senders.awaitTermination(ABANDON_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("audit sender threads did not stop within {} ms after interruption", ABANDON_GRACE.toMillis());
      }
      dispatcher.join(ABANDON_GRACE.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Batch> unsettled;
    List<Pending> left;
    lock.lock();
    try {
      unsettled = new ArrayList<>(inFlight);
      left = new ArrayList<>(buffer);
      buffer.clear();
    } finally {
      lock.unlock();
    }
    for (Batch batch : unsettled) {
      Reason reason = batch.mayBeStored ? Reason.OUTCOME_UNKNOWN : Reason.CLOSED_BEFORE_DELIVERY;
      settle(batch, new BatchSender.Outcome(reason, 0, null));
      finish(batch);
    }
    if (!left.isEmpty()) {
      fail(left, Reason.CLOSED_BEFORE_DELIVERY, 0, null);
    }
  }

  /** The registered shutdown hook, or null; for tests. */
  Thread shutdownHook() {
    return shutdownHook;
  }

  private void removeShutdownHook() {
    Thread hook = shutdownHook;
    if (hook == null || Thread.currentThread() == hook) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // The JVM is already shutting down; the hook runs (and finds the store closed).
    }
  }
}
