package dev.auditflow.server.shard;

import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.DatabaseSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code auditflow shards init} (docs/SCALE.md, "Shards"): brings the catalog and every shard's
 * database to the current schema, then places the topic's partitions on the shards in turn — or
 * finds that very placement stored. What every node then reads at start.
 */
public final class ShardSetup {
  /** What {@link #init} found: the placement, and whether it stored it now. */
  public record Placed(Placement placement, boolean created) {}

  private ShardSetup() {}

  /**
   * @param shards each shard's database URL by name; partitions go to them in name order, none to home
   * @throws dev.auditflow.server.failure.ConfigurationException when the topic is placed otherwise already
   */
  public static Placed init(DatabaseSettings catalog, Map<String, String> shards, String topic, int partitions,
      MeterRegistry registry) {
    if (shards.isEmpty()) {
      throw new IllegalArgumentException("give at least one shard");
    }
    shards.keySet().forEach(Placement::checkShardName);
    Map<String, String> ordered = new TreeMap<>(shards);
    for (Map.Entry<String, String> shard : ordered.entrySet()) {
      Database.open(catalog.on(shard.getValue()), "auditflow-shard-" + shard.getKey(), registry).close();
    }
    try (Database database = Database.open(catalog, registry); Connection c = database.connection()) {
      boolean placedBefore = ShardCatalog.load(c, topic).isPresent();
      return new Placed(ShardCatalog.assign(c, topic, partitions, new ArrayList<>(ordered.keySet())), !placedBefore);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot place the partitions: " + e.getMessage(), e);
    }
  }
}
