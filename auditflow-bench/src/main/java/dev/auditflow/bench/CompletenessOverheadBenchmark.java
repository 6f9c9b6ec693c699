package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.FsyncPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
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
 * What completeness costs a producer (docs/COMPLETENESS.md): {@code store()} calls per second into
 * the client with a counting sink, the same event as {@link ThroughputBenchmark}'s, in four modes —
 * {@code off} (no producer sequence: the baseline), {@code sequences} (the default: each event
 * numbered), {@code spool-interval} (numbered and written to a spool forced every 200 ms) and
 * {@code spool-always} (numbered, written and forced before {@code store()} returns; concurrent
 * callers share a force). The spool lives in a temporary directory on the machine's disk.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CompletenessOverheadBenchmark {
  private static final String PAYLOAD_PREFIX = "x".repeat(280);

  @State(Scope.Benchmark)
  public static class Store {
    @Param({"off", "sequences", "spool-interval", "spool-always"})
    public String mode;

    final LongAdder sink = new LongAdder();
    AuditStore store;
    Path spool;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
      AuditStoreBuilder builder = AuditStore.builder().transport(CountingSinks.transport(sink));
      switch (mode) {
        case "off" -> builder.producerSequences(false);
        case "sequences" -> { }
        case "spool-interval" -> builder.spoolDirectory(spool = Files.createTempDirectory("auditflow-bench-spool"))
            .spoolFsync(FsyncPolicy.interval(Duration.ofMillis(200)));
        case "spool-always" -> builder.spoolDirectory(spool = Files.createTempDirectory("auditflow-bench-spool"))
            .spoolFsync(FsyncPolicy.always());
        default -> throw new IllegalArgumentException(mode);
      }
      store = builder.build();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
      store.close(Duration.ofSeconds(30));
      if (spool != null) {
        try (Stream<Path> files = Files.walk(spool)) {
          files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
    }
  }

  @State(Scope.Thread)
  public static class Sequence {
    long n;
  }

  @Benchmark
  public boolean store(Store s, Sequence q) {
    long n = q.n++;
    return s.store.store(AuditEvent.builder().eventType("bench.event.emitted").eventTimestamp(Instant.now())
        .eventCategory("bench").eventAction("emit").eventOutcome(EventOutcome.SUCCESS)
        .correlationId("bench-" + (n & 127)).eventData(Map.of("payload", PAYLOAD_PREFIX + n, "n", n)).build())
        .isDone();
  }
}
