package dev.auditflow.server.trail;

import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NodeId;
import dev.auditflow.api.log.ProofPaths;
import dev.auditflow.api.log.Tile;
import dev.auditflow.api.log.TreeRange;
import dev.auditflow.server.db.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;

/**
 * The log on PostgreSQL: reads its signed state, proofs from stored nodes and which leaf an event
 * is; rounds of integration are {@link LogIntegrator}'s.
 */
final class PostgresLog implements TransparencyLog {
  private final Database database;
  private final LogIntegrator integrator;
  private final TreeNodes nodes = new TreeNodes();

  PostgresLog(Database database, LogIntegrator integrator) {
    this.database = database;
    this.integrator = integrator;
  }

  public State state() {
    return read("reading the log's state", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT origin, tree_size, checkpoint FROM log_state");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return new State(rs.getString(1), rs.getLong(2), rs.getString(3));
      }
    });
  }

  @Override
  public Round integrate() {
    return integrator.integrate();
  }

  /** Events committed but not yet given a leaf. */
  public long queuedEvents() {
    return read("counting the log's queue", c -> {
      try (PreparedStatement ps = c.prepareStatement("SELECT coalesce(sum(cardinality(event_ids)), 0) FROM log_queue");
          ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  /** The inclusion proof of leaf {@code index} in the tree of {@code size} leaves (size ≤ the signed size). */
  public List<byte[]> inclusion(long index, long size) {
    return hashes(ProofPaths.inclusion(index, size));
  }

  /** The consistency proof between the trees of {@code first} and {@code second} leaves. */
  public List<byte[]> consistency(long first, long second) {
    return hashes(ProofPaths.consistency(first, second));
  }

  private List<byte[]> hashes(List<TreeRange> ranges) {
    return read("reading a proof", c -> {
      Set<NodeId> ids = new LinkedHashSet<>();
      ranges.forEach(r -> ids.addAll(r.nodes()));
      return hashes(ranges, nodes.read(c, new ArrayList<>(ids)));
    });
  }

  private static List<byte[]> hashes(List<TreeRange> ranges, Map<NodeId, byte[]> nodeHashes) {
    List<byte[]> proof = new ArrayList<>(ranges.size());
    for (TreeRange r : ranges) {
      proof.add(TreeRange.hash(r.nodes().stream().map(nodeHashes::get).toList()));
    }
    return proof;
  }

  /**
   * The inclusion proofs of those events that are leaves of the tree of {@code size} leaves, all
   * in two queries: exports prove a thousand events at a time.
   */
  public Map<UUID, InclusionProof> proofs(Collection<UUID> eventIds, long size) {
    if (eventIds.isEmpty() || size == 0) {
      return Map.of();
    }
    return read("proving events' inclusion", c -> {
      Map<UUID, Long> leaves = new HashMap<>();
      LogLeaves.indexesOf(c, eventIds).forEach((id, index) -> {
        if (index < size) {
          leaves.put(id, index);
        }
      });
      Map<UUID, List<TreeRange>> paths = new HashMap<>();
      Set<NodeId> ids = new LinkedHashSet<>();
      leaves.forEach((id, index) -> {
        List<TreeRange> ranges = ProofPaths.inclusion(index, size);
        paths.put(id, ranges);
        ranges.forEach(r -> ids.addAll(r.nodes()));
        ids.add(new NodeId(0, index)); // the leaf itself, as the log holds it
      });
      Map<NodeId, byte[]> nodeHashes = nodes.read(c, new ArrayList<>(ids));
      Map<UUID, InclusionProof> proofs = new HashMap<>();
      leaves.forEach((id, index) -> proofs.put(id, new InclusionProof(index, nodeHashes.get(new NodeId(0, index)),
          hashes(paths.get(id), nodeHashes))));
      return proofs;
    });
  }

  /** The hashes of a tile, concatenated; the caller has checked that the signed tree holds it. */
  public byte[] tile(Tile tile) {
    return read("reading a tile", c -> {
      byte[] hashes = new byte[tile.width() * MerkleHashes.SIZE];
      int n = 0;
      if (tile.level() == 0) {
        long first = tile.firstNode();
        Map<Long, byte[]> leaves = LogLeaves.hashes(c, LongStream.range(first, first + tile.width()).boxed().toList());
        for (long i = first; leaves.containsKey(i); i++) {
          System.arraycopy(leaves.get(i), 0, hashes, n++ * MerkleHashes.SIZE, MerkleHashes.SIZE);
        }
      } else {
        // A level-k tile holds the stored nodes of tree level 8k.
        try (PreparedStatement ps = c.prepareStatement("SELECT hash FROM log_nodes WHERE level = ?"
            + " AND node_index >= ? AND node_index < ? ORDER BY node_index")) {
          ps.setShort(1, (short) tile.treeLevel());
          ps.setLong(2, tile.firstNode());
          ps.setLong(3, tile.firstNode() + tile.width());
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              System.arraycopy(rs.getBytes(1), 0, hashes, n++ * MerkleHashes.SIZE, MerkleHashes.SIZE);
            }
          }
        }
      }
      if (n != tile.width()) {
        throw new IllegalStateException("the log stores " + n + " of the " + tile.width() + " hashes of " + tile.path()
            + ": its tables are incomplete");
      }
      return hashes;
    });
  }

  /** The leaf of an event, once integrated. */
  public Optional<Leaf> leafOf(UUID eventId) {
    return read("finding an event's leaf", c -> {
      Long index = LogLeaves.indexesOf(c, List.of(eventId)).get(eventId);
      return index == null ? Optional.<Leaf>empty() : LogLeaves.range(c, index, index + 1).stream().findFirst();
    });
  }

  /** The leaf at {@code index}, if the tree has one there. */
  public Optional<Leaf> leafAt(long index) {
    return read("reading a leaf", c -> LogLeaves.range(c, index, index + 1).stream().findFirst());
  }

  /** The event a leaf is, as stored now; empty once purged. */
  public Optional<StoredEvent> event(Leaf leaf) {
    return read("reading a leaf's event", c -> events(c, List.of(leaf)).values().stream().findFirst());
  }

  /** Leaves {@code [start, end)} with their events as stored now. */
  public List<Entry> entries(long start, long end) {
    return read("reading the log's entries", c -> {
      List<Leaf> leaves = LogLeaves.range(c, start, end);
      Map<UUID, StoredEvent> events = events(c, leaves);
      return leaves.stream().map(l -> new Entry(l, events.get(l.eventId()))).toList();
    });
  }

  private static Map<UUID, StoredEvent> events(Connection c, List<Leaf> leaves) throws SQLException {
    return storedEvents(c, leaves.stream().map(Leaf::eventId).toList(), leaves.stream().map(Leaf::eventDate).toList());
  }

  /** The stored events of these keys (event ids with their dates, in pairs), by id; purged ones are absent. */
  static Map<UUID, StoredEvent> storedEvents(Connection c, List<UUID> ids, List<LocalDate> dates) throws SQLException {
    Map<UUID, StoredEvent> events = new HashMap<>();
    if (ids.isEmpty()) {
      return events;
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT " + StoredEvent.COLUMNS + " FROM audit_events"
        + " WHERE (event_id, event_date) IN (SELECT * FROM unnest(?::uuid[], ?::date[]))")) {
      ps.setArray(1, c.createArrayOf("uuid", ids.toArray()));
      ps.setArray(2, c.createArrayOf("text", dates.stream().map(LocalDate::toString).toArray()));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          StoredEvent e = StoredEvent.read(rs);
          events.put(e.event().eventId(), e);
        }
      }
    }
    return events;
  }

  private interface Read<T> {
    T run(Connection c) throws SQLException;
  }

  private <T> T read(String what, Read<T> read) {
    try (Connection c = database.readConnection()) {
      return read.run(c);
    } catch (SQLException e) {
      throw database.readFailure(what, e);
    }
  }
}
