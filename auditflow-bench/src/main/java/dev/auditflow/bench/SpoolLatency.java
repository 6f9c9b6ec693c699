package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import dev.auditflow.client.AuditStoreBuilder;
import dev.auditflow.client.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Emit → queryable with the client's spool (docs/COMPLETENESS.md) at the seed's trickle: 5 events/s
 * with buffer 100, batch 10 and flush interval 1 s, as §7 of docs/BENCHMARKS.md measures without a
 * spool. Each round runs the three clients one after the other — no spool (the peer), spool with
 * {@code interval(200 ms)}, spool with {@code always} — against one server. Emit → queryable is the
 * server's {@code received_at} minus the timestamp the event was emitted with, read back per event.
 *
 * <p>Run: {@code java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.SpoolLatency [rounds] [seconds]}
 */
public final class SpoolLatency {
  private static final int EVENTS_PER_SECOND = 5;

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    try (BenchServer server = new BenchServer(4)) {
      for (int round = 1; round <= rounds; round++) {
        for (String spool : new String[] {"none", "interval:200", "always"}) {
          measure(server, round, spool, seconds * EVENTS_PER_SECOND);
        }
      }
    }
  }

  private static void measure(BenchServer server, int round, String spool, int events) throws Exception {
    String run = "spool-latency-" + round + "-" + spool.replace(':', '-') + "-" + System.nanoTime();
    AuditStoreBuilder builder = AuditStore.builder().endpoint(server.uri()).bearerToken(server.token())
        .bufferSize(100).batchSize(10).flushInterval(Duration.ofSeconds(1)).producerId(run);
    Path directory = null;
    if (!spool.equals("none")) {
      directory = Files.createTempDirectory("spool-latency");
      builder.spoolDirectory(directory).spoolFsync(spool.equals("always") ? FsyncPolicy.always()
          : FsyncPolicy.interval(Duration.ofMillis(Long.parseLong(spool.substring("interval:".length())))));
    }
    try (AuditStore store = builder.build()) {
      EmitLatency.trickle(events, EVENTS_PER_SECOND, i -> store.store(AuditEvent.builder()
          .eventType("bench.spool-latency").eventTimestamp(Instant.now()).eventCategory("bench").eventAction("emit")
          .eventOutcome(EventOutcome.SUCCESS).correlationId(run).eventData(Map.of("i", i)).build()));
      store.flush(Duration.ofSeconds(30));
    }
    EmitLatency.print(String.format("round %d spool %-12s", round, spool), EmitLatency.readBack(server, run), events);
    if (directory != null) {
      try (var files = Files.walk(directory)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
