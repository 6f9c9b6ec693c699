package dev.auditflow.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.auditflow.server.ServerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pool, with every wait bounded: getting a connection, connecting, each statement
 * and each lock. A database that stops answering becomes a fast 503, never a hung request.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;

  private Database(HikariDataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** Opens the pool and applies pending migrations. */
  public static Database open(ServerConfig config, MeterRegistry registry) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("auditflow");
    hikari.setJdbcUrl(config.jdbcUrl());
    hikari.setMaximumPoolSize(config.poolSize());
    hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
    hikari.setValidationTimeout(Math.max(250, Math.min(config.connectionTimeout().toMillis(), 2_000)));
    // Fail start-up at once when the database is not there: a service that starts without its
    // schema would only fail later, on the first event.
    hikari.setInitializationFailTimeout(1);
    long statementMs = config.statementTimeout().toMillis();
    hikari.addDataSourceProperty("connectTimeout", Math.max(1, config.connectionTimeout().toSeconds()));
    // A socket read may legitimately take as long as a statement; past that the server is gone.
    hikari.addDataSourceProperty("socketTimeout", Math.max(1, config.statementTimeout().toSeconds() + 5));
    hikari.addDataSourceProperty("tcpKeepAlive", true);
    hikari.addDataSourceProperty("ApplicationName", "auditflow");
    hikari.setConnectionInitSql(
        "SET statement_timeout = " + statementMs + "; SET lock_timeout = " + Math.max(1, statementMs / 2)
            + "; SET idle_in_transaction_session_timeout = " + (statementMs * 2));
    hikari.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    HikariDataSource ds = new HikariDataSource(hikari);
    try {
      var result = Flyway.configure().dataSource(ds).load().migrate();
      log.info("database ready migrations_applied={} schema_version={}", result.migrationsExecuted, result.targetSchemaVersion);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new Database(ds);
  }

  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /** True when a connection can be had and answers within a second. */
  public boolean isReachable() {
    try (Connection c = dataSource.getConnection()) {
      return c.isValid(1);
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
