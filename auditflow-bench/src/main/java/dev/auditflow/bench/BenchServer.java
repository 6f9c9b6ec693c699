package dev.auditflow.bench;

import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.log.LogSettings;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;

/**
 * A durable PostgreSQL — embedded with fsync, synchronous_commit and full_page_writes on, as
 * {@code auditflow serve} runs it — and an auditflow server on it, for the benchmarks that need
 * the real write path.
 */
final class BenchServer implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private final AuditServer server;
  private final String token;

  BenchServer(int poolSize) throws IOException {
    this(poolSize, LogSettings.defaults());
  }

  /** @param log the verifiable log's settings: on by default, as {@code serve} runs; off to measure what it costs */
  BenchServer(int poolSize, LogSettings log) throws IOException {
    Path dir = Files.createTempDirectory("auditflow-bench-pg");
    postgres = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(true)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_wal_size", "4GB")
        .start();
    server = AuditServer.start(ServerConfig.builder().host("127.0.0.1").port(0)
        .jdbcUrl(jdbcUrl()).poolSize(poolSize).log(log).build());
    // Authentication stays on, as in production: its cost is part of what is measured.
    token = server.apiTokens().create("bench", EnumSet.of(Role.WRITER, Role.READER), null, "bench").secret();
  }

  /** A writer and reader token for the benchmark's requests. */
  String token() {
    return token;
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  AuditServer server() {
    return server;
  }

  @Override
  public void close() throws IOException {
    server.close();
    postgres.close();
  }
}
