package dev.auditflow.bench;

import dev.auditflow.client.AuditStore;
import dev.auditflow.client.DeliveryHandle;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import java.time.Duration;
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
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Steady emission from {@code -t} threads into the client and into OpenTelemetry's {@code
 * BatchLogRecordProcessor}, each with a no-op sink that counts what reaches it. Both sides do the
 * same work per call: build a <em>new</em> record with the same fields — type, time, category,
 * action, outcome, correlation, and a ~300-byte payload that is different on every call — and
 * hand it over. auditflow builds through its builder and validates; OTel through {@code
 * logRecordBuilder()…emit()} ({@link ClientPipelines}). {@code sizing}: each pipeline at its own
 * defaults (auditflow buffer 10 000, batch 1 000, block policy with the 1 s overflow timeout, then
 * drop; OTel queue 2 048, batch 512, dropping when full) or both at OTel's sizes ({@code EQUAL}).
 *
 * <p>The primary score counts calls. Read the aux counters instead: {@code delivered} (events that
 * reached the sink, per second — thread 0 reports the sink's growth for everybody), {@code
 * emitted} (calls) and, for auditflow, {@code dropped} (calls answered with a failed handle).
 * OTel does not say which calls it dropped: its drops are {@code emitted − delivered}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ThroughputBenchmark {
  @State(Scope.Benchmark)
  public static class Pipelines {
    final LongAdder auditflowSink = new LongAdder();
    final LongAdder otelSink = new LongAdder();
    @Param({"DEFAULTS", "EQUAL"})
    public ClientPipelines.Sizing sizing;
    AuditStore store;
    SdkLoggerProvider otel;
    Logger logger;

    @Setup(Level.Trial)
    public void setUp() {
      store = sizing.auditflow(CountingSinks.transport(auditflowSink));
      otel = sizing.otel(CountingSinks.exporter(otelSink));
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

  @Benchmark
  public void auditflow(Pipelines p, Counts c) {
    long n = c.next();
    DeliveryHandle handle = p.store.store(ClientPipelines.auditflowEvent(n));
    c.emitted++;
    if (handle.isDone() && !handle.isAcknowledged()) {
      c.dropped++; // refused at once: the buffer stayed full for the overflow timeout
    }
    c.sinkAt(p.auditflowSink.sum());
  }

  @Benchmark
  public void otelBatchLogRecordProcessor(Pipelines p, Counts c) {
    long n = c.next();
    ClientPipelines.emitOtel(p.logger, n);
    c.emitted++;
    c.sinkAt(p.otelSink.sum());
  }
}
