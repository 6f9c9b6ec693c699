package dev.auditflow.client;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.completeness.Declaration;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A transport that records what it is sent and answers as the test scripts it to. */
final class FakeTransport implements BatchTransport {
  /** What one call does: return an ack or throw. */
  @FunctionalInterface
  interface Behaviour {
    BatchAck answer(int call, List<AuditEvent> batch) throws TransportException, InterruptedException;
  }

  /** One call as the transport saw it. */
  record Call(int number, List<AuditEvent> batch, long startNanos, boolean succeeded) {}

  static final Behaviour ACK = (call, batch) -> new BatchAck(batch.size(), 0, false);

  private final Behaviour behaviour;
  private final AtomicInteger calls = new AtomicInteger();
  final List<Call> log = new CopyOnWriteArrayList<>();
  final AtomicInteger concurrent = new AtomicInteger();
  /** The ids of every event in a call that started, whether or not it finished. */
  private final Set<UUID> started = ConcurrentHashMap.newKeySet();
  final AtomicInteger maxConcurrent = new AtomicInteger();
  /** The issued mark of each numbered call, in call order (docs/COMPLETENESS.md). */
  final List<Long> issuedMarks = new CopyOnWriteArrayList<>();

  FakeTransport(Behaviour behaviour) {
    this.behaviour = behaviour;
  }

  static FakeTransport acking() {
    return new FakeTransport(ACK);
  }

  /** Acknowledges after sleeping {@code delay}, as a slow server would. */
  static FakeTransport slow(Duration delay) {
    return new FakeTransport((call, batch) -> {
      Thread.sleep(delay.toMillis());
      return new BatchAck(batch.size(), 0, false);
    });
  }

  @Override
  public BatchAck send(List<AuditEvent> batch, Duration timeout) throws TransportException, InterruptedException {
    batch.forEach(e -> started.add(e.eventId()));
    int n = calls.incrementAndGet();
    long start = System.nanoTime();
    maxConcurrent.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
    boolean ok = false;
    try {
      BatchAck ack = behaviour.answer(n, batch);
      ok = true;
      return ack;
    } finally {
      concurrent.decrementAndGet();
      log.add(new Call(n, List.copyOf(batch), start, ok));
    }
  }

  @Override
  public BatchAck send(List<AuditEvent> batch, long issued, Duration timeout)
      throws TransportException, InterruptedException {
    issuedMarks.add(issued);
    return send(batch, timeout);
  }

  Set<UUID> startedEventIds() {
    return Set.copyOf(started);
  }

  int calls() {
    return calls.get();
  }

  /** The producer's events delivered: its declarations (docs/COMPLETENESS.md) not counted. */
  long eventsDelivered() {
    return log.stream().filter(Call::succeeded)
        .mapToLong(c -> c.batch().stream().filter(e -> !Declaration.claims(e)).count()).sum();
  }
}
