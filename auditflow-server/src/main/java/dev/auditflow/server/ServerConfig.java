package dev.auditflow.server;

import dev.auditflow.api.ValidationRules;
import dev.auditflow.server.auth.AuthSettings;
import dev.auditflow.server.db.DatabaseSettings;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.log.LogSettings;
import dev.auditflow.server.secrets.Secrets;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.tls.TlsFiles;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything the service is told at start. Built with {@link #builder()}; {@link Builder#build()}
 * rejects an invalid value with a message that names it.
 *
 * @param host interface to listen on (default {@code 0.0.0.0})
 * @param port HTTP port (default 8080; 0 picks a free one)
 * @param jdbcUrl the PostgreSQL JDBC URL (required)
 * @param maxBodyBytes largest request body accepted (default 16 MiB); larger → 413
 * @param maxBatchSize most events in one batch request (default 5 000, or the compatibility's);
 *     more → 413 (Kubernaut's 400 under {@link Compatibility#KUBERNAUT})
 * @param maxFutureSkew events stamped further ahead of the server clock are rejected (default 60 min)
 * @param maxEventAge events older than this are rejected (default 7 days)
 * @param poolSize most database connections (default 10)
 * @param connectionTimeout longest wait for a database connection before answering 503 (default 3 s)
 * @param statementTimeout longest a database statement may run (default 15 s)
 * @param retryAfter the {@code Retry-After} sent with 503 answers (default 2 s)
 * @param drainTimeout on stop, how long in-flight requests may take to finish (default 10 s)
 * @param chainKey the HMAC key for the hash chain (≥ 32 bytes), or null for plain SHA-256
 * @param redisUrl the Redis of the dead-letter queue ({@code redis://host:port}), or null for none
 * @param redisTimeout the longest one Redis command may take (default 5 s); connecting gets
 *     twice that, and a Redis that cannot be reached is retried in the background
 * @param dlqMaxAttempts replays of a DLQ entry before it is dead-lettered (default 5)
 * @param dlqKey the Redis stream of the DLQ (default {@code auditflow:dlq}; dead letters go to
 *     {@code <dlqKey>:dead})
 * @param auth how callers are authenticated (default: API tokens, no first-admin file)
 * @param tls the certificate and key to serve HTTPS with, or null for plain HTTP
 * @param managementPort a separate port for {@code /metrics} (and health), or null to serve the
 *     metrics on the main port
 * @param lifecycle the signing key and the retention purge's schedule
 * @param log the verifiable log's integrator (on by default)
 * @param limits what one client can make the service hold ({@link RequestLimits#defaults()})
 * @param compatibility whose defaults and problem vocabulary to keep where they differ (default auditflow's)
 * @param completenessGrace how long a gap in a producer's sequence may stay open before it is
 *     unaccounted loss (default {@link #DEFAULT_COMPLETENESS_GRACE}; docs/COMPLETENESS.md)
 * @param kafka Kafka mode (docs/SCALE.md): ingest appends to this replicated log instead of writing
 *     the database; null (the default) for the direct path
 * @param kafkaWriter whether this process also runs a writer, storing the log's records in the
 *     database (requires {@code kafka})
 * @param shards the shards' PostgreSQL databases by name (docs/SCALE.md, "Shards"); empty: the
 *     trail is the one database at {@code jdbcUrl}. With shards, that database is the catalog
 *     ("home"), which places the partitions of the topic ({@code kafka}'s, else {@link
 *     KafkaSettings#DEFAULT_TOPIC}) on them
 */
public record ServerConfig(
    String host,
    int port,
    String jdbcUrl,
    long maxBodyBytes,
    int maxBatchSize,
    Duration maxFutureSkew,
    Duration maxEventAge,
    int poolSize,
    Duration connectionTimeout,
    Duration statementTimeout,
    Duration retryAfter,
    Duration drainTimeout,
    byte[] chainKey,
    String redisUrl,
    Duration redisTimeout,
    int dlqMaxAttempts,
    String dlqKey,
    AuthSettings auth,
    TlsFiles tls,
    Integer managementPort,
    LifecycleSettings lifecycle,
    LogSettings log,
    RequestLimits limits,
    Compatibility compatibility,
    Duration completenessGrace,
    KafkaSettings kafka,
    boolean kafkaWriter,
    Map<String, String> shards) {

  /**
   * The client's default delivery timeout (2 min) and outcome-resolution timeout (30 s) for the
   * numbers, then another delivery timeout for the declaration of what was given up, rounded up.
   */
  public static final Duration DEFAULT_COMPLETENESS_GRACE = Duration.ofMinutes(5);
  public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
  public static final int DEFAULT_MAX_BATCH_SIZE = 5_000;

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("database URL must start with jdbc:postgresql:, was " + Secrets.maskUrl(jdbcUrl));
    }
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException("port must be 0..65535, was " + port);
    }
    if (maxBodyBytes < 1024) {
      throw new IllegalArgumentException("max-body-bytes must be >= 1024, was " + maxBodyBytes);
    }
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("max-batch-size must be >= 1, was " + maxBatchSize);
    }
    if (poolSize < 1) {
      throw new IllegalArgumentException("pool-size must be >= 1, was " + poolSize);
    }
    requireNonNegative("max-future-skew", maxFutureSkew);
    requireNonNegative("max-event-age", maxEventAge);
    requireNonNegative("connection-timeout", connectionTimeout);
    requireNonNegative("statement-timeout", statementTimeout);
    requireNonNegative("retry-after", retryAfter);
    requireNonNegative("drain-timeout", drainTimeout);
    requireNonNegative("redis-timeout", redisTimeout);
    requireNonNegative("completeness-grace", completenessGrace);
    Objects.requireNonNull(dlqKey, "dlqKey");
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(lifecycle, "lifecycle");
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(compatibility, "compatibility");
    if (managementPort != null && (managementPort < 0 || managementPort > 65_535)) {
      throw new IllegalArgumentException("management-port must be 0..65535, was " + managementPort);
    }
    if (dlqMaxAttempts < 1) {
      throw new IllegalArgumentException("dlq-max-attempts must be >= 1, was " + dlqMaxAttempts);
    }
    if (redisUrl != null && !redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
      throw new IllegalArgumentException("the Redis URL must start with redis:// or rediss://, was " + redisUrl);
    }
    if (chainKey != null && chainKey.length < 32) {
      throw new IllegalArgumentException("the chain key must be at least 32 bytes, was " + chainKey.length);
    }
    chainKey = chainKey == null ? null : chainKey.clone();
    if (kafkaWriter && kafka == null) {
      throw new IllegalArgumentException("a Kafka writer needs kafka-bootstrap: it stores what ingest nodes appended there");
    }
    if (kafka != null && redisUrl != null) {
      throw new IllegalArgumentException("a dead-letter queue (redis-url) has no part in Kafka mode: Kafka holds the"
          + " events while PostgreSQL is down, and writers store them when it is back; drop --redis-url");
    }
    shards = Map.copyOf(shards);
    Set<String> databases = new HashSet<>(Set.of(jdbcUrl));
    for (Map.Entry<String, String> shard : shards.entrySet()) {
      Placement.checkShardName(shard.getKey());
      if (!shard.getValue().startsWith("jdbc:postgresql:")) {
        throw new IllegalArgumentException("shard " + shard.getKey() + "'s database URL must start with"
            + " jdbc:postgresql:, was " + Secrets.maskUrl(shard.getValue()));
      }
      if (!databases.add(shard.getValue())) {
        throw new IllegalArgumentException("shard " + shard.getKey() + "'s database is also the catalog's or another"
            + " shard's: each shard is a database of its own");
      }
    }
    if (connectionTimeout.toMillis() < 250) {
      throw new IllegalArgumentException("connection-timeout must be >= 250 ms (HikariCP's minimum), was " + connectionTimeout);
    }
  }

  private static void requireNonNegative(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isNegative()) {
      throw new IllegalArgumentException(name + " must be >= 0, was " + value);
    }
  }

  /** What the database's pools are opened with. */
  public DatabaseSettings database() {
    return new DatabaseSettings(jdbcUrl, poolSize, limits.readPoolSize(), connectionTimeout, statementTimeout);
  }

  @Override
  public byte[] chainKey() {
    return chainKey == null ? null : chainKey.clone();
  }

  /** The topic whose partitions the catalog places on the shards. */
  public String shardedTopic() {
    return kafka == null ? KafkaSettings.DEFAULT_TOPIC : kafka.topic();
  }

  @Override
  public String toString() {
    // Never print the key, nor the passwords a URL may carry.
    return "ServerConfig[host=" + host + ", port=" + port + ", jdbcUrl=" + Secrets.maskUrl(jdbcUrl) + ", maxBodyBytes=" + maxBodyBytes
        + ", maxBatchSize=" + maxBatchSize + ", chain=" + (chainKey == null ? "sha256" : "hmac-sha256")
        + ", dlq=" + (redisUrl == null ? "none" : "redis") + ", auth=" + (auth.enabled() ? "on" : "none")
        + ", tls=" + (tls == null ? "off" : "on") + ", compatibility=" + compatibility
        + ", kafka=" + (kafka == null ? "none" : kafka.topic() + (kafkaWriter ? " (writer)" : ""))
        + ", shards=" + new TreeSet<>(shards.keySet()) + "]";
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Builds {@link ServerConfig}; unset values take the documented defaults. */
  public static final class Builder {
    private String host = "0.0.0.0";
    private int port = 8080;
    private String jdbcUrl;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private Integer maxBatchSize;
    private Duration maxFutureSkew = ValidationRules.DEFAULT_MAX_FUTURE_SKEW;
    private Duration maxEventAge = Duration.ofDays(7);
    private int poolSize = 10;
    private Duration connectionTimeout = Duration.ofSeconds(3);
    private Duration statementTimeout = Duration.ofSeconds(15);
    private Duration retryAfter = Duration.ofSeconds(2);
    private Duration completenessGrace = DEFAULT_COMPLETENESS_GRACE;
    private KafkaSettings kafka;
    private boolean kafkaWriter;
    private Map<String, String> shards = Map.of();
    private Duration drainTimeout = Duration.ofSeconds(10);
    private byte[] chainKey;
    private String redisUrl;
    private Duration redisTimeout = Duration.ofSeconds(5);
    private int dlqMaxAttempts = 5;
    private String dlqKey = "auditflow:dlq";
    private AuthSettings auth = AuthSettings.tokens(null);
    private TlsFiles tls;
    private Integer managementPort;
    private LifecycleSettings lifecycle = LifecycleSettings.defaults();
    private LogSettings log = LogSettings.defaults();
    private RequestLimits limits = RequestLimits.defaults();
    private Compatibility compatibility = Compatibility.AUDITFLOW;

    /** Whose defaults to keep; settings given explicitly still win. */
    public Builder compatibility(Compatibility compatibility) {
      this.compatibility = compatibility;
      return this;
    }

    public Builder limits(RequestLimits limits) {
      this.limits = limits;
      return this;
    }

    public Builder log(LogSettings log) {
      this.log = log;
      return this;
    }

    public Builder lifecycle(LifecycleSettings lifecycle) {
      this.lifecycle = lifecycle;
      return this;
    }

    public Builder auth(AuthSettings auth) {
      this.auth = auth;
      return this;
    }

    /** Serve HTTPS with this PEM certificate chain and PKCS#8 key. */
    public Builder tls(TlsFiles tls) {
      this.tls = tls;
      return this;
    }

    public Builder managementPort(Integer managementPort) {
      this.managementPort = managementPort;
      return this;
    }

    /** The Redis stream the DLQ uses; servers sharing one queue must share the key. */
    public Builder dlqKey(String dlqKey) {
      this.dlqKey = dlqKey;
      return this;
    }

    private Builder() {}

    /** Queue events in Redis when PostgreSQL is unavailable, instead of answering 503. */
    public Builder redisUrl(String redisUrl) {
      this.redisUrl = redisUrl;
      return this;
    }

    public Builder redisTimeout(Duration redisTimeout) {
      this.redisTimeout = redisTimeout;
      return this;
    }

    public Builder dlqMaxAttempts(int dlqMaxAttempts) {
      this.dlqMaxAttempts = dlqMaxAttempts;
      return this;
    }

    /** Hash chains with HMAC-SHA256 under this key instead of plain SHA-256. */
    public Builder chainKey(byte[] chainKey) {
      this.chainKey = chainKey;
      return this;
    }

    public Builder host(String host) {
      this.host = host;
      return this;
    }

    public Builder port(int port) {
      this.port = port;
      return this;
    }

    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    public Builder maxBodyBytes(long maxBodyBytes) {
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /** Most events in one batch; null for the compatibility's default. */
    public Builder maxBatchSize(Integer maxBatchSize) {
      this.maxBatchSize = maxBatchSize;
      return this;
    }

    public Builder maxFutureSkew(Duration maxFutureSkew) {
      this.maxFutureSkew = maxFutureSkew;
      return this;
    }

    public Builder maxEventAge(Duration maxEventAge) {
      this.maxEventAge = maxEventAge;
      return this;
    }

    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    public Builder connectionTimeout(Duration connectionTimeout) {
      this.connectionTimeout = connectionTimeout;
      return this;
    }

    public Builder statementTimeout(Duration statementTimeout) {
      this.statementTimeout = statementTimeout;
      return this;
    }

    public Builder retryAfter(Duration retryAfter) {
      this.retryAfter = retryAfter;
      return this;
    }

    public Builder completenessGrace(Duration completenessGrace) {
      this.completenessGrace = completenessGrace;
      return this;
    }

    /** Kafka mode (docs/SCALE.md); null for the direct path. */
    public Builder kafka(KafkaSettings kafka) {
      this.kafka = kafka;
      return this;
    }

    /** Also run a writer in this process (Kafka mode). */
    public Builder kafkaWriter(boolean kafkaWriter) {
      this.kafkaWriter = kafkaWriter;
      return this;
    }

    /** The shards' databases by name (docs/SCALE.md, "Shards"); none: one database. */
    public Builder shards(Map<String, String> shards) {
      this.shards = shards;
      return this;
    }

    public Builder drainTimeout(Duration drainTimeout) {
      this.drainTimeout = drainTimeout;
      return this;
    }

    public ServerConfig build() {
      if (jdbcUrl == null) {
        throw new IllegalArgumentException("a database URL is required (jdbc:postgresql://host:port/db)");
      }
      return new ServerConfig(
          host, port, jdbcUrl, maxBodyBytes,
          maxBatchSize != null ? maxBatchSize : compatibility.defaultMaxBatchSize(), maxFutureSkew, maxEventAge, poolSize, connectionTimeout,
          statementTimeout, retryAfter, drainTimeout, chainKey, redisUrl, redisTimeout, dlqMaxAttempts, dlqKey, auth, tls,
          managementPort, lifecycle, log, limits, compatibility, completenessGrace, kafka, kafkaWriter,
          shards);
    }
  }
}
