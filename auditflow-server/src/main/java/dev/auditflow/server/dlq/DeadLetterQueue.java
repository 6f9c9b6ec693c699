package dev.auditflow.server.dlq;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dead-letter queue: a Redis stream of requests the database could not take, each entry one
 * request's events (all of them, every field, as the API's JSON), written back by {@link
 * ReplayWorker}. A second stream holds entries that could not be replayed after the maximum
 * number of attempts ("poison"), for a person to look at; nothing is ever trimmed.
 *
 * <p>Durability is Redis's: run it with {@code appendonly yes} for queued events to survive a
 * Redis restart.
 */
public final class DeadLetterQueue implements AutoCloseable {
  static final String GROUP = "auditflow-replay";
  static final String CONSUMER = "replay";

  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  /** The replay worker's own connection: its blocking reads must not hold up appends. */
  private final StatefulRedisConnection<String, String> replayConnection;
  private final Clock clock;
  private final String stream;
  private final String deadStream;

  private DeadLetterQueue(RedisClient client, StatefulRedisConnection<String, String> connection, Clock clock,
      String stream) {
    this.client = client;
    this.connection = connection;
    this.replayConnection = client.connect();
    this.clock = clock;
    this.stream = stream;
    this.deadStream = stream + ":dead";
  }

  /** Connects (bounded waits) and makes sure the stream and its consumer group exist. */
  public static DeadLetterQueue connect(String redisUrl, String stream, Duration timeout, Clock clock) {
    RedisURI uri = RedisURI.create(redisUrl);
    uri.setTimeout(timeout);
    RedisClient client = RedisClient.create(uri);
    client.setOptions(io.lettuce.core.ClientOptions.builder()
        .socketOptions(io.lettuce.core.SocketOptions.builder().connectTimeout(timeout).build())
        .build());
    StatefulRedisConnection<String, String> connection = client.connect();
    DeadLetterQueue queue = new DeadLetterQueue(client, connection, clock, stream);
    queue.ensureGroup();
    return queue;
  }

  public String stream() {
    return stream;
  }

  void ensureGroup() {
    try {
      commands().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException e) {
      // BUSYGROUP: it exists.
    }
  }

  RedisCommands<String, String> commands() {
    return connection.sync();
  }

  /**
   * Appends one request's events.
   *
   * @throws RedisException when Redis cannot take them either (then the answer is 503)
   */
  public String append(List<AuditEvent> events) {
    String json;
    try {
      json = AuditEventJson.mapper().writeValueAsString(events);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("events are always serialisable", e);
    }
    return commands().xadd(stream, Map.of("events", json, "queued_at", Timestamps.format(clock.instant()),
        "count", Integer.toString(events.size())));
  }

  List<StreamMessage<String, String>> readPending(int count) {
    return replayConnection.sync().xreadgroup(Consumer.from(GROUP, CONSUMER), XReadArgs.Builder.count(count),
        XReadArgs.StreamOffset.from(stream, "0"));
  }

  List<StreamMessage<String, String>> readNew(int count, Duration block) {
    return replayConnection.sync().xreadgroup(Consumer.from(GROUP, CONSUMER), XReadArgs.Builder.count(count).block(block),
        XReadArgs.StreamOffset.lastConsumed(stream));
  }

  /** Removes an entry once its events are committed to the database. */
  void acknowledge(String id) {
    RedisCommands<String, String> redis = replayConnection.sync();
    redis.xack(stream, GROUP, id);
    redis.xdel(stream, id);
  }

  /** Moves a poison entry to the dead stream, with why. */
  void deadLetter(StreamMessage<String, String> message, String reason, int attempts) {
    Map<String, String> body = new java.util.HashMap<>(message.getBody());
    body.put("reason", reason);
    body.put("attempts", Integer.toString(attempts));
    body.put("original_id", message.getId());
    replayConnection.sync().xadd(deadStream, body);
    acknowledge(message.getId());
  }

  /** What is in the queue now. */
  public record Summary(long depth, long pending, long dead, Optional<String> oldestQueuedAt) {}

  public Summary summary() {
    RedisCommands<String, String> redis = commands();
    long depth = redis.xlen(stream);
    long pending = redis.xpending(stream, GROUP).getCount();
    long dead = redis.xlen(deadStream);
    List<StreamMessage<String, String>> first = redis.xrange(stream, Range.create("-", "+"), Limit.from(1));
    Optional<String> oldest = first.isEmpty() ? Optional.empty() : Optional.ofNullable(first.get(0).getBody().get("queued_at"));
    return new Summary(depth, pending, dead, oldest);
  }

  /** The most recent dead-lettered entries, without their events. */
  public List<Map<String, String>> recentDead(int count) {
    return commands().xrevrange(deadStream, Range.create("-", "+"), Limit.from(count)).stream()
        .map(m -> Map.of("id", m.getId(), "original_id", m.getBody().getOrDefault("original_id", ""),
            "reason", m.getBody().getOrDefault("reason", ""), "attempts", m.getBody().getOrDefault("attempts", ""),
            "count", m.getBody().getOrDefault("count", ""), "queued_at", m.getBody().getOrDefault("queued_at", "")))
        .toList();
  }

  public boolean isReachable() {
    try {
      return "PONG".equals(commands().ping());
    } catch (RedisException e) {
      return false;
    }
  }

  @Override
  public void close() {
    replayConnection.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }
}
