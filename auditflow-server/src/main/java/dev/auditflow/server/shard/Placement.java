package dev.auditflow.server.shard;

import dev.auditflow.server.trail.ServerVocabulary;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

/**
 * Where a correlation's events live when the trail spans several PostgreSQL shards
 * (docs/SCALE.md, "Shards"): on the shard its Kafka partition is mapped to. The partition is the
 * one Kafka's producer picks for the record keyed by the correlation id — murmur2 of its UTF-8
 * bytes modulo the topic's partition count, the producer's own function — so a reader finds a
 * chain's shard from its id alone, and a chain never spans shards. The map is read from the
 * catalog ({@link ShardCatalog}), never compiled in.
 *
 * <p>The server's own chains (access records, legal-hold histories, purge records) are written
 * with the catalog's feature tables, in one transaction, so they live on the home database — but
 * for a shard's purge runs ({@code auditflow:purge:<shard>}), recorded with its deletions. A
 * workflow's records ({@code workflow-<id>}) do too; that name is not reserved for writers, so a
 * writer's event in such a correlation sits on its partition's shard, and both are read.
 *
 * @param topic the Kafka topic whose partitions are mapped
 * @param shardOfPartition the shard of partition {@code i} at index {@code i}: one per partition
 */
public record Placement(String topic, List<String> shardOfPartition) {
  /** The home database's name: the catalog, which also holds the server's own chains. */
  public static final String HOME = "home";

  private static final List<String> HOME_CHAIN_PREFIXES = List.of(ServerVocabulary.ACCESS_CHAIN_PREFIX,
      ServerVocabulary.HOLD_CHAIN_PREFIX, ServerVocabulary.SERVER_CHAIN_PREFIX);

  /** What the catalog accepts as a shard's name ({@code shard_partitions.shard}). */
  private static final Pattern SHARD_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  /** @throws IllegalArgumentException naming the rule, for a name the catalog would refuse or that is home's */
  public static void checkShardName(String name) {
    if (!SHARD_NAME.matcher(name).matches() || name.equals(HOME)) {
      throw new IllegalArgumentException("a shard's name is a lower-case letter, then up to 31 lower-case letters,"
          + " digits or '-', and not \"" + HOME + "\" (the catalog's): was \"" + name + "\"");
    }
  }

  public Placement {
    shardOfPartition = List.copyOf(shardOfPartition);
    if (shardOfPartition.isEmpty()) {
      throw new IllegalArgumentException("a placement maps at least one partition");
    }
  }

  public int partitions() {
    return shardOfPartition.size();
  }

  /** The partition Kafka's producer puts a record keyed by {@code correlationId} on. */
  public int partitionOf(String correlationId) {
    return BuiltInPartitioner.partitionForKey(correlationId.getBytes(StandardCharsets.UTF_8), partitions());
  }

  public String shardOfPartition(int partition) {
    return shardOfPartition.get(partition);
  }

  /**
   * The shards that may hold events of {@code correlationId}: one, except a workflow's chain
   * (above). The first is where its chain head is looked for first.
   */
  public Set<String> shardsOf(String correlationId) {
    Set<String> shards = new LinkedHashSet<>();
    if (correlationId.startsWith(ServerVocabulary.WORKFLOW_CHAIN_PREFIX)) {
      shards.add(HOME);
    }
    shards.add(writtenTo(correlationId));
    return shards;
  }

  /** The shard a writer's event in {@code correlationId} is stored on: home for the server's chains, else its partition's. */
  public String writtenTo(String correlationId) {
    if (correlationId.startsWith(ServerVocabulary.PURGE_CHAIN_OF_SHARD)) {
      // A shard's purge runs are recorded on that shard (they commit with its deletions).
      String shard = correlationId.substring(ServerVocabulary.PURGE_CHAIN_OF_SHARD.length());
      return shardOfPartition.contains(shard) ? shard : HOME;
    }
    return HOME_CHAIN_PREFIXES.stream().anyMatch(correlationId::startsWith) ? HOME
        : shardOfPartition(partitionOf(correlationId));
  }

  /** Every shard partitions are mapped to, in partition order, and home. */
  public Set<String> shards() {
    Set<String> shards = new LinkedHashSet<>();
    shards.add(HOME);
    shards.addAll(shardOfPartition);
    return shards;
  }
}
