package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import dev.auditflow.client.OverflowPolicy;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Heap held per buffered event, measured honestly: a store with a full buffer of {@code N} events,
 * each built as an application would with its own ~300-byte payload (no string shared between
 * events), plus one batch of 1 000 held in flight by a transport that never answers. The heap
 * after full GCs, before and after, divided by the events held — the event, its handle and its
 * buffer slot; the caller's references to the handles are counted too (8 bytes each).
 *
 * <p>Run: {@code java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.HeapPerEvent [N]}
 */
public final class HeapPerEvent {
  private static final int BATCH = 1_000;

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    CountDownLatch never = new CountDownLatch(1);
    BatchTransport stuck = new BatchTransport() {
      @Override
      public BatchAck send(List<AuditEvent> batch, Duration timeout) throws InterruptedException {
        never.await();
        return new BatchAck(batch.size(), 0, false);
      }
    };
    AuditStore store = AuditStore.builder().transport(stuck).bufferSize(n).batchSize(BATCH).maxInFlightBatches(1)
        .overflowPolicy(OverflowPolicy.DROP).flushInterval(Duration.ofHours(1)).build();
    String prefix = "p".repeat(280);
    long before = usedAfterGc();
    int held = n + BATCH;
    Object[] handles = new Object[held];
    for (int i = 0; i < held; i++) {
      // new String(...): a payload of its own for every event, as real events have.
      handles[i] = store.store(AuditEvent.builder().eventType("bench.heap").eventTimestamp(Instant.now())
          .eventCategory("bench").eventAction("buffer").eventOutcome(EventOutcome.SUCCESS)
          .correlationId("corr-" + (i % 1000)).eventData(Map.of("payload", new String(prefix + i), "n", i)).build());
      if (i == BATCH - 1) {
        awaitInFlight(store); // the first batch leaves for the stuck transport; the rest fill the buffer
      }
    }
    long after = usedAfterGc();
    var stats = store.stats();
    if (stats.queueDepth() != n || stats.dropped() != 0) {
      throw new IllegalStateException("expected a full buffer of " + n + " and nothing dropped: " + stats);
    }
    System.out.printf("held %d events (%d in the full buffer, %d in a batch the stuck transport holds);"
            + " heap per held event: %.0f bytes (a distinct ~300-byte payload each)%n",
        stats.queueDepth() + stats.inFlightEvents(), stats.queueDepth(), stats.inFlightEvents(),
        (after - before) / (double) held);
    System.out.println("(handles held by the caller are included: " + handles.length + ")");
    never.countDown();
    store.close(Duration.ofSeconds(5));
  }

  private static void awaitInFlight(AuditStore store) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (store.stats().inFlightEvents() < BATCH) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the first batch did not leave: " + store.stats());
      }
      Thread.sleep(10);
    }
  }

  private static long usedAfterGc() throws InterruptedException {
    var memory = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(200);
    }
    return memory.getHeapMemoryUsage().getUsed();
  }
}
