package dev.auditflow.cli;

import dev.auditflow.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code serve}'s options for PostgreSQL: which one, and how it is used. */
@Section("database")
final class DatabaseOptions {
  @Option(names = "--database-url",
      description = "External PostgreSQL, jdbc:postgresql://host:port/db?user=…&password=…. "
          + "Absent: an embedded PostgreSQL is started.")
  String databaseUrl;

  @Option(names = "--data-dir", defaultValue = "./auditflow-data",
      description = "Where the embedded PostgreSQL keeps its data, and the first admin token and signing key their"
          + " files (default: ${DEFAULT-VALUE}); survives restarts.")
  Path dataDir;

  @Option(names = "--embedded-port", defaultValue = "0",
      description = "Port of the embedded PostgreSQL (default: a free one).")
  int embeddedPort;

  @Option(names = "--pool-size", defaultValue = "10",
      description = "Database connections for writes and health (default: ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(names = "--read-pool-size", defaultValue = "4",
      description = "Database connections for reading the trail (queries, exports, verification, proofs), apart from"
          + " --pool-size's, so that reads never starve ingest or health (default: ${DEFAULT-VALUE}).")
  int readPoolSize;

  @Option(names = "--connection-timeout", defaultValue = "3s",
      description = "Longest wait for a database connection before answering 503 (default: ${DEFAULT-VALUE};"
          + " at least 250ms).")
  Duration connectionTimeout;

  @Option(names = "--statement-timeout", defaultValue = "15s",
      description = "Longest a database statement may run (default: ${DEFAULT-VALUE}).")
  Duration statementTimeout;

  boolean embedded() {
    return databaseUrl == null || databaseUrl.isBlank();
  }

  /** Everything but the URL, which is the embedded database's unless one was given. */
  void applyTo(ServerConfig.Builder config) {
    config.poolSize(poolSize).connectionTimeout(connectionTimeout).statementTimeout(statementTimeout);
  }
}
