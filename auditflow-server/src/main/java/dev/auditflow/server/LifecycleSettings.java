package dev.auditflow.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Signing and retention (docs/COMPLIANCE.md).
 *
 * @param signingKeyFile the Ed25519 key that signs exports and purge records (PEM; created at
 *     first start when absent), or null for a key that lives only as long as the process
 * @param trustedSigningKeys public keys (PEM) of keys used before the current one, whose purge
 *     records and exports must still verify
 * @param purgeInterval how often {@code serve} purges expired events; zero: never (on demand only)
 * @param purgeMaxEvents the most events one purge run removes (default 100 000); the rest waits
 *     for the next run
 */
public record LifecycleSettings(Path signingKeyFile, List<Path> trustedSigningKeys, Duration purgeInterval,
    long purgeMaxEvents) {

  public LifecycleSettings {
    trustedSigningKeys = trustedSigningKeys == null ? List.of() : List.copyOf(trustedSigningKeys);
    purgeInterval = purgeInterval == null ? Duration.ofHours(1) : purgeInterval;
    if (purgeInterval.isNegative()) {
      throw new IllegalArgumentException("purge-interval must be >= 0, was " + purgeInterval);
    }
    if (purgeMaxEvents < 1) {
      throw new IllegalArgumentException("purge-max-events must be >= 1, was " + purgeMaxEvents);
    }
  }

  /** An ephemeral key, the purge every hour, 100 000 events per run. */
  public static LifecycleSettings defaults() {
    return new LifecycleSettings(null, List.of(), Duration.ofHours(1), 100_000);
  }
}
