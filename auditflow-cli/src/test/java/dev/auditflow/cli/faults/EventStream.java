package dev.auditflow.cli.faults;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditDeliveryException;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreConfig;
import dev.auditflow.client.CloseReport;
import dev.auditflow.client.DeliveryHandle;
import dev.auditflow.client.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * A steady stream of events through the real client, from {@code threads} threads at {@code
 * perSecond} each, remembering every handle.
 */
final class EventStream implements AutoCloseable {
  final String correlationPrefix;
  final AuditStore store;
  private final List<DeliveryHandle> handles = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private volatile boolean running = true;

  EventStream(URI server, String token, String correlationPrefix, Duration deliveryTimeout) {
    this(server, token, correlationPrefix, deliveryTimeout, AuditStoreConfig.DEFAULTS.outcomeResolutionTimeout());
  }

  EventStream(URI server, String token, String correlationPrefix, Duration deliveryTimeout,
      Duration outcomeResolutionTimeout) {
    this(server, token, correlationPrefix, deliveryTimeout, outcomeResolutionTimeout, RetryPolicy.DEFAULT);
  }

  EventStream(URI server, String token, String correlationPrefix, Duration deliveryTimeout,
      Duration outcomeResolutionTimeout, RetryPolicy retry) {
    this.correlationPrefix = correlationPrefix;
    this.store = AuditStore.builder().endpoint(server).bearerToken(token).batchSize(50)
        .flushInterval(Duration.ofMillis(200))
        .requestTimeout(Duration.ofSeconds(3)).deliveryTimeout(deliveryTimeout)
        .outcomeResolutionTimeout(outcomeResolutionTimeout).retryPolicy(retry).overflowTimeout(Duration.ofSeconds(30))
        .build();
  }

  void start(int threadCount, int perSecond) {
    for (int t = 0; t < threadCount; t++) {
      String correlationId = correlationPrefix + "-" + t;
      Thread thread = new Thread(() -> {
        long start = System.nanoTime();
        for (long i = 0; running; i++) {
          long due = start + i * 1_000_000_000L / perSecond;
          long wait = due - System.nanoTime();
          if (wait > 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(wait);
          }
          handles.add(store.store(event(correlationId, i)));
        }
      }, "stream-" + t);
      thread.start();
      threads.add(thread);
    }
  }

  /** Emits {@code count} events per thread as fast as possible (a burst), then returns. */
  void burst(int threadCount, int count) throws InterruptedException {
    List<Thread> burst = new CopyOnWriteArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      String correlationId = correlationPrefix + "-b" + t;
      Thread thread = new Thread(() -> {
        for (int i = 0; i < count; i++) {
          handles.add(store.store(event(correlationId, i)));
        }
      });
      thread.start();
      burst.add(thread);
    }
    for (Thread t : burst) {
      t.join();
    }
  }

  private static AuditEvent event(String correlationId, long i) {
    return AuditEvent.builder().eventType("fault.event.emitted").eventTimestamp(Instant.now()).eventCategory("fault")
        .eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId(correlationId)
        .eventData(Map.of("i", i)).build();
  }

  /**
   * Waits until {@code count} events of the stream are acknowledged: the stream is under way, with
   * batches flowing, when a fault strikes — rather than after a fixed time.
   */
  void awaitAcknowledged(int count) {
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .pollInterval(java.time.Duration.ofMillis(20))
        .until(() -> handles.stream().filter(DeliveryHandle::isAcknowledged).count() >= count);
  }

  void stopEmitting() throws InterruptedException {
    running = false;
    for (Thread t : threads) {
      t.join();
    }
  }

  /** Stops, drains the client, and says what happened to every event. */
  Outcome finish(Duration closeTimeout) throws InterruptedException {
    stopEmitting();
    CloseReport report = store.close(closeTimeout);
    Set<String> acked = ConcurrentHashMap.newKeySet();
    Set<String> lost = ConcurrentHashMap.newKeySet();
    Set<String> unknown = ConcurrentHashMap.newKeySet();
    long unreported = 0;
    for (DeliveryHandle h : handles) {
      if (h.isAcknowledged()) {
        acked.add(h.eventId().toString());
      } else if (h.failure().isPresent()) {
        (h.failure().get().isLost() ? lost : unknown).add(h.eventId().toString());
      } else {
        unreported++;
      }
    }
    Map<AuditDeliveryException.Reason, Long> reasons = handles.stream().flatMap(h -> h.failure().stream())
        .collect(Collectors.groupingBy(AuditDeliveryException::reason, Collectors.counting()));
    return new Outcome(handles.size(), acked, lost, unknown, unreported, reasons, report);
  }

  /**
   * What became of every event: acknowledged, reported lost (known not stored), of unknown
   * outcome (may be stored), or — the number that must be zero — none of these.
   */
  record Outcome(int sent, Set<String> acked, Set<String> reportedLost, Set<String> unknown, long unreported,
      Map<AuditDeliveryException.Reason, Long> reasons, CloseReport report) {}

  @Override
  public void close() throws InterruptedException {
    running = false;
    stopEmitting();
    store.close(Duration.ofSeconds(5));
  }
}
