package dev.auditflow.cli;

import dev.auditflow.server.LifecycleSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code serve}'s options for the signing key and the retention purge. */
@Section("lifecycle")
final class LifecycleOptions {
  @Option(names = "--signing-key-file",
      description = "Ed25519 key (PEM) that signs exports and purge records; created at first start."
          + " Default: <data-dir>/signing.key. Instances sharing a database must share it.")
  Path signingKeyFile;

  @Option(names = "--trusted-signing-key", split = ",",
      description = "Public key (PEM) of a signing key used before the current one (repeatable).")
  List<Path> trustedSigningKeys;

  @Option(names = "--purge-interval", defaultValue = "1h",
      description = "How often expired events are purged; 0 turns the schedule off (default: ${DEFAULT-VALUE}).")
  Duration purgeInterval;

  @Option(names = "--purge-max-events", defaultValue = "100000",
      description = "Most events one purge run deletes row by row (default: ${DEFAULT-VALUE}).")
  long purgeMaxEvents;

  LifecycleSettings settings(Path dataDir) {
    Path key = (signingKeyFile != null ? signingKeyFile : dataDir.resolve("signing.key")).toAbsolutePath().normalize();
    return new LifecycleSettings(key, trustedSigningKeys, purgeInterval, purgeMaxEvents);
  }
}
