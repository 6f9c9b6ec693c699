package dev.auditflow.bench;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.AuditStore;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The incident's suspected cause, measured: single events emitted one at a time (seed config:
 * flush 1 s) and polled until queryable, with the machine idle and then with a busy-loop hog on
 * every core. Reports emit → queryable p50/p99 and the client's scheduler drift p50/p99.
 *
 * <p>Run: {@code java -cp auditflow-bench/target/benchmarks.jar dev.auditflow.bench.SaturationTiming [events]}
 */
public final class SaturationTiming {
  private static volatile boolean hogging;

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    try (BenchServer server = new BenchServer(4)) {
      measure(server, events, false);
      measure(server, events, true);
    }
  }

  private static void measure(BenchServer server, int events, boolean saturate) throws Exception {
    List<Thread> hogs = new ArrayList<>();
    hogging = saturate;
    if (saturate) {
      for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
        Thread hog = new Thread(() -> {
          long x = 0;
          while (hogging) {
            x += System.nanoTime() % 7;
          }
          if (x == 42) {
            System.out.print("");
          }
        }, "hog-" + i);
        hog.setDaemon(true);
        hog.start();
        hogs.add(hog);
      }
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        return DistributionStatisticConfig.builder().percentiles(0.5, 0.99).build().merge(config);
      }
    });
    Histogram queryable = new Histogram(3_600_000_000L, 3);
    HttpClient http = HttpClient.newHttpClient();
    String run = saturate ? "sat" : "idle";
    try (AuditStore store = AuditStore.builder().endpoint(server.uri()).bearerToken(server.token())
        .bufferSize(100).batchSize(10).flushInterval(Duration.ofSeconds(1)).meterRegistry(registry).build()) {
      for (int i = 0; i < events; i++) {
        String corr = run + "-" + i + "-" + System.nanoTime();
        long start = System.nanoTime();
        store.store(AuditEvent.builder().eventType("bench.saturation").eventTimestamp(Instant.now())
            .eventCategory("bench").eventAction("emit").eventOutcome(EventOutcome.SUCCESS).correlationId(corr)
            .eventData(Map.of("i", i)).build());
        while (true) {
          String body = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/audit/events/count?correlation_id=" + corr))
              .header("Authorization", "Bearer " + server.token())
              .build(), HttpResponse.BodyHandlers.ofString()).body();
          if (body.contains("\"count\":1")) {
            break;
          }
          Thread.sleep(10);
        }
        queryable.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - start));
      }
    } finally {
      hogging = false;
      for (Thread hog : hogs) {
        hog.join();
      }
    }
    Timer drift = registry.find("auditflow.client.scheduler.drift").timer();
    var snapshot = drift == null ? null : drift.takeSnapshot();
    double driftP50 = 0;
    double driftP99 = 0;
    if (snapshot != null) {
      for (var p : snapshot.percentileValues()) {
        if (p.percentile() == 0.5) {
          driftP50 = p.value(TimeUnit.MILLISECONDS);
        } else if (p.percentile() == 0.99) {
          driftP99 = p.value(TimeUnit.MILLISECONDS);
        }
      }
    }
    System.out.printf("%s: emit->queryable p50 %.0f ms p99 %.0f ms max %.0f ms (n=%d); scheduler drift p50 %.2f ms"
            + " p99 %.2f ms max %.2f ms (n=%d)%n",
        saturate ? "saturated (busy loop on every core)" : "idle",
        queryable.getValueAtPercentile(50) / 1000.0, queryable.getValueAtPercentile(99) / 1000.0,
        queryable.getMaxValue() / 1000.0, queryable.getTotalCount(), driftP50, driftP99,
        snapshot == null ? 0 : snapshot.max(TimeUnit.MILLISECONDS), snapshot == null ? 0 : snapshot.count());
  }
}
