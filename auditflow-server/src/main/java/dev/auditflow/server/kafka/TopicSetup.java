package dev.auditflow.server.kafka;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * {@code auditflow kafka init} (docs/SCALE.md, "The topic"): creates the events' topic with the
 * settings Kafka mode's promises rest on, or checks an existing one against them. It never changes
 * an existing topic: partitions cannot be taken back, and a topic's replication is changed by a
 * reassignment an operator plans — so a difference is reported, not "fixed".
 */
public final class TopicSetup {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private TopicSetup() {}

  /**
   * What the topic should be.
   *
   * @param partitions the most writers that can work at once, and the unit of order (one correlation's events share one)
   * @param replicationFactor copies of every record
   * @param minInsyncReplicas copies that must have a record before it is acknowledged; below it ingest answers 503
   * @param retention how long Kafka keeps records, stored or not: more than any database outage to be survived
   */
  public record TopicSpec(int partitions, int replicationFactor, int minInsyncReplicas, Duration retention) {
    public static final TopicSpec DEFAULT = new TopicSpec(12, 3, 2, Duration.ofDays(7));

    public TopicSpec {
      if (partitions < 1) {
        throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
      }
      if (replicationFactor < 1 || replicationFactor > Short.MAX_VALUE) {
        throw new IllegalArgumentException("replication-factor must be >= 1, was " + replicationFactor);
      }
      if (minInsyncReplicas < 1 || minInsyncReplicas > replicationFactor) {
        throw new IllegalArgumentException("min-insync-replicas must be between 1 and the replication factor ("
            + replicationFactor + "), was " + minInsyncReplicas);
      }
      if (retention == null || retention.toMillis() < 60_000) {
        throw new IllegalArgumentException("retention must be >= 1m, was " + retention);
      }
    }

    /** Human words for a line of output. */
    public String describe() {
      return partitions + " partitions, replication factor " + replicationFactor + ", min.insync.replicas="
          + minInsyncReplicas + ", retention " + retention.toMillis() + " ms";
    }
  }

  /**
   * What an existing topic is — not a {@link TopicSpec}: it may be anything, even unsafe
   * ({@code retentionMs} -1 keeps records for ever).
   */
  public record TopicState(int partitions, int replicationFactor, int minInsyncReplicas, long retentionMs) {
    public String describe() {
      return partitions + " partitions, replication factor " + replicationFactor + ", min.insync.replicas="
          + minInsyncReplicas + ", retention " + retentionMs + " ms";
    }
  }

  /** What {@link #ensure} found or did. */
  public sealed interface Outcome permits Created, Matches, Differs {}

  /** There was no such topic; it was created as asked. */
  public record Created(TopicSpec spec) implements Outcome {}

  /** The topic exists as asked. */
  public record Matches(TopicState existing) implements Outcome {}

  /** The topic exists otherwise than asked; each difference in words. Nothing was changed. */
  public record Differs(TopicState existing, List<String> differences) implements Outcome {}

  /**
   * Creates {@code settings.topic()} as {@code spec} asks, or compares it with {@code spec} when it
   * exists.
   *
   * @throws org.apache.kafka.common.KafkaException as Kafka refused (e.g. {@code
   *     InvalidReplicationFactorException}: fewer brokers than the replication factor) or did not answer
   */
  public static Outcome ensure(KafkaSettings settings, TopicSpec spec) throws InterruptedException {
    Map<String, Object> config = settings.clientConfig("auditflow-kafka-init");
    config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) TIMEOUT.toMillis());
    try (Admin admin = Admin.create(config)) {
      TopicState existing = describe(admin, settings.topic());
      if (existing == null) {
        NewTopic topic = new NewTopic(settings.topic(), spec.partitions(), (short) spec.replicationFactor())
            .configs(Map.of(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG, Integer.toString(spec.minInsyncReplicas()),
                TopicConfig.RETENTION_MS_CONFIG, Long.toString(spec.retention().toMillis()),
                // Only an in-sync replica may lead: an acknowledged record is never lost to a stale leader.
                TopicConfig.UNCLEAN_LEADER_ELECTION_ENABLE_CONFIG, "false"));
        await(admin.createTopics(List.of(topic)).all());
        return new Created(spec);
      }
      List<String> differences = new ArrayList<>();
      compare(differences, "partitions", existing.partitions(), spec.partitions());
      compare(differences, "replication factor", existing.replicationFactor(), spec.replicationFactor());
      compare(differences, "min.insync.replicas", existing.minInsyncReplicas(), spec.minInsyncReplicas());
      compare(differences, "retention.ms", existing.retentionMs(), spec.retention().toMillis());
      return differences.isEmpty() ? new Matches(existing) : new Differs(existing, List.copyOf(differences));
    }
  }

  private static void compare(List<String> differences, String what, long has, long asked) {
    if (has != asked) {
      differences.add(what + " is " + has + ", asked " + asked);
    }
  }

  /** The topic's settings, or null when there is no such topic. */
  private static TopicState describe(Admin admin, String name) throws InterruptedException {
    TopicDescription topic;
    try {
      topic = await(admin.describeTopics(List.of(name)).allTopicNames()).get(name);
    } catch (UnknownTopicOrPartitionException e) {
      return null;
    }
    ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, name);
    Config config = await(admin.describeConfigs(List.of(resource)).all()).get(resource);
    // The smallest replica set counts: it is what that partition's records can survive.
    int replicas = topic.partitions().stream().mapToInt(p -> p.replicas().size()).min().orElse(0);
    return new TopicState(topic.partitions().size(), replicas,
        Integer.parseInt(config.get(TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG).value()),
        Long.parseLong(config.get(TopicConfig.RETENTION_MS_CONFIG).value()));
  }

  /** Kafka's future, its failure unwrapped: the caller sees Kafka's own exception. */
  private static <T> T await(org.apache.kafka.common.KafkaFuture<T> future) throws InterruptedException {
    try {
      return future.get(TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException kafka) {
        throw kafka;
      }
      throw new IllegalStateException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new org.apache.kafka.common.errors.TimeoutException("Kafka did not answer within " + TIMEOUT.toSeconds()
          + " s", e);
    }
  }
}
