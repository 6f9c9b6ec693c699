package dev.auditflow.cli.load;

import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.ApiClient;
import dev.auditflow.cli.ConnectionOptions;
import dev.auditflow.client.OverflowPolicy;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code auditflow load}: bursts through the real client; exit 1 if anything was lost unreported
 * or, with {@code --verify}, an event reported lost was stored after all.
 */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = "Drive events through the real client into a server and report loss and latency. Exit 0 every"
        + " event acknowledged (and, with --verify, stored exactly once); 1 events were dropped, failed or ended"
        + " unknown — reported, as the summary says; 2 could not run, or could not verify; 3 an event was lost"
        + " without being reported, or reported lost and stored after all.")
public final class LoadCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ConnectionOptions connection;

  @Option(names = "--threads", defaultValue = "50", description = "Emitting threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = "--events-per-thread", defaultValue = "10", description = "Events per thread (default: ${DEFAULT-VALUE}).")
  int eventsPerThread;

  @Option(names = "--rate", defaultValue = "0", description = "Total events/s over all threads; 0 = burst (default).")
  double rate;

  @Option(names = "--duration", description = "Run this long (e.g. 30s) instead of a fixed number of events.")
  Duration duration;

  @Option(names = "--buffer-size", defaultValue = "10000", description = "Client buffer (default: ${DEFAULT-VALUE}).")
  int bufferSize;

  @Option(names = "--batch-size", defaultValue = "1000", description = "Client batch size (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--flush-interval", defaultValue = "1s", description = "Client flush interval (default: ${DEFAULT-VALUE}).")
  Duration flushInterval;

  @Option(names = "--overflow", defaultValue = "block", description = "block (backpressure) or drop (default: ${DEFAULT-VALUE}).")
  String overflow;

  @Option(names = "--overflow-timeout", defaultValue = "30s",
      description = "How long block waits for buffer space (default: ${DEFAULT-VALUE}).")
  Duration overflowTimeout;

  @Option(names = "--payload-bytes", defaultValue = "300", description = "Approximate event_data size (default: ${DEFAULT-VALUE}).")
  int payloadBytes;

  @Option(names = "--request-timeout", defaultValue = "5s",
      description = "Client limit for one HTTP attempt (default: ${DEFAULT-VALUE}).")
  Duration requestTimeout;

  @Option(names = "--delivery-timeout", defaultValue = "2m",
      description = "Client limit from enqueue to acknowledgement, retries included (default: ${DEFAULT-VALUE}).")
  Duration deliveryTimeout;

  @Option(names = "--verify", description = "Afterwards, page through the server's query API and count what it stored.")
  boolean verify;

  @Option(names = "--verify-wait", defaultValue = "30s",
      description = "With --verify: how long to wait for every acknowledged event to be queryable — in Kafka mode writers"
          + " store events after ingest answered (default: ${DEFAULT-VALUE}).")
  Duration verifyWait;

  @Option(names = "--json", description = "Print one JSON summary on stdout.")
  boolean json;

  @Option(names = "--histogram", description = "Write a latency percentile plot to this PNG file.")
  Path histogram;

  @Override
  public Integer call() throws Exception {
    OverflowPolicy policy = switch (overflow.toLowerCase(java.util.Locale.ROOT)) {
      case "block" -> OverflowPolicy.BLOCK;
      case "drop" -> OverflowPolicy.DROP;
      default -> throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--overflow must be block or drop");
    };
    ApiClient server = connection.client(spec.commandLine().getErr());
    Preflight.check(server, verify);
    LoadPlan plan = new LoadPlan(server, threads, eventsPerThread, rate, duration, bufferSize, batchSize, flushInterval,
        policy, overflowTimeout, payloadBytes, requestTimeout, deliveryTimeout, verify, verifyWait);
    LoadRun run = new LoadRun(plan);
    LoadReport report = run.run(System.err);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(AuditEventJson.mapper().writeValueAsString(report.toJson()));
    } else {
      out.print(report.toText());
    }
    out.flush();
    if (histogram != null) {
      HistogramPlot.write(histogram, "auditflow load: " + threads + " threads, buffer " + bufferSize + ", batch "
          + batchSize + ", " + policy.name().toLowerCase(java.util.Locale.ROOT), run.histograms());
    }
    return report.exitCode();
  }
}
