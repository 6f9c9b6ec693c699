package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.BatchTransport;
import dev.auditflow.client.DeliveryHandle;
import io.opentelemetry.api.common.AttributeKey;
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
 * Steady emission from {@code -t} threads into the client and into OpenTelemetry's {@code
 * BatchLogRecordProcessor}, each with a no-op sink that counts what reaches it. Both sides do the
 * same work per call: build a <em>new</em> record with the same fields — type, time, category,
 * action, outcome, correlation, and a ~300-byte payload that is different on every call — and
 * hand it over. auditflow builds through its builder and validates; OTel through {@code
 * logRecordBuilder()…emit()}. Both run their defaults: auditflow buffer 10 000, batch 1 000,
 * block policy with the 1 s overflow timeout (then drop); OTel queue 2 048, batch 512, dropping
 * when full.
 *
 * <p>The primary score counts calls. Read the aux counters instead: {@code delivered} (events that
 * reached the sink, per second — thread 0 reports the sink's growth for everybody), {@code
 * emitted} (calls) and, for auditflow, {@code dropped} (calls answered with a failed handle).
 * OTel does not say which calls it dropped: its drops are {@code emitted − delivered}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark {
  private static final AttributeKey<String> CATEGORY = AttributeKey.stringKey("event_category");
  private static final AttributeKey<String> ACTION = AttributeKey.stringKey("event_action");
  private static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("event_outcome");
  private static final AttributeKey<String> CORRELATION = AttributeKey.stringKey("correlation_id");
  private static final AttributeKey<String> PAYLOAD = AttributeKey.stringKey("payload");
  private static final AttributeKey<Long> N = AttributeKey.longKey("n");
  private static final String PAYLOAD_PREFIX = "x".repeat(280);

  @State(Scope.Benchmark)
  public static class Pipelines {
    final LongAdder auditflowSink = new LongAdder();
    final LongAdder otelSink = new LongAdder();
    AuditStore store;
    SdkLoggerProvider otel;
    Logger logger;

    @Setup(Level.Trial)
    public void setUp() {
      BatchTransport counting = CountingSinks.transport(auditflowSink);
      store = AuditStore.builder().transport(counting).build();
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
    public long dropped;
    private boolean reporter;
    private long lastSeen = -1;
    private long sequence;

    @Setup(Level.Iteration)
    public void start(ThreadParams threads) {
      reporter = threads.getThreadIndex() == 0;
      lastSeen = -1;
      sequence = (long) threads.getThreadIndex() << 40;
    }

    long next() {
      return sequence++;
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

  /** ~300 bytes, different on every call: the prefix and the call's number. */
  private static String payload(long n) {
    return PAYLOAD_PREFIX + n;
  }

  @Benchmark
  public void auditflow(Pipelines p, Counts c) {
    long n = c.next();
    DeliveryHandle handle = p.store.store(AuditEvent.builder().eventType("bench.event.emitted")
        .eventTimestamp(Instant.now()).eventCategory("bench").eventAction("emit").eventOutcome(EventOutcome.SUCCESS)
        .correlationId("bench-" + (n & 127)).eventData(Map.of("payload", payload(n), "n", n)).build());
    c.emitted++;
    if (handle.isDone() && !handle.isAcknowledged()) {
      c.dropped++; // refused at once: the buffer stayed full for the overflow timeout
    }
    c.sinkAt(p.auditflowSink.sum());
  }

  @Benchmark
  public void otelBatchLogRecordProcessor(Pipelines p, Counts c) {
    long n = c.next();
    p.logger.logRecordBuilder().setTimestamp(Instant.now()).setBody("bench.event.emitted")
        .setAttribute(CATEGORY, "bench").setAttribute(ACTION, "emit").setAttribute(OUTCOME, "success")
        .setAttribute(CORRELATION, "bench-" + (n & 127)).setAttribute(PAYLOAD, payload(n)).setAttribute(N, n)
        .emit();
    c.emitted++;
    c.sinkAt(p.otelSink.sum());
  }
}
