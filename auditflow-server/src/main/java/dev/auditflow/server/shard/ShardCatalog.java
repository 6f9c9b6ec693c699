package dev.auditflow.server.shard;

import dev.auditflow.server.db.Transactions;
import dev.auditflow.server.failure.ConfigurationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The catalog's map of a topic's partitions to shards ({@code shard_partitions}, docs/SCALE.md):
 * stored once, read by every node at start, so that ingest nodes, writers and readers agree on
 * where a correlation lives without sharing code or configuration.
 */
public final class ShardCatalog {
  private ShardCatalog() {}

  /**
   * The stored placement of {@code topic}, or empty when it has none (one database holds the trail).
   *
   * @throws ConfigurationException when the stored map skips a partition
   */
  public static Optional<Placement> load(Connection catalog, String topic) throws SQLException {
    List<String> shards = new ArrayList<>();
    try (PreparedStatement ps = catalog.prepareStatement(
        "SELECT partition, shard FROM shard_partitions WHERE topic = ? ORDER BY partition")) {
      ps.setString(1, topic);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          if (rs.getInt(1) != shards.size()) {
            throw new ConfigurationException("the catalog's shard_partitions places partition " + rs.getInt(1)
                + " of topic " + topic + " but not partition " + shards.size() + ": every partition needs a shard");
          }
          shards.add(rs.getString(2));
        }
      }
    }
    return shards.isEmpty() ? Optional.empty() : Optional.of(new Placement(topic, shards));
  }

  /**
   * Places {@code topic}'s partitions on {@code shards} in turn — partition p on shard {@code p mod
   * n} — and stores it, or finds that very placement stored. A different stored placement is
   * refused and left as it is: moving a partition moves its events, which is a procedure, not a
   * setting.
   */
  public static Placement assign(Connection catalog, String topic, int partitions, List<String> shards)
      throws SQLException {
    if (partitions < 1 || shards.isEmpty()) {
      throw new IllegalArgumentException("at least one partition and one shard");
    }
    List<String> wanted = new ArrayList<>(partitions);
    for (int p = 0; p < partitions; p++) {
      wanted.add(shards.get(p % shards.size()));
    }
    Placement placement = new Placement(topic, wanted);
    return Transactions.inTransaction(catalog, "placing the partitions of " + topic, tx -> {
      try (PreparedStatement lock = tx.prepareStatement("LOCK TABLE shard_partitions IN EXCLUSIVE MODE")) {
        lock.execute(); // two nodes placing at once: the second finds the first's map
      }
      Optional<Placement> stored = load(tx, topic);
      if (stored.isPresent()) {
        if (!stored.get().equals(placement)) {
          throw new ConfigurationException("topic " + topic + " is already placed otherwise: "
              + describe(stored.get()) + "; it is left as it is (moving partitions is the procedure in docs/SCALE.md)");
        }
        return placement;
      }
      try (PreparedStatement ps = tx.prepareStatement(
          "INSERT INTO shard_partitions (topic, partition, shard) VALUES (?, ?, ?)")) {
        for (int p = 0; p < partitions; p++) {
          ps.setString(1, topic);
          ps.setInt(2, p);
          ps.setString(3, wanted.get(p));
          ps.addBatch();
        }
        ps.executeBatch();
      }
      return placement;
    });
  }

  /** {@code 0-3 → a, 4 → home}, …: partitions grouped by shard, for messages. */
  public static String describe(Placement placement) {
    StringBuilder text = new StringBuilder();
    for (String shard : placement.shards()) {
      List<Integer> partitions = new ArrayList<>();
      for (int p = 0; p < placement.partitions(); p++) {
        if (placement.shardOfPartition(p).equals(shard)) {
          partitions.add(p);
        }
      }
      if (!partitions.isEmpty()) {
        text.append(text.isEmpty() ? "" : ", ").append("partitions ").append(partitions).append(" on ").append(shard);
      }
    }
    return text.toString();
  }
}
