package dev.auditflow.server.dlq;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.secrets.Secrets;
import dev.auditflow.server.db.OutcomeUnknownException;
import dev.auditflow.server.runtime.ServerRuntime;
import io.lettuce.core.Consumer;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XGroupCreateArgs;
import io.lettuce.core.XReadArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The dead-letter queue: a Redis stream of requests the database could not take, each entry one
 * request's events (all of them, every field, as the API's JSON), written back by {@link
 * ReplayWorker}. A second stream holds entries that could not be replayed after the maximum
 * number of attempts ("poison"), for a person to look at; nothing is ever trimmed.
 *
 * <p>Redis is connected in the background ({@link RedisConnector}); until it is, and whenever it
 * is unreachable, the queue is unavailable and says so rather than blocking. Durability is
 * Redis's: run it with {@code appendonly yes} and {@code appendfsync always}.
 */
public final class DeadLetterQueue implements AutoCloseable {
  static final String GROUP = "auditflow-replay";
  static final String CONSUMER = "replay";
  /** The principal that submitted the queued request, replayed as its ingested_by. */
  static final String INGESTED_BY = "ingested_by";
  /** The request's producer issued mark (docs/COMPLETENESS.md), when it had one. */
  static final String PRODUCER_ISSUED = "producer_issued";

  private final RedisConnector connector;
  private final Clock clock;
  private final String stream;
  private final String deadStream;

  private DeadLetterQueue(String redisUrl, String stream, Duration commandTimeout, Clock clock) {
    this.clock = clock;
    this.stream = stream;
    this.deadStream = stream + ":dead";
    this.connector = new RedisConnector(redisUrl, Secrets.maskUrl(redisUrl), commandTimeout, this::ensureGroup);
  }

  /**
   * Starts connecting in the background and returns at once.
   *
   * @param commandTimeout the longest one Redis command may take; connecting gets twice that
   */
  public static DeadLetterQueue start(String redisUrl, String stream, Duration commandTimeout, ServerRuntime runtime) {
    DeadLetterQueue queue = new DeadLetterQueue(redisUrl, stream, commandTimeout, runtime.clock());
    queue.connector.start(runtime);
    return queue;
  }

  public String stream() {
    return stream;
  }

  /** Waits up to {@code timeout} for the first connection to Redis; true once connected. */
  public boolean awaitConnected(Duration timeout) throws InterruptedException {
    return connector.awaitConnected(timeout);
  }

  private void ensureGroup(RedisConnector.Connections c) {
    try {
      c.appends().sync().xgroupCreate(XReadArgs.StreamOffset.from(stream, "0"), GROUP, XGroupCreateArgs.Builder.mkstream());
    } catch (RedisBusyException e) {
      // BUSYGROUP: it exists.
    }
  }

  private RedisConnector.Connections connected() {
    RedisConnector.Connections c = connector.connections();
    if (c == null) {
      throw new DeadLetterQueueUnavailableException("the dead-letter queue is not connected to Redis yet", null);
    }
    return c;
  }

  private RedisCommands<String, String> commands() {
    StatefulRedisConnection<String, String> c = connected().appends();
    if (!c.isOpen()) {
      throw new DeadLetterQueueUnavailableException("the dead-letter queue's Redis connection is down", null);
    }
    return c.sync();
  }

  RedisCommands<String, String> replayCommands() {
    return connected().replay().sync();
  }

  /**
   * Appends one request's events.
   *
   * @throws DeadLetterQueueUnavailableException when Redis is not connected or refused the
   *     command: nothing was queued
   * @throws OutcomeUnknownException when the command was sent but not answered (timeout, broken
   *     connection): the entry may be in the stream
   */
  public String append(List<AuditEvent> events, String ingestedBy, long producerIssued) {
    String json;
    try {
      json = AuditEventJson.mapper().writeValueAsString(events);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("events are always serialisable", e);
    }
    RedisCommands<String, String> redis = commands();
    try {
      Map<String, String> entry = new HashMap<>(Map.of("events", json, "queued_at", Timestamps.format(clock.instant()),
          "count", Integer.toString(events.size())));
      if (ingestedBy != null) {
        entry.put(INGESTED_BY, ingestedBy);
      }
      if (producerIssued > 0) {
        entry.put(PRODUCER_ISSUED, Long.toString(producerIssued));
      }
      return redis.xadd(stream, entry);
    } catch (RedisCommandExecutionException e) {
      // Redis answered with an error: it did not append.
      throw new DeadLetterQueueUnavailableException("Redis refused the append: " + e.getMessage(), e);
    } catch (RedisException e) {
      throw new OutcomeUnknownException("the append to the dead-letter queue went unanswered: " + e.getMessage(), e);
    }
  }

