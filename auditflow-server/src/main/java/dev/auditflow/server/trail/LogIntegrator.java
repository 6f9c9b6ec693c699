package dev.auditflow.server.trail;

import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NodeId;
import dev.auditflow.server.db.Database;
import dev.auditflow.server.db.SqlFailures;
import dev.auditflow.server.db.Transactions;
import dev.auditflow.verify.CanonicalForm;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives queued events their leaf indices, stores the tree's new nodes and signs a checkpoint of
 * the grown tree — all in one transaction per round, so a crash mid-round leaves the log as it
 * was and the next round (on any instance) starts where it ends. Rounds of several instances
 * serialise on the {@code log_state} row: an instance that finds it locked skips its round.
 */
final class LogIntegrator {
  private static final Logger log = LoggerFactory.getLogger(LogIntegrator.class);

  private static final String LOCK_STATE =
      "SELECT origin, tree_size, checkpoint IS NULL FROM log_state FOR UPDATE SKIP LOCKED";
  private static final String HAS_WORK =
      "SELECT EXISTS (SELECT 1 FROM log_batches WHERE first_leaf IS NULL) OR (SELECT checkpoint IS NULL FROM log_state)";
  /**
   * Queued batches in order. A linked batch's integration needs only its leaf hashes, packed; the
   * ids and dates — arrays the driver parses element by element — are read only for batches whose
   * events get log_leaves rows.
   */
  private static final String NEXT =
      """
      SELECT seq, events_linked, queued_at, cardinality(event_ids), leaf_hashes_packed,
             CASE WHEN NOT events_linked THEN event_ids END,
             CASE WHEN NOT events_linked THEN event_dates END,
             CASE WHEN NOT events_linked THEN leaf_hashes END
      FROM log_batches WHERE first_leaf IS NULL ORDER BY seq LIMIT ?
      """;
  private static final String SAVE_STATE = "UPDATE log_state SET tree_size = ?, checkpoint = ?";

  private final Database database;
  private final TreeNodes nodes;
  private final CheckpointSigner signer;
  private final int maxLeaves;
  private final boolean replicatedCheckpoints;
  private final Clock clock;
  private final Timer delay;
  private final AtomicLong treeSize = new AtomicLong();
  private final Counter tampering;
  /**
   * The right edge of the tree as this instance last committed it. Each round reads the stored
   * edge (at most 63 nodes) and compares: at the same size, a difference means the nodes were
   * rewritten in the database; a smaller stored tree means leaves were removed. Either way this
   * instance will not sign what it knows to be forged — in this round or any later one.
   */
  private CompactRange edge;

  /** @param tags its meters' tags: none for the one database, its shard's name when the trail spans several */
  LogIntegrator(Database database, CheckpointSigner signer, int maxLeaves, boolean replicatedCheckpoints, Tags tags,
      MeterRegistry registry, Clock clock) {
    this.database = database;
    this.nodes = new TreeNodes();
    this.signer = signer;
    this.maxLeaves = maxLeaves;
    this.replicatedCheckpoints = replicatedCheckpoints;
    this.clock = clock;
    this.delay = Timer.builder("auditflow.log.integration.delay")
        .description("from an event's commit (its queueing, a moment before) to the signed checkpoint that holds it")
        .publishPercentileHistogram()
        .maximumExpectedValue(Duration.ofSeconds(30))
        .tags(tags)
        .register(registry);
    registry.gauge("auditflow.log.tree.size", tags, treeSize);
    this.tampering = Counter.builder("auditflow.log.tampering.detected")
        .description("rounds refused because the stored tree differs from the one this instance signed")
        .tags(tags)
        .register(registry);
    if (replicatedCheckpoints) {
      warnWithoutSynchronousStandby();
    }
  }

  /**
   * Replicated checkpoints with no synchronous standby named sign local state only — after a
   * failover, or before the standby is set up — which the operator must know.
   */
  private void warnWithoutSynchronousStandby() {
    try (Connection c = database.connection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW synchronous_standby_names")) {
      if (rs.next() && rs.getString(1).isBlank()) {
        log.warn("log_checkpoints_unreplicated: --replicated-checkpoints is on but the database names no"
            + " synchronous standby (synchronous_standby_names is empty): checkpoints are signed over local"
            + " state until one is set");
      }
    } catch (SQLException | RuntimeException e) {
      log.warn("log: cannot read synchronous_standby_names to check --replicated-checkpoints: {}", e.getMessage());
    }
  }

