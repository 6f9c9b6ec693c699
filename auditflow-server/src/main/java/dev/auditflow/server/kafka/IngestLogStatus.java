package dev.auditflow.server.kafka;

import dev.auditflow.server.db.Database;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;

/**
 * How far the trail is behind the ingest log, as any node in Kafka mode sees it (docs/SCALE.md,
 * "Watching it"): each partition's end offset in Kafka against the next offset the writers stored
 * in PostgreSQL. Unlike a writer's own lag it needs no writer alive — a partition nobody stores
 * shows its whole backlog. Read by readiness and the console; taken at most once a second, so
 * probes never load the cluster.
 */
public final class IngestLogStatus implements AutoCloseable {
  private static final Duration FRESH = Duration.ofSeconds(1);
  private static final Duration KAFKA_TIMEOUT = Duration.ofSeconds(2);

  /** One partition: what Kafka holds ({@code endOffset}), what is stored, and who stored it last. */
  public record PartitionLag(int partition, long endOffset, long storedOffset, String writer, Instant storedAt) {
    /** Records appended and not stored yet (0 when the stored offset is ahead, as after a topic was recreated). */
    public long lag() {
      return Math.max(0, endOffset - storedOffset);
    }
  }

  /**
   * What was seen at {@code at}: {@code kafkaError} null when Kafka answered, {@code databaseError}
   * null when PostgreSQL did; the partitions only when both did.
   */
  public record Snapshot(Instant at, String kafkaError, String databaseError, List<PartitionLag> partitions) {
    public boolean kafkaUp() {
      return kafkaError == null;
    }

    /** Records appended to the topic and not stored yet, or null when it cannot be known now. */
    public Long totalLag() {
      return kafkaError != null || databaseError != null ? null
          : partitions.stream().mapToLong(PartitionLag::lag).sum();
    }
  }

  private final Admin admin;
  private final KafkaSettings settings;
  private final List<Database> stores;
  private final Clock clock;
  private final ReentrantLock taking = new ReentrantLock();
  private volatile Snapshot last;

  private IngestLogStatus(Admin admin, KafkaSettings settings, List<Database> stores, Clock clock) {
    this.admin = admin;
    this.settings = settings;
    this.stores = List.copyOf(stores);
    this.clock = clock;
  }

  /**
   * @param stores every database writers store partitions in: the one database, or with shards the
   *     catalog and each shard (a partition's offset and rejections are kept where its rows are)
   */
  public static IngestLogStatus open(KafkaSettings settings, List<Database> stores, Clock clock) {
    Map<String, Object> config = settings.clientConfig("auditflow-status");
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis());
    config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) KAFKA_TIMEOUT.toMillis());
    return new IngestLogStatus(Admin.create(config), settings, stores, clock);
  }

  public KafkaSettings settings() {
    return settings;
  }

  /** The latest snapshot, taken now if the last is more than a second old (one taker at a time; others get the last). */
  public Snapshot snapshot() {
    Snapshot seen = last;
    Instant now = clock.instant();
    if (seen != null && Duration.between(seen.at(), now).compareTo(FRESH) < 0) {
      return seen;
    }
    if (!taking.tryLock()) {
      if (seen != null) {
        return seen;
      }
      taking.lock();
    }
    try {
      if (last != seen) {
        return last;
      }
      last = take(now);
      return last;
    } finally {
      taking.unlock();
    }
  }

  private Snapshot take(Instant now) {
    Map<Integer, Long> ends = new HashMap<>();
    String kafkaError = null;
    try {
      ends = endOffsets();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      kafkaError = message(e);
    }
    Map<Integer, PartitionLedger.Stored> stored = new HashMap<>();
    String databaseError = null;
    for (Database database : stores) {
      try (Connection c = database.readConnection()) {
        stored.putAll(PartitionLedger.all(c, settings.topic()));
      } catch (SQLException | RuntimeException e) {
        databaseError = message(e);
      }
    }
    List<PartitionLag> partitions = new ArrayList<>();
    if (kafkaError == null && databaseError == null) {
      for (Map.Entry<Integer, Long> end : new java.util.TreeMap<>(ends).entrySet()) {
        PartitionLedger.Stored s = stored.get(end.getKey());
        partitions.add(s == null ? new PartitionLag(end.getKey(), end.getValue(), 0, null, null)
            : new PartitionLag(end.getKey(), end.getValue(), s.nextOffset(), s.writer(), s.updatedAt()));
      }
    }
    return new Snapshot(now, kafkaError, databaseError, List.copyOf(partitions));
  }

  private Map<Integer, Long> endOffsets() throws Exception {
    TopicDescription topic = admin.describeTopics(List.of(settings.topic())).allTopicNames()
        .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(settings.topic());
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    topic.partitions().forEach(p -> latest.put(new TopicPartition(settings.topic(), p.partition()), OffsetSpec.latest()));
    Map<TopicPartition, ListOffsetsResultInfo> ends = admin.listOffsets(latest).all()
        .get(KAFKA_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    Map<Integer, Long> byPartition = new HashMap<>();
    ends.forEach((tp, info) -> byPartition.put(tp.partition(), info.offset()));
    return byPartition;
  }

  /** The records writers could not store, newest first (docs/SCALE.md, "Rejected by the writer"), from every store. */
  public PartitionLedger.Rejections rejections(int limit) {
    long total = 0;
    List<PartitionLedger.Rejection> recent = new ArrayList<>();
    for (Database database : stores) {
      try (Connection c = database.readConnection()) {
        PartitionLedger.Rejections here = PartitionLedger.rejections(c, settings.topic(), limit);
        total += here.total();
        recent.addAll(here.recent());
      } catch (SQLException e) {
        throw database.readFailure("reading the ingest rejections", e);
      }
    }
    recent.sort(Comparator.comparing(PartitionLedger.Rejection::rejectedAt).reversed());
    return new PartitionLedger.Rejections(total, List.copyOf(recent.subList(0, Math.min(limit, recent.size()))));
  }

  private static String message(Throwable e) {
    Throwable root = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
    String text = root.getMessage();
    return root.getClass().getSimpleName() + (text == null ? "" : ": " + text);
  }

  @Override
  public void close() {
    admin.close(Duration.ofSeconds(2));
  }
}
