package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Heap held per buffered event: fills a store whose transport never answers with {@code N}
 * events (each built as an application would, 300-byte event_data), and compares the heap after
 * full GCs before and after. Includes the event itself, its handle and the buffer slot.
 *
 * <p>Run: {@code java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.HeapPerEvent [N]}
 */
public final class HeapPerEvent {
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
    // One batch of all N: the last store fills it and it goes "in flight" to the stuck transport,
    // which holds it as the buffer would — the event, its handle, its slot.
    AuditStore store = AuditStore.builder().transport(stuck).bufferSize(n).batchSize(n)
        .flushInterval(Duration.ofHours(1)).build();
    String payload = "p".repeat(270);
    long before = usedAfterGc();
    Object[] handles = new Object[n];
    for (int i = 0; i < n; i++) {
      handles[i] = store.store(AuditEvent.builder().eventType("bench.heap").eventTimestamp(Instant.now())
          .eventCategory("bench").eventAction("buffer").eventOutcome(EventOutcome.SUCCESS)
          .correlationId("corr-" + (i % 1000)).eventData(Map.of("payload", payload, "n", i)).build());
    }
    long after = usedAfterGc();
    var stats = store.stats();
    System.out.printf("held %d events (%d in the buffer, %d in a batch the stuck transport holds);"
            + " heap per held event: %.0f bytes (event_data ~300 bytes as JSON)%n",
        stats.queueDepth() + stats.inFlightEvents(), stats.queueDepth(), stats.inFlightEvents(), (after - before) / (double) n);
    System.out.println("(handles held by the caller are included: " + handles.length + ")");
    never.countDown();
    store.close(Duration.ofSeconds(5));
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