  /** Entries in the stream now. */
  public long depth() {
    try {
      return commands().xlen(stream);
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  List<StreamMessage<String, String>> readPending(int count) {
    return replayCommands().xreadgroup(Consumer.from(GROUP, CONSUMER), XReadArgs.Builder.count(count),
        XReadArgs.StreamOffset.from(stream, "0"));
  }

  List<StreamMessage<String, String>> readNew(int count, Duration block) {
    return replayCommands().xreadgroup(Consumer.from(GROUP, CONSUMER), XReadArgs.Builder.count(count).block(block),
        XReadArgs.StreamOffset.lastConsumed(stream));
  }

  /** Removes an entry once its events are committed to the database. */
  void acknowledge(String id) {
    RedisCommands<String, String> redis = replayCommands();
    redis.xack(stream, GROUP, id);
    redis.xdel(stream, id);
  }

  /**
   * Moves a poison entry to the dead stream, with why — in one step: Redis runs the script
   * atomically, so no one reading the queue ever sees the entry in both streams (counted as waiting
   * and as dead) or in neither.
   */
  void deadLetter(StreamMessage<String, String> message, String reason, int attempts) {
    Map<String, String> body = new HashMap<>(message.getBody());
    body.put("reason", reason);
    body.put("attempts", Integer.toString(attempts));
    body.put("original_id", message.getId());
    List<String> arguments = new ArrayList<>(List.of(GROUP, message.getId()));
    body.forEach((field, value) -> {
      arguments.add(field);
      arguments.add(value);
    });
    replayCommands().eval(MOVE_TO_DEAD, ScriptOutputType.INTEGER, new String[] {stream, deadStream},
        arguments.toArray(String[]::new));
  }

  /** KEYS: the stream, the dead stream; ARGV: the group, the entry's id, then the dead entry's fields and values. */
  private static final String MOVE_TO_DEAD =
      """
      redis.call('XADD', KEYS[2], '*', unpack(ARGV, 3))
      redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
      return redis.call('XDEL', KEYS[1], ARGV[2])
      """;

  /** What is in the queue now. */
  public record Summary(long depth, long pending, long dead, Optional<String> oldestQueuedAt) {}

  /** @throws DeadLetterQueueUnavailableException when Redis cannot be asked */
  public Summary summary() {
    try {
      RedisCommands<String, String> redis = commands();
      long depth = redis.xlen(stream);
      long pending = redis.xpending(stream, GROUP).getCount();
      long dead = redis.xlen(deadStream);
      List<StreamMessage<String, String>> first = redis.xrange(stream, Range.create("-", "+"), Limit.from(1));
      Optional<String> oldest = first.isEmpty() ? Optional.empty() : Optional.ofNullable(first.get(0).getBody().get("queued_at"));
      return new Summary(depth, pending, dead, oldest);
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  /** The most recent dead-lettered entries, without their events. */
  public List<Map<String, String>> recentDead(int count) {
    try {
      return commands().xrevrange(deadStream, Range.create("-", "+"), Limit.from(count)).stream()
          .map(m -> Map.of("id", m.getId(), "original_id", m.getBody().getOrDefault("original_id", ""),
              "reason", m.getBody().getOrDefault("reason", ""), "attempts", m.getBody().getOrDefault("attempts", ""),
              "count", m.getBody().getOrDefault("count", ""), "queued_at", m.getBody().getOrDefault("queued_at", "")))
          .toList();
    } catch (RedisException e) {
      throw unavailable(e);
    }
  }

  private static DeadLetterQueueUnavailableException unavailable(RedisException e) {
    return new DeadLetterQueueUnavailableException("Redis did not answer: " + e.getMessage(), e);
  }

  /** True when connected and Redis answers a PING. */
  public boolean isReachable() {
    try {
      return "PONG".equals(commands().ping());
    } catch (RedisException | DeadLetterQueueUnavailableException e) {
      return false;
    }
  }

  @Override
  public void close() {
    connector.close();
  }
}
