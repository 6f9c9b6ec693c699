package dev.auditflow.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL server run by auditflow itself, for a machine that has none. Its data lives in a
 * directory of the user's choosing and survives restarts.
 *
 * <p>The embedding library starts PostgreSQL tuned for throw-away test databases — {@code
 * fsync=off}, {@code synchronous_commit=off}, {@code full_page_writes=off} — which would lose
 * acknowledged audit events on a power cut. All three are turned back on here: an acknowledged
 * event is on disk.
 */
final class EmbeddedDatabase implements AutoCloseable {
  static final String DATABASE = "auditflow";
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(dataDir.resolve("pgdata"))
        .setCleanDataDirectory(false)
        .setServerConfig("fsync", "on")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "100")
        .setPGStartupWait(java.time.Duration.ofSeconds(60));
    if (port > 0) {
      builder.setPort(port);
    }
    EmbeddedPostgres postgres = builder.start();
    EmbeddedDatabase db = new EmbeddedDatabase(postgres);
    try {
      db.createDatabaseIfMissing();
    } catch (SQLException e) {
      db.close();
      throw new IOException("could not create the " + DATABASE + " database: " + e.getMessage(), e);
    }
    log.info("embedded PostgreSQL started data_dir={} port={}", dataDir.toAbsolutePath(), postgres.getPort());
    return db;
  }

  private void createDatabaseIfMissing() throws SQLException {
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
        if (rs.next()) {
          return;
        }
      }
      s.execute("CREATE DATABASE " + DATABASE);
    }
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", DATABASE);
  }

  @Override
  public void close() {
    try {
      postgres.close();
      log.info("embedded PostgreSQL stopped");
    } catch (IOException e) {
      log.error("embedded PostgreSQL did not stop cleanly", e);
    }
  }
}