  /**
   * Integrates queued events — whole batches, until the round's limit — and signs the grown tree. Signs the
   * empty tree once, so a checkpoint exists from the start.
   */
  public synchronized TransparencyLog.Round integrate() {
    Integrated done;
    try (Connection c = database.connection()) {
      if (!hasWork(c)) {
        return new TransparencyLog.Round(0, treeSize.get(), false);
      }
      done = Transactions.inTransaction(c, "log integration", this::round);
    } catch (SQLException e) {
      // The memory of the signed tree stays, whatever failed: a rolled-back round left the stored
      // tree as it was, and one whose commit may have happened left it larger, which is no alarm.
      throw SqlFailures.translate("integrating the log", e);
    }
    if (done.range() != null) {
      edge = done.range();
      treeSize.set(done.range().size());
      Instant signed = clock.instant();
      for (QueuedBatch batch : done.appended()) {
        Duration waited = Duration.between(batch.queuedAt(), signed);
        for (int i = 0; i < batch.size(); i++) {
          delay.record(waited); // per event, as the metric is described
        }
      }
    }
    return done.round();
  }

  /**
   * Whether a round has anything to do: one auto-commit read, so that an idle integrator polling
   * every interval costs the database a cheap query and no transaction.
   */
  private static boolean hasWork(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(HAS_WORK); ResultSet rs = ps.executeQuery()) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** A round's result, and what to keep once it committed: the new edge, the integrated events. */
  private record Integrated(TransparencyLog.Round round, CompactRange range, List<QueuedBatch> appended) {}

