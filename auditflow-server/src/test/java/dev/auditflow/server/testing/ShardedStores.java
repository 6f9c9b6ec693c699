package dev.auditflow.server.testing;

import dev.auditflow.server.db.DatabaseSettings;
import dev.auditflow.server.kafka.KafkaSettings;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.shard.ShardSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A catalog and shards, each a fresh database, set up as {@code auditflow shards init} sets them
 * up: migrated, the topic's partitions placed on the shards in turn. Dropped on close.
 */
public final class ShardedStores implements AutoCloseable {
  private final String catalog;
  private final Map<String, String> shards;
  private final Placement placement;

  private ShardedStores(String catalog, Map<String, String> shards, Placement placement) {
    this.catalog = catalog;
    this.shards = shards;
    this.placement = placement;
  }

  /** Shards named {@code names}, the default topic's {@code partitions} placed on them. */
  public static ShardedStores create(int partitions, String... names) {
    return create(KafkaSettings.DEFAULT_TOPIC, partitions, names);
  }

  public static ShardedStores create(String topic, int partitions, String... names) {
    String catalog = TestDatabase.create();
    Map<String, String> shards = new LinkedHashMap<>();
    for (String name : names) {
      shards.put(name, TestDatabase.create());
    }
    Placement placement = ShardSetup.init(settings(catalog), shards, topic, partitions, new SimpleMeterRegistry())
        .placement();
    return new ShardedStores(catalog, shards, placement);
  }

  private static DatabaseSettings settings(String url) {
    return new DatabaseSettings(url, 2, 2, Duration.ofSeconds(3), Duration.ofSeconds(15));
  }

  public String catalog() {
    return catalog;
  }

  /** The shards' database URLs by name, as {@code --shard} gives them. */
  public Map<String, String> shards() {
    return shards;
  }

  public Placement placement() {
    return placement;
  }

  /** The first correlation named {@code prefix-<n>} that the placement puts on {@code shard}. */
  public String correlationOn(String shard, String prefix) {
    for (int i = 0; ; i++) {
      if (placement.writtenTo(prefix + "-" + i).equals(shard)) {
        return prefix + "-" + i;
      }
    }
  }

  @Override
  public void close() {
    List<String> all = new ArrayList<>(shards.values());
    all.add(catalog);
    all.forEach(TestDatabase::drop);
  }
}
