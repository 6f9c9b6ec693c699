package dev.auditflow.server.testing;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A fresh, empty PostgreSQL database for a test: on the server at {@code
 * AUDITFLOW_TEST_DATABASE_URL} when that is set (CI points it at the machine's PostgreSQL), else
 * on an embedded PostgreSQL started once per test JVM. Either way it is a real server; each call
 * creates a new database so tests never see each other's rows.
 */
public final class TestDatabase {
  public static final String ENV = "AUDITFLOW_TEST_DATABASE_URL";

  private static EmbeddedPostgres embedded;

  private TestDatabase() {}

  /** A JDBC URL of a newly created, empty database. */
  public static synchronized String create() {
    String admin = adminUrl();
    String name = "auditflow_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    try (Connection c = DriverManager.getConnection(admin); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create a test database via " + admin + ": " + e.getMessage(), e);
    }
    return withDatabase(admin, name);
  }

  /** Drops a database made by {@link #create()}, once nothing is connected to it. */
  public static synchronized void drop(String jdbcUrl) {
    String path = jdbcUrl.contains("?") ? jdbcUrl.substring(0, jdbcUrl.indexOf('?')) : jdbcUrl;
    String name = path.substring(path.lastIndexOf('/') + 1);
    if (!name.startsWith("auditflow_test_")) {
      throw new IllegalArgumentException("not a test database: " + name);
    }
    try (Connection c = DriverManager.getConnection(adminUrl()); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (SQLException e) {
      throw new IllegalStateException("cannot drop test database " + name + ": " + e.getMessage(), e);
    }
  }

  /** Where tests run: "external …" or "embedded …", for test output. */
  public static String describe() {
    return System.getenv(ENV) != null ? "external PostgreSQL " + System.getenv(ENV) : "embedded PostgreSQL";
  }

  private static String adminUrl() {
    String external = System.getenv(ENV);
    if (external != null && !external.isBlank()) {
      return external;
    }
    if (embedded == null) {
      try {
        embedded = EmbeddedPostgres.builder().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start embedded PostgreSQL", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          embedded.close();
        } catch (IOException ignored) {
          // the JVM is exiting
        }
      }));
    }
    return embedded.getJdbcUrl("postgres", "postgres");
  }

  /** The same server and credentials, another database. */
  static String withDatabase(String url, String database) {
    int query = url.indexOf('?');
    String base = query < 0 ? url : url.substring(0, query);
    String params = query < 0 ? "" : url.substring(query);
    int slash = base.lastIndexOf('/');
    return base.substring(0, slash + 1) + database + params;
  }
}
