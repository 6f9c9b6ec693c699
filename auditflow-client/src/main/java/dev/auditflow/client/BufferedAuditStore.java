package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventValidator;
import dev.auditflow.api.ValidationRules;
import dev.auditflow.api.Violation;
import dev.auditflow.client.AuditDeliveryException.Reason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The {@link AuditStore}, assembled from its parts: the {@link EventBuffer} (admission and the
 * overflow policy), the {@link Dispatcher} (when a batch leaves), the {@link BatchSender} (attempts
 * and retries, with an honest outcome) and {@link StoreDiagnostics} (what it says about itself).
 * This class keeps the books — every event handed to {@link #store} is counted exactly once as
 * invalid, rejected after close, dropped, or enqueued and then acknowledged, failed or unknown —
 * and runs flush and close.
 */
final class BufferedAuditStore implements AuditStore {
  /** How long an abandoning close waits for interrupted threads before settling their batches itself. */
  static final Duration ABANDON_GRACE = Duration.ofSeconds(2);

  private final AuditStoreConfig config;
  private final BatchTransport transport;
  private final EventValidator validator;
  private final TraceContext traceContext;
  private final StoreRuntime runtime;
  private final StoreMetrics metrics;
  private final StoreDiagnostics diagnostics;
  private final EventBuffer buffer;
  private final Dispatcher dispatcher;
  /** Numbers events and keeps what was given up on; null when producer sequences are off. */
  private final Sequencer sequencer;
  /** Keeps every accepted event on disk until it is settled; null without {@code spoolDirectory}. */
  private final Spool spool;

  private final LongAdder enqueued = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder unknown = new LongAdder();
  private final LongAdder invalid = new LongAdder();
  private final LongAdder rejectedAfterClose = new LongAdder();

  private final CompletableFuture<CloseReport> closed = new CompletableFuture<>();
  private final AtomicInteger closeCalls = new AtomicInteger();
  /** The JVM shutdown hook that closes this store, if asked for; removed again by close. */
  private volatile Thread shutdownHook;

  BufferedAuditStore(AuditStoreConfig config, BatchTransport transport, ValidationRules rules, StoreMetrics metrics,
      StoreRuntime runtime, Sequencer sequencer, Spool spool) {
    this.config = config;
    this.spool = spool;
    this.sequencer = spool != null ? spool.sequencer() : sequencer;
    this.transport = transport;
    this.validator = new EventValidator(rules);
    this.traceContext = TraceContext.detect();
    this.runtime = runtime;
    this.metrics = metrics;
    this.diagnostics = new StoreDiagnostics(config, metrics);
    this.buffer = new EventBuffer(config.bufferSize());
    BatchSender sender = new BatchSender(config, transport, runtime, diagnostics, this::completed);
    this.dispatcher = new Dispatcher(config, buffer, runtime, diagnostics, metrics, batch -> {
      // this.sequencer: with a spool the parameter is null and the spool's sequencer numbers.
      if (this.sequencer != null) {
        batch.numbering = this.sequencer;
        batch.issued = this.sequencer.lastNumber();
        batch.declarations = this.sequencer.takeDeclarations(Instant.now());
      }
      sender.deliver(batch);
    });
  }

  AuditStoreConfig config() {
    return config;
  }

  void start() {
    diagnostics.started(transport);
    if (spool != null) {
      resume(spool.recovery());
      if (!spool.policy().isAlways()) {
        long every = spool.policy().interval().toNanos();
        runtime.schedule(new Runnable() {
          @Override
          public void run() {
            if (closeCalls.get() > 0) {
              return; // close forces the spool itself
            }
            spool.forceNow(); // the group commit
            runtime.schedule(this, every);
          }
        }, every);
      }
    }
    // Off the sender threads, so that a slow or unreachable server never delays a real batch. In a
    // CPU-limited container the first send's one-off work (class loading, serialisers, a TCP
    // connection) took seconds of wall time and made the first batch the slowest by far.
    Thread warmUp = new Thread(transport::warmUp, "auditflow-transport-warm-up");
    warmUp.setDaemon(true);
    warmUp.start();
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
    return store(event, spool != null && spool.policy().isAlways());
  }

  @Override
  public DeliveryHandle storeDurably(AuditEvent event) {
    if (spool == null) {
      return AuditStore.super.storeDurably(event);
    }
    return store(event, true);
  }

  /**
   * What a spool left behind: its events go to the server again (the server stores each once), and
   * what it says was dropped, lost to corruption, or never issued is declared.
   */
  private void resume(Spool.Recovery recovery) {
    long now = runtime.nanoTime();
    for (Spool.Spooled s : recovery.events()) {
      long reserved = buffer.reserveRecovered();
      enqueued.increment();
      buffer.append(new Pending(s.event(), now, new DeliveryHandle(s.event().eventId()), s.segment(),
          s.event().producerSeq()));
      dispatcher.enqueued(reserved);
    }
    recovery.declarations().forEach((reason, ranges) -> ranges.forEach(r -> sequencer.declare(reason, r[0], r[1])));
    diagnostics.resumed(spool, recovery);
  }

  private DeliveryHandle store(AuditEvent event, boolean durably) {
    event = traceContext.fill(event);
    List<Violation> violations = validator.validate(event);
    if (!violations.isEmpty()) {
      invalid.increment();
      throw new InvalidAuditEventException(violations);
    }
    long now = runtime.nanoTime();
    long reserved = buffer.reserve();
    if (reserved == 0) {
      reserved = awaitSpace();
    }
    if (reserved < 0) {
      throw rejectClosed(); // not numbered: the epoch is closing, its last number is being told
    }
    if (reserved == 0) {
      // Numbered when dropped too: its number is declared, so it is no gap.
      long seq = spool != null ? spool.appendDropped(event).producerSeq() : sequencer != null ? sequencer.next() : 0;
      return drop(event, seq);
    }
    Spool.Segment spooledIn = null;
    long seq = 0;
    if (spool != null) {
      Spool.Spooled spooled = spool.append(event); // numbered and on file before store() returns
      if (durably) {
        spool.awaitDurable(spooled.ticket());
      }
      event = spooled.event();
      spooledIn = spooled.segment();
      seq = event.producerSeq();
    } else if (sequencer != null) {
      seq = sequencer.next(); // the event is numbered when its batch leaves, off the caller's thread
    }
    DeliveryHandle handle = new DeliveryHandle(event.eventId());
    enqueued.increment(); // before it can be sent and counted acknowledged: the books never run ahead
    buffer.append(new Pending(event, now, handle, spooledIn, seq));
    dispatcher.enqueued(reserved);
    return handle;
  }

  /** The buffer is full: waits per the overflow policy; the reservation, or 0 if none came. */
  private long awaitSpace() {
    if (config.overflowPolicy() == OverflowPolicy.DROP) {
      return 0;
    }
    try {
      return buffer.reserveWaiting(config.overflowTimeout().toNanos());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  private AuditStoreClosedException rejectClosed() {
    rejectedAfterClose.increment();
    return new AuditStoreClosedException(
        "audit store is closed; event not accepted (rejected after close so far: "
            + rejectedAfterClose.sum() + ")");
  }

  private DeliveryHandle drop(AuditEvent event, long seq) {
    dropped.increment();
    if (sequencer != null) {
      sequencer.gaveUp(seq, Reason.BUFFER_FULL);
    }
    diagnostics.dropped(dropped.sum());
    String message =
        config.overflowPolicy() == OverflowPolicy.BLOCK
            ? "buffer full (" + config.bufferSize() + " events) for the overflow timeout " + config.overflowTimeout()
            : "buffer full (" + config.bufferSize() + " events), overflow policy DROP";
    return DeliveryHandle.failed(
        event.eventId(), new AuditDeliveryException(event.eventId(), Reason.BUFFER_FULL, message, null, 0, null));
  }

  // ---------------------------------------------------------------- outcomes

  /** A batch ended: its events are counted and their handles completed, then its slot is free. */
  private void completed(Batch batch, BatchSender.Outcome outcome) {
    settle(batch, outcome);
    dispatcher.finished(batch);
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
    if (!outcome.acknowledged() && sequencer != null && outcome.failure() != Reason.REJECTED) {
      // Not delivered: the declarations go with a later batch. A refused batch's are not sent
      // again (they might be what was refused); their numbers stay gaps, named as such.
      sequencer.restore(batch.declarations);
    }
    if (outcome.acknowledged()) {
      acknowledged.add(batch.size());
      long now = runtime.nanoTime();
      for (Pending p : batch.entries) {
        metrics.ackLatency(now - p.enqueuedAtNanos);
        p.handle.acknowledge();
        settledInSpool(p);
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
      unknown.add(entries.size());
      diagnostics.unknown(entries.size(), attempts, message);
    } else {
      failed.add(entries.size());
      diagnostics.lost(entries.size(), reason, attempts, message);
    }
    for (Pending p : entries) {
      if (sequencer != null && !keptForTheNextProcess(reason)) {
        sequencer.gaveUp(p.seq, reason);
        settledInSpool(p);
      }
      p.handle.fail(
          new AuditDeliveryException(
              p.event.eventId(), reason, message, last == null ? null : last.problem().orElse(null), attempts, last));
    }
  }

  // ---------------------------------------------------------------- flush, stats, close

  @Override
  public void flush(Duration timeout) throws AuditFlushException, InterruptedException {
    List<CompletableFuture<Void>> covered = dispatcher.flush();
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
    int depth = buffer.size();
    Pending head = buffer.head();
    boolean any = head != null;
    long oldest = any ? head.enqueuedAtNanos : 0;
    int batches = 0;
    int events = 0;
    for (Batch b : dispatcher.inFlight()) {
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
    Duration age = !any ? Duration.ZERO : Duration.ofNanos(Math.max(0, runtime.nanoTime() - oldest));
    return new AuditStoreStats(
        enqueued.sum(), acknowledged.sum(), dropped.sum(), failed.sum(), unknown.sum(), invalid.sum(),
        rejectedAfterClose.sum(), depth, batches, events, age);
  }

  @Override
  public void close() {
    diagnostics.closedWithLosses(close(config.closeTimeout()));
  }

  @Override
  public CloseReport close(Duration timeout) {
    if (closeCalls.getAndIncrement() > 0) {
      return closed.join();
    }
    long closeStarted = runtime.nanoTime();
    try {
      dispatcher.close();
      boolean completed;
      try {
        completed = dispatcher.awaitDrained(timeout.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        completed = false;
      }
      if (completed) {
        runtime.shutdown();
        boolean epochClosed = closeEpoch(timeout.minusNanos(runtime.nanoTime() - closeStarted));
        if (epochClosed && spool != null) {
          spool.finish(); // all settled and the server knows the end: the next store starts afresh
        }
      } else {
        abandon();
      }
      if (spool != null) {
        spool.close();
      }
      transport.close();
      removeShutdownHook();
      CloseReport report = new CloseReport(enqueued.sum(), acknowledged.sum(), failed.sum(), unknown.sum(),
          dropped.sum(), rejectedAfterClose.sum(), completed);
      diagnostics.closed(report);
      closed.complete(report);
      return report;
    } catch (RuntimeException | Error e) {
      closed.completeExceptionally(e);
      throw e;
    }
  }

  /**
   * Close ran out of time: stops the threads and settles everything not yet settled — batches
   * in flight (also those handed to a sender that never started them, or waiting to retry) and
   * the buffer. A batch whose request was under way ends {@code OUTCOME_UNKNOWN}, one never sent
   * {@code CLOSED_BEFORE_DELIVERY}; every handle is complete when close returns.
   */
  private void abandon() {
    try {
      // Interrupted senders settle their own batches; give them a moment to do so.
      if (!runtime.shutdownNow(ABANDON_GRACE)) {
        diagnostics.sendersStuck(ABANDON_GRACE.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Batch batch : dispatcher.inFlight()) {
      Reason reason = batch.mayBeStored ? Reason.OUTCOME_UNKNOWN : Reason.CLOSED_BEFORE_DELIVERY;
      settle(batch, new BatchSender.Outcome(reason, 0, null));
    }
    List<Pending> left = buffer.drain();
    if (!left.isEmpty()) {
      fail(left, Reason.CLOSED_BEFORE_DELIVERY, 0, null);
    }
  }

  /**
   * Tells the server the epoch is over: what is still to declare, and the epoch-closed marker with
   * the last number, in one request within what is left of close's time. If it does not get
   * through, the server sees the epoch fall silent and calls it abandoned after its grace period;
   * any number it never received is then a named gap — nothing is lost silently.
   */
  private boolean closeEpoch(Duration left) {
    if (sequencer == null) {
      return false;
    }
    List<AuditEvent> last = new java.util.ArrayList<>(sequencer.takeDeclarations(Instant.now()));
    last.add(sequencer.closedMarker(Instant.now()));
    Duration timeout = left.compareTo(config.requestTimeout()) < 0 ? left : config.requestTimeout();
    if (timeout.isNegative() || timeout.isZero()) {
      diagnostics.epochNotClosed(sequencer, "close ran out of time");
      return false;
    }
    try {
      transport.send(last, timeout);
      return true;
    } catch (TransportException e) {
      diagnostics.epochNotClosed(sequencer, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      diagnostics.epochNotClosed(sequencer, "interrupted");
    }
    return false;
  }

  /**
   * With a spool, an event a close left unsent is not lost: it stays in the spool, and the next
   * store on it sends it. It is neither declared nor removed.
   */
  private boolean keptForTheNextProcess(Reason reason) {
    return spool != null && reason == Reason.CLOSED_BEFORE_DELIVERY;
  }

  private void settledInSpool(Pending p) {
    if (p.spooledIn != null) {
      spool.settled(p.spooledIn);
    }
  }

  /** The registered shutdown hook, or null; for tests. */
  Thread shutdownHook() {
    return shutdownHook;
  }

  /** True when this thread holds one of the store's locks; for the test that no logging happens under one. */
  boolean holdsALock() {
    return buffer.isLockHeldByCurrentThread() || dispatcher.isLockHeldByCurrentThread();
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
