package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.BatchTransport;
import dev.auditflow.client.OverflowPolicy;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Bursts — the incident's shape — through the client next to OpenTelemetry's {@code
 * BatchLogRecordProcessor}, both with a no-op sink that counts what reaches it. One invocation is
 * one burst: {@code producers} threads emit {@code events} each at once, then the pipeline is
 * flushed. The aux counters {@code delivered} and {@code dropped} (per second of run) say how much
 * of each burst arrived; their ratio is what matters, not calls per second.
 *
 * <p>auditflow runs with the block policy (nothing lost), validating every event and tracking
 * its acknowledgement, buffer {@code buffer}, batch {@code batch}; OTel with queue {@code
 * otelQueue} and its default export batch (512), dropping when the queue is full.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Benchmark)
public class BurstBenchmark {
  @Param({"50"})
  public int producers;

  @Param({"10", "1000"})
  public int events;

  /** auditflow's buffer. */
  @Param({"100"})
  public int buffer;

  /** OTel's queue (its default: 2 048). */
  @Param({"100", "2048"})
  public int otelQueue;

  @Param({"10"})
  public int batch;

  /** Counted per invocation thread (the single JMH thread), reported as rates. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Delivery {
    public long delivered;
    public long dropped;
  }

  private final LongAdder sink = new LongAdder();
  private BurstDriver driver;
  private AuditStore store;
  private AuditEvent event;
  private SdkLoggerProvider otel;
  private BatchLogRecordProcessor processor;
  private Logger logger;

  @Setup(Level.Trial)
  public void setUp() {
    driver = new BurstDriver(producers);
    BatchTransport counting = CountingSinks.transport(sink);
    store = AuditStore.builder().transport(counting).bufferSize(buffer).batchSize(Math.min(batch, buffer))
        .overflowPolicy(OverflowPolicy.BLOCK).overflowTimeout(Duration.ofMinutes(1)).build();
    event = AuditEvent.builder().eventType("bench.event.emitted").eventTimestamp(Instant.now())
        .eventCategory("bench").eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId("bench")
        .eventData(Map.of("k", "v", "n", 42)).build();
    LogRecordExporter exporter = CountingSinks.exporter(sink);
    processor = BatchLogRecordProcessor.builder(exporter).setMaxQueueSize(otelQueue)
        .setMaxExportBatchSize(Math.min(512, otelQueue)).build();
    otel = SdkLoggerProvider.builder().addLogRecordProcessor(processor).build();
    logger = otel.get("bench");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    store.close(Duration.ofSeconds(30));
    otel.shutdown().join(30, TimeUnit.SECONDS);
    driver.close();
  }

  @Benchmark
  public void auditflow(Delivery d) throws Exception {
    long before = sink.sum();
    long droppedBefore = store.stats().dropped();
    driver.burst(events, () -> store.store(event));
    store.flush(Duration.ofMinutes(1));
    d.delivered += sink.sum() - before;
    d.dropped += store.stats().dropped() - droppedBefore;
  }

  @Benchmark
  public void otelBatchLogRecordProcessor(Delivery d) throws Exception {
    long before = sink.sum();
    driver.burst(events, () -> logger.logRecordBuilder().setBody("bench.event.emitted").emit());
    processor.forceFlush().join(60, TimeUnit.SECONDS);
    long delivered = sink.sum() - before;
    d.delivered += delivered;
    d.dropped += (long) producers * events - delivered;
  }
}
