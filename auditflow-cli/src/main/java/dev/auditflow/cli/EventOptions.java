package dev.auditflow.cli;

import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.secrets.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code serve}'s options for what a batch of events may be, and how the chain is hashed. */
@Section("events")
final class EventOptions {
  @Option(names = "--max-body-bytes", defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body accepted (default: ${DEFAULT-VALUE} = 16 MiB).")
  long maxBodyBytes;

  @Option(names = "--max-batch-size",
      description = "Most events per batch request (default: " + ServerConfig.DEFAULT_MAX_BATCH_SIZE
          + "; 500 with --compat kubernaut).")
  Integer maxBatchSize;

  @Option(names = "--max-future-skew", defaultValue = "60m",
      description = "Reject events stamped further in the future than this (default: ${DEFAULT-VALUE}).")
  Duration maxFutureSkew;

  @Option(names = "--max-event-age", defaultValue = "7d",
      description = "Reject events older than this (default: ${DEFAULT-VALUE}).")
  Duration maxEventAge;

  @Option(names = "--completeness-grace", defaultValue = "5m",
      description = "How long a gap in a producer's sequence may stay open before it is reported as"
          + " unaccounted loss (default: ${DEFAULT-VALUE}; docs/COMPLETENESS.md).")
  Duration completenessGrace;

  @Option(names = "--chain-key-file",
      description = "File holding the HMAC key (>= 32 bytes) for the hash chain; absent: plain SHA-256.")
  Path chainKeyFile;

  /** Before anything starts: a key file others can read is refused at once. */
  void checkFiles() {
    if (chainKeyFile != null) {
      SecretFiles.requirePrivate(chainKeyFile, "the chain key");
    }
  }

  void applyTo(ServerConfig.Builder config) throws IOException {
    config.maxBodyBytes(maxBodyBytes).maxBatchSize(maxBatchSize).maxFutureSkew(maxFutureSkew).maxEventAge(maxEventAge)
        .completenessGrace(completenessGrace)
        .chainKey(chainKeyFile == null ? null : Files.readAllBytes(chainKeyFile));
  }
}
