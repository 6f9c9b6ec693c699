package dev.auditflow.server.log;

import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.NodeId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The stored complete subtrees of the log ({@code log_nodes}): written by the integrator, read for proofs. */
final class TreeNodes {
  private static final String INSERT =
      "INSERT INTO log_nodes (level, node_index, hash) SELECT * FROM unnest(?::smallint[], ?::bigint[], ?::bytea[])";
  private static final String READ =
      "SELECT level, node_index, hash FROM log_nodes WHERE (level, node_index) IN"
          + " (SELECT * FROM unnest(?::smallint[], ?::bigint[]))";

  void insert(Connection c, List<NodeId> ids, List<byte[]> hashes) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement(INSERT)) {
      ps.setArray(1, c.createArrayOf("int2", ids.stream().map(id -> (short) id.level()).toArray(Short[]::new)));
      ps.setArray(2, c.createArrayOf("int8", ids.stream().map(NodeId::index).toArray(Long[]::new)));
      ps.setArray(3, c.createArrayOf("bytea", hashes.toArray(byte[][]::new)));
      ps.executeUpdate();
    }
  }

  /** The hashes of {@code ids}; fails if one is not stored (the tree is smaller than the caller thinks). */
  Map<NodeId, byte[]> read(Connection c, List<NodeId> ids) throws SQLException {
    Map<NodeId, byte[]> found = new HashMap<>();
    if (ids.isEmpty()) {
      return found;
    }
    try (PreparedStatement ps = c.prepareStatement(READ)) {
      ps.setArray(1, c.createArrayOf("int2", ids.stream().map(id -> (short) id.level()).toArray(Short[]::new)));
      ps.setArray(2, c.createArrayOf("int8", ids.stream().map(NodeId::index).toArray(Long[]::new)));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          found.put(new NodeId(rs.getShort(1), rs.getLong(2)), rs.getBytes(3));
        }
      }
    }
    for (NodeId id : ids) {
      if (!found.containsKey(id)) {
        throw new IllegalStateException("the log has no stored node " + id + ": its tables are incomplete");
      }
    }
    return found;
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
