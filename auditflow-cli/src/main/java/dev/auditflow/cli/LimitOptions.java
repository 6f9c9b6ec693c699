package dev.auditflow.cli;

import dev.auditflow.server.RequestLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code serve}'s options bounding what one client can make the service hold. */
@Section("limits")
final class LimitOptions {
  @Option(names = "--header-timeout", defaultValue = "10s",
      description = "Longest a request's line and headers may take to arrive; then the connection is closed"
          + " (default: ${DEFAULT-VALUE}).")
  Duration headerTimeout;

  @Option(names = "--reads-per-principal", defaultValue = "8",
      description = "Most audited requests one principal may have running at once; one more is a 429"
          + " (default: ${DEFAULT-VALUE}).")
  int readsPerPrincipal;

  @Option(names = "--max-answer-bytes", defaultValue = "" + RequestLimits.DEFAULT_MAX_ANSWER_BYTES,
      description = "Most a page, JSON export or list of log entries may carry (default: ${DEFAULT-VALUE} = 16 MiB).")
  long maxAnswerBytes;

  @Option(names = "--max-verify-chains", defaultValue = "1000",
      description = "Most chains one verification of a time range walks (default: ${DEFAULT-VALUE}).")
  int maxVerifyChains;

  RequestLimits limits(int readPoolSize) {
    return new RequestLimits(headerTimeout, readPoolSize, readsPerPrincipal, maxAnswerBytes, maxVerifyChains);
  }
}
