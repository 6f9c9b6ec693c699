package dev.auditflow.cli.load;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.cli.CliFailure;
import dev.auditflow.client.AuditDeliveryException;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.AuditStoreClosedException;
import dev.auditflow.client.CloseReport;
import dev.auditflow.client.DeliveryHandle;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Drives the real client from many threads into a server, then accounts for every event: what
 * the client reported (acknowledged, dropped, failed) and, with verification, what the server
 * has.
 */
public final class LoadRun {
  private static final Duration CLOSE_TIMEOUT = Duration.ofMinutes(3);

  private final LoadPlan plan;
  private final String runId = UUID.randomUUID().toString().substring(0, 8);
  private final LongAdder attempted = new LongAdder();
  private final LongAdder acknowledged = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder unknown = new LongAdder();
  /** Events reported lost (dropped or failed): with --verify, none of them may be stored. */
  private final Set<String> reportedLost = ConcurrentHashMap.newKeySet();
  private final Histogram enqueueToAck = new ConcurrentHistogram(3_600_000_000L, 3);
  private final AtomicLong lastAckNanos = new AtomicLong();
  private final String payload;
  private Histogram emitToQueryable;

  public LoadRun(LoadPlan plan) {
    this.plan = plan;
    this.payload = "x".repeat(Math.max(0, plan.payloadBytes() - 20));
  }

  private String correlationId(int thread) {
    return "load-" + runId + "-t" + thread;
  }

  public LoadReport run(PrintStream progress) throws IOException, InterruptedException {
    AuditStoreBuilder builder = AuditStore.builder().endpoint(plan.server().base());
    if (plan.server().token() != null) {
      builder.bearerToken(plan.server().token());
    }
    if (plan.server().trustedCertificates() != null) {
      builder.trustedCertificates(plan.server().trustedCertificates());
    }
    AuditStore store = builder
        .bufferSize(plan.bufferSize())
        .batchSize(plan.batchSize())
        .flushInterval(plan.flushInterval())
        .overflowPolicy(plan.overflow())
        .overflowTimeout(plan.overflowTimeout())
        .requestTimeout(plan.requestTimeout())
        .deliveryTimeout(plan.deliveryTimeout())
        .build();
    long start = System.nanoTime();
    try (ProgressBar bar = new ProgressBar(progress, plan.plannedEvents(), attempted::sum, acknowledged::sum,
        () -> store.stats().oldestUnacknowledgedAge())) {
      emitAll(store, start);
      CloseReport closed = store.close(CLOSE_TIMEOUT);
      if (!closed.completed()) {
        progress.println("warning: the client did not drain within " + CLOSE_TIMEOUT + "; undelivered events are counted as failed");
      }
    }
    // Handles of events lost at close complete before close returns, so the counters are final.
    double elapsed = Math.max(1e-9, (Math.max(lastAckNanos.get(), start) - start) / 1e9);
    Long stored = null;
    Long duplicates = null;
    Long lostButStored = null;
    LatencySummary queryable = null;
    String verificationError = null;
    if (plan.verify()) {
      List<String> ids = new ArrayList<>();
      for (int t = 0; t < plan.threads(); t++) {
        ids.add(correlationId(t));
      }
      try {
        StoredEvents.Found found = new StoredEvents(plan.server()).countWhenStored(ids, acknowledged.sum(), plan.verifyWait());
        stored = found.distinct();
        duplicates = found.duplicates();
        lostButStored = reportedLost.stream().filter(found.ids()::contains).count();
        emitToQueryable = found.emitToQueryableMicros();
        queryable = LatencySummary.of(emitToQueryable);
      } catch (CliFailure | IOException e) {
        // The summary of what the client saw is still true and still printed; the count is not.
        verificationError = e.getMessage();
      }
    }
    return new LoadReport(attempted.sum(), acknowledged.sum(), dropped.sum(), failed.sum(), unknown.sum(), stored,
        duplicates, lostButStored, elapsed, acknowledged.sum() / elapsed, LatencySummary.of(enqueueToAck), queryable,
        store.stats(), verificationError);
  }

  /** The latency histograms of the last run, for plotting. */
  public Map<String, Histogram> histograms() {
    Map<String, Histogram> h = new java.util.LinkedHashMap<>();
    h.put("enqueue -> ack", enqueueToAck);
    if (emitToQueryable != null) {
      h.put("emit -> queryable", emitToQueryable);
    }
    return h;
  }

  private void emitAll(AuditStore store, long start) throws InterruptedException {
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    long deadline = plan.duration() == null ? Long.MAX_VALUE : start + plan.duration().toNanos();
    double perThreadRate = plan.ratePerSecond() / plan.threads();
    for (int t = 0; t < plan.threads(); t++) {
      String correlationId = correlationId(t);
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long threadStart = System.nanoTime();
        for (long i = 0; plan.duration() != null || i < plan.eventsPerThread(); i++) {
          if (perThreadRate > 0) {
            long due = threadStart + (long) (i * 1e9 / perThreadRate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
              LockSupport.parkNanos(wait);
            }
          }
          if (System.nanoTime() - deadline >= 0) {
            return;
          }
          if (!emit(store, correlationId, i)) {
            return;
          }
        }
      }, "load-" + t);
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
  }

  private boolean emit(AuditStore store, String correlationId, long sequence) {
    AuditEvent event = AuditEvent.builder()
        .eventType("load.event.emitted")
        .eventTimestamp(Instant.now())
        .eventCategory("load")
        .eventAction("emit")
        .eventOutcome(EventOutcome.SUCCESS)
        .correlationId(correlationId)
        .eventData(Map.of("sequence", sequence, "payload", payload))
        .build();
    long enqueued = System.nanoTime();
    DeliveryHandle handle;
    try {
      handle = store.store(event);
    } catch (AuditStoreClosedException e) {
      return false;
    }
    attempted.increment();
    handle.completion().whenComplete((ok, error) -> {
      long now = System.nanoTime();
      if (error == null) {
        acknowledged.increment();
        enqueueToAck.recordValue(TimeUnit.NANOSECONDS.toMicros(now - enqueued));
        lastAckNanos.accumulateAndGet(now, Math::max);
      } else {
        AuditDeliveryException failure = handle.failure().orElseThrow();
        if (failure.reason() == AuditDeliveryException.Reason.BUFFER_FULL) {
          dropped.increment();
        } else if (failure.isLost()) {
          failed.increment();
        } else {
          unknown.increment();
        }
        if (failure.isLost()) {
          reportedLost.add(handle.eventId().toString());
        }
      }
    });
    return true;
  }
}
