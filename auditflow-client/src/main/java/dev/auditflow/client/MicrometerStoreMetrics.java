package dev.auditflow.client;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Exports a store's behaviour to Micrometer. Loaded only when the application passes a {@link
 * MeterRegistry}, so Micrometer stays an optional dependency.
 */
final class MicrometerStoreMetrics implements StoreMetrics {
  private final MeterRegistry registry;
  private final DistributionSummary batchSize;
  private final Timer writeSuccess;
  private final Timer writeFailure;
  private final Timer ackLatency;
  private final Timer schedulerDrift;

  MicrometerStoreMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.batchSize =
        DistributionSummary.builder("auditflow.client.batch.size")
            .description("Events per request")
            .baseUnit("events")
            .register(registry);
    this.writeSuccess = writeTimer("success");
    this.writeFailure = writeTimer("failure");
    this.ackLatency =
        Timer.builder("auditflow.client.ack.latency")
            .description("Time from store() to the server's acknowledgement, per event")
            .publishPercentileHistogram()
            .register(registry);
    this.schedulerDrift =
        Timer.builder("auditflow.client.scheduler.drift")
            .description("How late the flush timer woke past its deadline (independent of writes)")
            .register(registry);
  }

  private Timer writeTimer(String result) {
    return Timer.builder("auditflow.client.write.duration")
        .description("Duration of one delivery attempt")
        .tag("result", result)
        .publishPercentileHistogram()
        .register(registry);
  }

  void bindTo(BufferedAuditStore store) {
    outcome(store, "enqueued", AuditStoreStats::enqueued);
    outcome(store, "acknowledged", AuditStoreStats::acknowledged);
    outcome(store, "dropped", AuditStoreStats::dropped);
    outcome(store, "failed", AuditStoreStats::failed);
    outcome(store, "unknown", AuditStoreStats::unknown);
    outcome(store, "invalid", AuditStoreStats::invalid);
    outcome(store, "rejected_closed", AuditStoreStats::rejectedAfterClose);
    gauge(store, "auditflow.client.queue.size", "Events in the buffer", s -> s.queueDepth());
    Gauge.builder("auditflow.client.queue.capacity", store, s -> s.config().bufferSize())
        .description("Buffer capacity")
        .register(registry);
    gauge(store, "auditflow.client.inflight.batches", "Batches being sent or retried", s -> s.inFlightBatches());
    Gauge.builder("auditflow.client.oldest.unacknowledged.age", store,
            s -> s.stats().oldestUnacknowledgedAge().toNanos() / 1e9)
        .description("Age of the oldest event not yet acknowledged")
        .baseUnit("seconds")
        .register(registry);
  }

  private void outcome(BufferedAuditStore store, String outcome, ToDoubleFunction<AuditStoreStats> count) {
    FunctionCounter.builder("auditflow.client.events", store, s -> count.applyAsDouble(s.stats()))
        .description("Events by outcome")
        .tag("outcome", outcome)
        .register(registry);
  }

  private void gauge(BufferedAuditStore store, String name, String description, ToDoubleFunction<AuditStoreStats> value) {
    Gauge.builder(name, store, s -> value.applyAsDouble(s.stats())).description(description).register(registry);
  }

  @Override
  public void batchSent(int size) {
    batchSize.record(size);
  }

  @Override
  public void writeDuration(long nanos, boolean success) {
    (success ? writeSuccess : writeFailure).record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void ackLatency(long nanos) {
    ackLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void schedulerDrift(long nanos) {
    schedulerDrift.record(nanos, TimeUnit.NANOSECONDS);
  }
}
