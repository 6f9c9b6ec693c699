package dev.auditflow.server.db;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection pools, with every wait bounded: getting a connection, connecting, each statement
 * and each lock. A database that stops answering becomes a fast 503, never a hung request.
 *
 * <p>Two pools: {@link #connection()} for writes — ingest, the server's own records (every read's
 * access record among them), the log's integration, the purge — and for health; {@link
 * #readConnection()} for reading the trail — queries, counts, exports, chain verification, the
 * log's proofs. However many readers a principal or the whole world sends, they wait for read
 * connections only: ingest and health never starve behind them (twelve range verifications once
 * held every connection for 20 s, ingest answered 503 and health went DOWN).
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final HikariDataSource dataSource;
  private final HikariDataSource readers;
  private final Duration statementTimeout;
  private final Counter readsTooExpensive;

  private Database(HikariDataSource dataSource, HikariDataSource readers, Duration statementTimeout,
      MeterRegistry registry) {
    this.dataSource = dataSource;
    this.readers = readers;
    this.statementTimeout = statementTimeout;
    this.readsTooExpensive = Counter.builder("auditflow.reads.too.expensive")
        .description("Reads the statement timeout stopped, answered 422 query-too-expensive")
        .register(registry);
  }

  /** Opens the pools and applies pending migrations. */
  public static Database open(DatabaseSettings config, MeterRegistry registry) {
    return open(config, "auditflow", registry);
  }

  /**
   * As {@link #open(DatabaseSettings, MeterRegistry)}, the pools named {@code poolName} and {@code
   * poolName-read} (their metrics' {@code pool} tag): one process may open several databases, a
   * shard's among them.
   */
  public static Database open(DatabaseSettings config, String poolName, MeterRegistry registry) {
    HikariDataSource writes = pool(config, poolName, config.poolSize(), registry);
    try {
      var result = Flyway.configure().dataSource(writes).load().migrate();
      log.info("database ready migrations_applied={} schema_version={}", result.migrationsExecuted,
          result.targetSchemaVersion == null ? Flyway.configure().dataSource(writes).load().info().current().getVersion()
              : result.targetSchemaVersion);
      return new Database(writes, pool(config, poolName + "-read", config.readPoolSize(), registry),
          config.statementTimeout(), registry);
    } catch (RuntimeException e) {
      writes.close();
      throw e;
    }
  }

  private static HikariDataSource pool(DatabaseSettings config, String name, int size, MeterRegistry registry) {
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName(name);
    hikari.setJdbcUrl(config.jdbcUrl());
    hikari.setMaximumPoolSize(size);
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
    return new HikariDataSource(hikari);
  }

  /** A connection for writing, and for the few small reads that writing needs. */
  public Connection connection() throws SQLException {
    return dataSource.getConnection();
  }

  /**
   * A connection for reading the trail, from the readers' own pool.
   *
   * @throws ReadersBusyException when every read connection stayed busy for the connection timeout
   *     (the database itself answering)
   */
  public Connection readConnection() throws SQLException {
    try {
      return readers.getConnection();
    } catch (SQLTransientConnectionException e) {
      var pool = readers.getHikariPoolMXBean();
      if (pool != null && pool.getActiveConnections() >= readers.getMaximumPoolSize()) {
        throw new ReadersBusyException(readers.getMaximumPoolSize(), e);
      }
      throw e;
    }
  }

  /**
   * What a failed read of the trail becomes. A statement the timeout stopped is {@link
   * ReadTooExpensiveException} (and counted): on a read connection it means the read cost too
   * much, not that the database is down. Anything else as {@link SqlFailures#translate}.
   */
  public RuntimeException readFailure(String action, SQLException e) {
    if (SqlFailures.isStatementTimeout(e)) {
      readsTooExpensive.increment();
      return new ReadTooExpensiveException(action, statementTimeout, e);
    }
    return SqlFailures.translate(action, e);
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
    readers.close();
    dataSource.close();
  }
}
