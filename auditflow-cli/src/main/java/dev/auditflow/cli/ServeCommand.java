package dev.auditflow.cli;

import dev.auditflow.server.AuditServer;
import dev.auditflow.server.Compatibility;
import dev.auditflow.server.failure.ConfigurationException;
import dev.auditflow.server.RequestLimits;
import dev.auditflow.server.secrets.SecretFiles;
import dev.auditflow.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code auditflow serve}: the Data Storage service, on an embedded or external PostgreSQL. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the Data Storage service. Without --database-url it runs its own PostgreSQL in --data-dir.")
final class ServeCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--port", defaultValue = "8080", description = "HTTP port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--host", defaultValue = "0.0.0.0", description = "Interface to listen on (default: ${DEFAULT-VALUE}).")
  String host;

  @Option(names = "--database-url", defaultValue = "${env:AUDITFLOW_DATABASE_URL}",
      description = "External PostgreSQL, jdbc:postgresql://host:port/db?user=…&password=… (env AUDITFLOW_DATABASE_URL). "
          + "Absent: an embedded PostgreSQL is started.")
  String databaseUrl;

  @Option(names = "--data-dir", defaultValue = "./auditflow-data",
      description = "Where the embedded PostgreSQL keeps its data (default: ${DEFAULT-VALUE}); survives restarts.")
  Path dataDir;

  @Option(names = "--embedded-port", defaultValue = "0",
      description = "Port of the embedded PostgreSQL (default: a free one).")
  int embeddedPort;

  @Option(names = "--max-body-bytes", defaultValue = "" + ServerConfig.DEFAULT_MAX_BODY_BYTES,
      description = "Largest request body accepted (default: ${DEFAULT-VALUE} = 16 MiB).")
  long maxBodyBytes;

  @Option(names = "--max-batch-size",
      description = "Most events per batch request (default: " + ServerConfig.DEFAULT_MAX_BATCH_SIZE
          + "; 500 with --compat kubernaut).")
  Integer maxBatchSize;

  @Option(names = "--compat", paramLabel = "kubernaut|auditflow", defaultValue = "auditflow",
      description = "Whose defaults to keep where auditflow and the API it stands in for differ: kubernaut ="
          + " Kubernaut Data Storage's (batches of at most 500, a 400 beyond; query pages of 50; version required;"
          + " its problem types and titles on its routes). Default: ${DEFAULT-VALUE}.")
  String compat;

  @Option(names = "--max-future-skew", defaultValue = "60m",
      description = "Reject events stamped further in the future than this (default: ${DEFAULT-VALUE}).")
  Duration maxFutureSkew;

  @Option(names = "--max-event-age", defaultValue = "7d",
      description = "Reject events older than this (default: ${DEFAULT-VALUE}).")
  Duration maxEventAge;

  @Option(names = "--pool-size", defaultValue = "10", description = "Database connections (default: ${DEFAULT-VALUE}).")
  int poolSize;

  @Option(names = "--statement-timeout", defaultValue = "15s",
      description = "Longest a database statement may run (default: ${DEFAULT-VALUE}).")
  Duration statementTimeout;

  @Option(names = "--drain-timeout", defaultValue = "10s",
      description = "On SIGTERM, how long in-flight requests may take to finish (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(names = "--redis-url", defaultValue = "${env:AUDITFLOW_REDIS_URL}",
      description = "Redis for the dead-letter queue, redis://host:port (env AUDITFLOW_REDIS_URL). With it, events"
          + " arriving while PostgreSQL is down are queued (202) and replayed; without it they get 503 + Retry-After.")
  String redisUrl;

  @Option(names = "--dlq-key", defaultValue = "auditflow:dlq", description = "Redis stream of the DLQ (default: ${DEFAULT-VALUE}).")
  String dlqKey;

  @Option(names = "--dlq-max-attempts", defaultValue = "5",
      description = "Replays of a DLQ entry before it is dead-lettered (default: ${DEFAULT-VALUE}).")
  int dlqMaxAttempts;

  @Option(names = "--management-port",
      description = "Serve /metrics (and health) on this port only, not on --port. Default: /metrics on --port, without"
          + " authentication.")
  Integer managementPort;

  @Option(names = "--header-timeout", defaultValue = "10s",
      description = "Longest a request's line and headers may take to arrive; then the connection is closed"
          + " (default: ${DEFAULT-VALUE}).")
  Duration headerTimeout;

  @Option(names = "--read-pool-size", defaultValue = "4",
      description = "Database connections for reading the trail (queries, exports, verification, proofs), apart from"
          + " --pool-size's, so that reads never starve ingest or health (default: ${DEFAULT-VALUE}).")
  int readPoolSize;

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

  @Mixin
  SecurityOptions security;

  @Mixin
  LifecycleOptions lifecycle;

  @Option(names = "--chain-key-file",
      description = "File holding the HMAC key (>= 32 bytes) for the hash chain; absent: plain SHA-256.")
  Path chainKeyFile;

  private void requireFree(int candidate, String option) {
    if (candidate == 0) {
      return;
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(host, candidate));
    } catch (java.io.IOException e) {
      throw new ConfigurationException(option + " " + candidate + " on " + host + " is in use (" + e.getMessage()
          + "); stop what uses it, or choose another port with " + option);
    }
  }

  private Compatibility compatibility() {
    return switch (compat.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "auditflow" -> Compatibility.AUDITFLOW;
      case "kubernaut" -> Compatibility.KUBERNAUT;
      default -> throw new ConfigurationException("--compat must be kubernaut or auditflow, was \"" + compat + "\"");
    };
  }

  @Override
  public Integer call() throws Exception {
    // Before anything starts (the embedded database takes seconds): a bad option or a port in use is one line now.
    Compatibility compatibility = compatibility();
    requireFree(port, "--port");
    if (managementPort != null && managementPort != 0) {
      requireFree(managementPort, "--management-port");
    }
    if (chainKeyFile != null) {
      SecretFiles.requirePrivate(chainKeyFile, "the chain key");
    }
    byte[] chainKey = chainKeyFile == null ? null : java.nio.file.Files.readAllBytes(chainKeyFile);
    EmbeddedDatabase embedded = null;
    String url = databaseUrl;
    if (url == null || url.isBlank()) {
      embedded = EmbeddedDatabase.start(dataDir, embeddedPort);
      url = embedded.jdbcUrl();
    }
    AuditServer server;
    try {
      server = AuditServer.start(ServerConfig.builder()
          .host(host).port(port).jdbcUrl(url).maxBodyBytes(maxBodyBytes).maxBatchSize(maxBatchSize)
          .maxFutureSkew(maxFutureSkew).maxEventAge(maxEventAge).poolSize(poolSize)
          .statementTimeout(statementTimeout).drainTimeout(drainTimeout).chainKey(chainKey)
          .redisUrl(redisUrl == null || redisUrl.isBlank() ? null : redisUrl).dlqKey(dlqKey).dlqMaxAttempts(dlqMaxAttempts)
          .auth(security.auth(dataDir)).tls(security.tls()).managementPort(managementPort)
          .lifecycle(lifecycle.settings(dataDir))
          .limits(new RequestLimits(headerTimeout, readPoolSize, readsPerPrincipal, maxAnswerBytes, maxVerifyChains))
          .compatibility(compatibility)
          .build());
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof java.net.BindException) {
          throw new ConfigurationException("a port is in use (" + t.getMessage() + "); stop what uses it, or choose"
              + " another with --port / --management-port", e);
        }
      }
      throw e;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    EmbeddedDatabase toStop = embedded;
    // SIGTERM/SIGINT: stop taking requests, finish those in flight, then stop the database.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutdown requested");
      server.close();
      if (toStop != null) {
        toStop.close();
      }
      stopped.countDown();
    }, "auditflow-shutdown"));
    stopped.await();
    return 0;
  }
}
