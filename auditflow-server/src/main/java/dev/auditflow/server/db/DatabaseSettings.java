package dev.auditflow.server.db;

import java.time.Duration;

/**
 * What the pools are opened with; {@code ServerConfig} validates each value and names the one
 * that is wrong.
 *
 * @param jdbcUrl the PostgreSQL JDBC URL
 * @param poolSize connections for writes and health
 * @param readPoolSize connections for reading the trail
 * @param connectionTimeout longest wait for a connection before answering 503
 * @param statementTimeout longest a statement may run (locks may wait half of it)
 */
public record DatabaseSettings(String jdbcUrl, int poolSize, int readPoolSize, Duration connectionTimeout,
    Duration statementTimeout) {

  /** The same pools' settings for another database (a shard's). */
  public DatabaseSettings on(String otherJdbcUrl) {
    return new DatabaseSettings(otherJdbcUrl, poolSize, readPoolSize, connectionTimeout, statementTimeout);
  }
}
