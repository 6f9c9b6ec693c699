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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Steady emission from {@code -t} threads, each op one event, into the client (defaults: buffer
 * 10 000, batch 1 000, block policy — nothing lost — validating every event and tracking its
 * acknowledgement) and into OpenTelemetry's {@code BatchLogRecordProcessor} (defaults: queue
 * 2 048, batch 512, dropping when full), each with a no-op sink that counts what reaches it.
 *
 * <p>The primary score counts calls; read the aux counter {@code delivered} (events that reached
 * the sink per second) instead, next to {@code emitted}: a call that drops is cheap. Thread 0
 * reports the sink's growth for everybody, so the summed counter is the sink's rate.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark {

  @State(Scope.Benchmark)
  public static class Pipelines {
    final LongAdder auditflowSink = new LongAdder();
    final LongAdder otelSink = new LongAdder();
    AuditStore store;
    AuditEvent event;
    SdkLoggerProvider otel;
    Logger logger;

    @Setup(Level.Trial)
    public void setUp() {
      BatchTransport counting = CountingSinks.transport(auditflowSink);
      store = AuditStore.builder().transport(counting).overflowPolicy(OverflowPolicy.BLOCK)
          .overflowTimeout(Duration.ofMinutes(1)).build();
      event = AuditEvent.builder().eventType("bench.event.emitted").eventTimestamp(Instant.now())
          .eventCategory("bench").eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId("bench")
          .eventData(Map.of("k", "v", "n", 42)).build();
      LogRecordExporter exporter = CountingSinks.exporter(otelSink);
      otel = SdkLoggerProvider.builder().addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).build()).build();
      logger = otel.get("bench");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      store.close(Duration.ofSeconds(30));
      otel.shutdown().join(30, TimeUnit.SECONDS);
    }
  }

  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Counts {
    public long emitted;
    public long delivered;
    private boolean reporter;
    private long lastSeen = -1;

    @Setup(Level.Iteration)
    public void start(ThreadParams threads) {
      reporter = threads.getThreadIndex() == 0;
      lastSeen = -1;
    }

    void sinkAt(long sinkNow) {
      if (reporter) {
        if (lastSeen >= 0) {
          delivered += sinkNow - lastSeen;
        }
        lastSeen = sinkNow;
      }
    }
  }

  @Benchmark
  public void auditflow(Pipelines p, Counts c) {
    p.store.store(p.event);
    c.emitted++;
    c.sinkAt(p.auditflowSink.sum());
  }

  @Benchmark
  public void otelBatchLogRecordProcessor(Pipelines p, Counts c) {
    p.logger.logRecordBuilder().setBody("bench.event.emitted").emit();
    c.emitted++;
    c.sinkAt(p.otelSink.sum());
  }
}
