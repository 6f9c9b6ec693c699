package dev.auditflow.server.trail;

import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.NodeId;
import dev.auditflow.api.log.Tile;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The stored tree: leaf hashes ({@link LogLeaves}), and above them only every eighth level in
 * {@code log_nodes} (the hashes C2SP tiles hold). Any other node is the hash of the at most 128
 * stored hashes below it — recomputed when read, which costs a proof microseconds and saves the
 * log a row per leaf on every write.
 */
final class TreeNodes {
  private static final String INSERT =
      "INSERT INTO log_nodes (level, node_index, hash) SELECT * FROM unnest(?::smallint[], ?::bigint[], ?::bytea[])";
  private static final String READ_NODES =
      "SELECT node_index, hash FROM log_nodes WHERE level = ? AND node_index = ANY(?::bigint[])";

  /** Whether a node is one the log stores in log_nodes (level 0 is the leaves, {@link LogLeaves}). */
  static boolean stored(NodeId id) {
    return id.level() > 0 && id.level() % Tile.HEIGHT == 0;
  }

  /** Stores the nodes of stored levels among those given. */
  void insert(Connection c, List<NodeId> ids, List<byte[]> hashes) throws SQLException {
    List<Short> levels = new ArrayList<>();
    List<Long> indexes = new ArrayList<>();
    List<byte[]> kept = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      if (stored(ids.get(i))) {
        levels.add((short) ids.get(i).level());
        indexes.add(ids.get(i).index());
        kept.add(hashes.get(i));
      }
    }
    if (kept.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setArray(1, c.createArrayOf("int2", levels.toArray(Short[]::new)));
      ps.setArray(2, c.createArrayOf("int8", indexes.toArray(Long[]::new)));
      ps.setArray(3, c.createArrayOf("bytea", kept.toArray(byte[][]::new)));
      ps.executeUpdate();
    }
  }

  /**
   * The hashes of {@code ids}: stored ones read, the others folded from the stored level below
   * them, all in one query per stored level involved. Fails if a hash is missing (the tree is
   * smaller than the caller thinks, or its tables were cut).
   */
  Map<NodeId, byte[]> read(Connection c, Collection<NodeId> ids) throws SQLException {
    Map<Integer, Set<Long>> needed = new TreeMap<>();
    for (NodeId id : ids) {
      int base = base(id);
      int span = id.level() - base;
      long first = id.index() << span;
      Set<Long> indexes = needed.computeIfAbsent(base, b -> new TreeSet<>());
      for (long i = first; i < first + (1L << span); i++) {
        indexes.add(i);
      }
    }
    Map<NodeId, byte[]> stored = new HashMap<>();
    for (var level : needed.entrySet()) {
      readLevel(c, level.getKey(), level.getValue(), stored);
    }
    Map<NodeId, byte[]> found = new HashMap<>();
    for (NodeId id : ids) {
      int base = base(id);
      int span = id.level() - base;
      long first = id.index() << span;
      List<byte[]> below = new ArrayList<>(1 << span);
      for (long i = first; i < first + (1L << span); i++) {
        byte[] hash = stored.get(new NodeId(base, i));
        if (hash == null) {
          throw new IllegalStateException("the log has no stored hash " + new NodeId(base, i)
              + ": its tables are incomplete");
        }
        below.add(hash);
      }
      // 2^span hashes of complete sibling subtrees: their balanced fold is the node above them.
      found.put(id, CompactRange.rootOf(below));
    }
    return found;
  }

  /** The stored level at or below a node's level. */
  private static int base(NodeId id) {
    return id.level() - id.level() % Tile.HEIGHT;
  }

  private static void readLevel(Connection c, int level, Set<Long> indexes, Map<NodeId, byte[]> into)
      throws SQLException {
    if (level == 0) {
      LogLeaves.hashes(c, indexes).forEach((index, hash) -> into.put(new NodeId(0, index), hash));
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(READ_NODES)) {
      ps.setShort(1, (short) level);
      ps.setArray(2, c.createArrayOf("int8", indexes.toArray(Long[]::new)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          into.put(new NodeId(level, rs.getLong(1)), rs.getBytes(2));
        }
      }
    }
  }

  /** The right edge of the stored tree of {@code size} leaves. */
  CompactRange edge(Connection c, long size) throws SQLException {
    List<NodeId> ids = CompactRange.nodesOf(size);
    Map<NodeId, byte[]> hashes = read(c, ids);
    List<byte[]> ordered = new ArrayList<>(ids.size());
    ids.forEach(id -> ordered.add(hashes.get(id)));
    return CompactRange.of(size, ordered);
  }
}
