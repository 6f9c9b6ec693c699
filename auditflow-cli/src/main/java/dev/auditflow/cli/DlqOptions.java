package dev.auditflow.cli;

import dev.auditflow.server.ServerConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code serve}'s options for the dead-letter queue in Redis. */
@Section("dlq")
final class DlqOptions {
  @Option(names = "--redis-url",
      description = "Redis for the dead-letter queue, redis://host:port. With it, events arriving while PostgreSQL is"
          + " down are queued (202) and replayed; without it they get 503 + Retry-After.")
  String redisUrl;

  @Option(names = "--redis-timeout", defaultValue = "5s",
      description = "Longest one Redis command may take; connecting gets twice that, and a Redis that cannot be"
          + " reached is retried in the background (default: ${DEFAULT-VALUE}).")
  Duration redisTimeout;

  @Option(names = "--dlq-key", defaultValue = "auditflow:dlq", description = "Redis stream of the DLQ (default: ${DEFAULT-VALUE}).")
  String dlqKey;

  @Option(names = "--dlq-max-attempts", defaultValue = "5",
      description = "Replays of a DLQ entry before it is dead-lettered (default: ${DEFAULT-VALUE}).")
  int dlqMaxAttempts;

  void applyTo(ServerConfig.Builder config) {
    config.redisUrl(redisUrl == null || redisUrl.isBlank() ? null : redisUrl).redisTimeout(redisTimeout)
        .dlqKey(dlqKey).dlqMaxAttempts(dlqMaxAttempts);
  }
}
