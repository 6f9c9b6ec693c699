package dev.auditflow.server.dlq;

import dev.auditflow.server.runtime.ServerRuntime;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects to Redis in the background and keeps trying, with exponential back-off, until it
 * succeeds: a Redis that is slow or down when the server starts makes the dead-letter queue
 * unavailable for a while (readiness says so), never the server fail to start. Once connected,
 * Lettuce reconnects by itself; while it is disconnected commands are rejected at once instead
 * of waiting out a timeout, so a refused append is known not to have been written.
 */
final class RedisConnector implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisConnector.class);
  static final Duration FIRST_RETRY = Duration.ofMillis(500);
  static final Duration MAX_RETRY = Duration.ofSeconds(30);

  /** The two connections the queue uses, and the client that made them. */
  record Connections(StatefulRedisConnection<String, String> appends, StatefulRedisConnection<String, String> replay) {}

  private final RedisClient client;
  private final String displayUrl;
  private final Consumer<Connections> onConnect;
  private final CountDownLatch connectedOnce = new CountDownLatch(1);
  private ServerRuntime.Loop loop;
  private Duration wait = FIRST_RETRY;
  private int attempt;
  private volatile Connections connections;
  private volatile boolean closed;

  /**
   * @param commandTimeout the longest one command may take (also the connection handshake)
   * @param onConnect runs once on the connector thread after connecting, before the connections
   *     are handed out (e.g. to create the consumer group); if it throws, the connector retries
   */
  RedisConnector(String redisUrl, String displayUrl, Duration commandTimeout, Consumer<Connections> onConnect) {
    RedisURI uri = RedisURI.create(redisUrl);
    uri.setTimeout(commandTimeout);
    this.client = RedisClient.create(uri);
    this.client.setOptions(ClientOptions.builder()
        .socketOptions(SocketOptions.builder().connectTimeout(commandTimeout.multipliedBy(2)).keepAlive(true).build())
        .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        .build());
    this.displayUrl = displayUrl;
    this.onConnect = onConnect;
  }

  void start(ServerRuntime runtime) {
    loop = runtime.loop("dlq-connect", Duration.ZERO, this::connect);
  }

  /** One attempt to connect; after a failure, the next waits twice as long as the last, up to {@link #MAX_RETRY}. */
  private Duration connect() {
    attempt++;
    StatefulRedisConnection<String, String> appends = null;
    StatefulRedisConnection<String, String> replay = null;
    try {
      appends = client.connect();
      replay = client.connect();
      Connections made = new Connections(appends, replay);
      onConnect.accept(made);
      connections = made;
      connectedOnce.countDown();
      log.info("dlq connected url={} attempts={}", displayUrl, attempt);
      return ServerRuntime.DONE;
    } catch (RedisException | IllegalStateException e) {
      closeQuietly(appends, replay);
      if (closed) {
        return ServerRuntime.DONE;
      }
      Duration retryIn = wait;
      log.warn("dlq unreachable url={} attempt={} retry_in_ms={} error=\"{}\"", displayUrl, attempt, retryIn.toMillis(),
          e.getMessage());
      wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
      return retryIn;
    }
  }

  /** The connections, or null while not (yet) connected. */
  Connections connections() {
    return connections;
  }

  /** Waits up to {@code timeout} for the first connection; true once connected. */
  boolean awaitConnected(Duration timeout) throws InterruptedException {
    return connectedOnce.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void closeQuietly(StatefulRedisConnection<?, ?>... toClose) {
    for (var connection : toClose) {
      if (connection != null) {
        try {
          connection.close();
        } catch (RuntimeException ignored) {
          // already broken
        }
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    if (loop != null) {
      loop.close();
    }
    Connections open = connections;
    if (open != null) {
      closeQuietly(open.appends(), open.replay());
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