  private Integrated round(Connection c) throws SQLException {
    if (replicatedCheckpoints) {
      // The round's commit — and with it the new checkpoint's visibility — waits until the
      // synchronous standby has applied it: PostgreSQL makes a transaction visible only after its
      // synchronous-replication wait. Without a synchronous standby this is a local commit.
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL synchronous_commit = remote_apply");
      }
    }
    String origin;
    long size;
    boolean unsigned;
    try (PreparedStatement ps = c.prepareStatement(LOCK_STATE); ResultSet rs = ps.executeQuery()) {
      if (!rs.next()) {
        return new Integrated(new TransparencyLog.Round(0, treeSize.get(), true), null, List.of());
      }
      origin = rs.getString(1);
      size = rs.getLong(2);
      unsigned = rs.getBoolean(3);
    }
    List<QueuedBatch> queued = next(c);
    if (queued.isEmpty() && !unsigned) {
      treeSize.set(size);
      return new Integrated(new TransparencyLog.Round(0, size, false), null, List.of());
    }
    CompactRange range = nodes.edge(c, size);
    if (edge != null && edge.size() > size) {
      tampering.increment();
      throw new LogTamperedException("the stored log has " + size + " leaves but this instance integrated "
          + edge.size() + ": leaves were deleted behind the service's back; refusing to sign it");
    }
    if (edge != null && edge.size() == size && !Arrays.equals(edge.root(), range.root())) {
      tampering.increment();
      throw new LogTamperedException("the stored log of " + size + " leaves has root " + b64(range.root())
          + " but this instance integrated it with root " + b64(edge.root())
          + ": its nodes were changed behind the service's back; refusing to sign it");
    }
    Map<UUID, byte[]> backfilled = backfill(c, queued);
    List<NodeId> ids = new ArrayList<>();
    List<byte[]> hashes = new ArrayList<>();
    CompactRange.NodeSink sink = (id, hash) -> {
      ids.add(id);
      hashes.add(hash);
    };
    long appended = 0;
    List<Long> batches = new ArrayList<>();
    List<Long> firstLeaves = new ArrayList<>();
    List<LogLeaves.SingleLeaf> singles = new ArrayList<>();
    List<Long> unlinked = new ArrayList<>();
    for (QueuedBatch batch : queued) {
      if (batch.linked()) {
        batches.add(batch.seq());
        firstLeaves.add(range.size());
        for (int k = 0; k < batch.size(); k++) {
          range.append(Arrays.copyOfRange(batch.hashes(), k * MerkleHashes.SIZE, (k + 1) * MerkleHashes.SIZE), sink);
        }
        appended += batch.size();
        continue;
      }
      unlinked.add(batch.seq());
      for (Queued q : batch.unlinked()) {
        byte[] leaf = q.leafHash() != null ? q.leafHash() : backfilled.get(q.eventId());
        if (leaf == null) {
          log.warn("log: event {} was queued before the log existed and is gone (purged) before it could be"
              + " integrated; it has no leaf", q.eventId());
          continue;
        }
        singles.add(new LogLeaves.SingleLeaf(
            new TransparencyLog.Leaf(range.size(), q.eventId(), q.eventDate(), leaf), batch.queuedAt()));
        range.append(leaf, sink);
        appended++;
      }
    }
    Instant now = clock.instant();
    nodes.insert(c, ids, hashes);
    LogLeaves.integrateBatches(c, batches, firstLeaves, now);
    LogLeaves.integrateUnlinked(c, singles, unlinked, now);
    Checkpoint checkpoint = new Checkpoint(origin, range.size(), range.root());
    try (PreparedStatement ps = c.prepareStatement(SAVE_STATE)) {
      ps.setLong(1, range.size());
      ps.setString(2, signer.sign(checkpoint));
      ps.executeUpdate();
    }
    return new Integrated(new TransparencyLog.Round(appended, range.size(), false), range, queued);
  }

  private static String b64(byte[] hash) {
    return Base64.getEncoder().encodeToString(hash);
  }

  /** An event of a batch queued before V18; its leaf hash is null if it was stored before the log existed. */
  private record Queued(UUID eventId, LocalDate eventDate, byte[] leafHash) {}

  /**
   * A queued batch of {@code size} events. Linked (its events' id rows name it): its leaf hashes,
   * concatenated. Queued before V18: its events, which get log_leaves rows.
   */
  private record QueuedBatch(long seq, boolean linked, Instant queuedAt, int size, byte[] hashes, List<Queued> unlinked) {}

  /** Queued batches in queue order, whole, until the round's limit of events is reached. */
  private List<QueuedBatch> next(Connection c) throws SQLException {
    List<QueuedBatch> queued = new ArrayList<>();
    int events = 0;
    try (PreparedStatement ps = c.prepareStatement(NEXT)) {
      ps.setInt(1, maxLeaves);
      ps.setFetchSize(16);
      try (ResultSet rs = ps.executeQuery()) {
        while (events < maxLeaves && rs.next()) {
          boolean linked = rs.getBoolean(2);
          Instant queuedAt = rs.getObject(3, OffsetDateTime.class).toInstant();
          int size = rs.getInt(4);
          queued.add(linked
              ? new QueuedBatch(rs.getLong(1), true, queuedAt, size, rs.getBytes(5), List.of())
              : new QueuedBatch(rs.getLong(1), false, queuedAt, size, null, unlinkedEvents(rs)));
          events += size;
        }
      }
    }
    return queued;
  }

  private static List<Queued> unlinkedEvents(ResultSet rs) throws SQLException {
    Object[] ids = (Object[]) rs.getArray(6).getArray();
    Object[] dates = (Object[]) rs.getArray(7).getArray();
    java.sql.Array hashArray = rs.getArray(8);
    Object[] hashes = hashArray == null ? null : (Object[]) hashArray.getArray();
    List<Queued> events = new ArrayList<>(ids.length);
    for (int i = 0; i < ids.length; i++) {
      events.add(new Queued((UUID) ids[i], ((java.sql.Date) dates[i]).toLocalDate(),
          hashes == null ? null : (byte[]) hashes[i]));
    }
    return events;
  }

  /** The leaf hashes of events queued without one (stored before the log existed), from their rows. */
  private static Map<UUID, byte[]> backfill(Connection c, List<QueuedBatch> queued) throws SQLException {
    List<Queued> missing = queued.stream().flatMap(b -> b.unlinked().stream()).filter(q -> q.leafHash() == null).toList();
    Map<UUID, byte[]> leaves = new HashMap<>();
    PostgresLog.storedEvents(c, missing.stream().map(Queued::eventId).toList(),
        missing.stream().map(Queued::eventDate).toList()).forEach((id, row) -> leaves.put(id, leafHash(row)));
    return leaves;
  }

  /** A stored event's leaf hash: RFC 6962's leaf hash of its canonical form (docs/CHAIN.md). */
  public static byte[] leafHash(StoredEvent row) {
    return MerkleHashes.leaf(CanonicalForm.of(row.event(), row.chainPosition(), row.eventDate(), row.receivedAt(),
        row.ingestedBy()));
  }
}
