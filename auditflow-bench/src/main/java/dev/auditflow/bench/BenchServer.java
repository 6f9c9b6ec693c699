package dev.auditflow.bench;

import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A durable PostgreSQL — embedded with fsync, synchronous_commit and full_page_writes on, as
 * {@code auditflow serve} runs it — and an auditflow server on it, for the benchmarks that need
 * the real write path.
 */
final class BenchServer implements AutoCloseable {
  private final EmbeddedPostgres postgres;
  private final AuditServer server;

  BenchServer(int poolSize) throws IOException {
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
        .jdbcUrl(jdbcUrl()).poolSize(poolSize).build());
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  java.net.URI uri() {
    return java.net.URI.create("http://127.0.0.1:" + server.port());
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
