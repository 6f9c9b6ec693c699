package dev.auditflow.server.shard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.Tile;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.CheckpointSigner;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.InclusionProof;
import dev.auditflow.server.trail.LogTamperedException;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.trail.ServerRecord;
import dev.auditflow.server.trail.ServerVocabulary;
import dev.auditflow.server.trail.ShardInclusion;
import dev.auditflow.server.trail.ShardStep;
import dev.auditflow.server.trail.StoredEvent;
import dev.auditflow.server.trail.TransparencyLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The root log over the shards' logs (docs/SCALE.md, "One log per shard, and a root"). Each shard
 * keeps its own verifiable log of its own events, under its own origin. The root is the home
 * database's log: each round it takes every shard's newest signed checkpoint — once it has checked
 * it against the last one it took, by the shard's consistency proof — and stores it as a server
 * record in chain {@code auditflow:shard:<name>}, which the home log integrates as a leaf and signs.
 * Witnesses watch the root's checkpoint; an event on a shard is proven leaf → shard checkpoint →
 * root checkpoint ({@link #throughShard}).
 *
 * <p>A shard checkpoint that does not extend the last one taken — a smaller tree, another root at
 * the same size, no valid consistency proof, another origin — is refused: logged at ERROR, counted
 * ({@code auditflow_shard_log_refused_total}), and never taken, so the root's witnesses never see
 * the fork as history. The shard's events keep being stored and read; its new events are not
 * provable through the root until an operator has looked.
 */
public final class RootLog implements TransparencyLog {
  private static final Logger log = LoggerFactory.getLogger(RootLog.class);
  /** The type of the record that carries a shard's checkpoint into the root log. */
  public static final String TAKEN = ServerVocabulary.TYPE_PREFIX + "log.shard_checkpoint";
  private static final String LAST_TAKEN =
      "SELECT origin, tree_size, root_hash, record_id FROM shard_logs WHERE shard = ?";
  private static final String FIRST_TAKEN =
      "INSERT INTO shard_logs (shard, origin, tree_size, root_hash, checkpoint, record_id, taken_at)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (shard) DO NOTHING";
  private static final String NEXT_TAKEN = "UPDATE shard_logs SET tree_size = ?, root_hash = ?, checkpoint = ?,"
      + " record_id = ?, taken_at = ? WHERE shard = ? AND tree_size = ?";

  private final AuditTrail home;
  private final Map<String, AuditTrail> shards;
  private final CheckpointSigner signer;
  private final Clock clock;
  private final MeterRegistry registry;
  /** The shards whose last checkpoint was refused, with why: what an operator must look at. */
  private final Map<String, String> refused = new ConcurrentHashMap<>();
  /**
   * Each shard's signed checkpoint this node last found taken, verbatim: while the shard signs
   * nothing new, a round asks the catalog nothing (a round runs every 200 ms).
   */
  private final Map<String, String> knownTaken = new ConcurrentHashMap<>();
  /** The shards whose last round failed (down, most likely): logged once per outage. */
  private final Set<String> failing = ConcurrentHashMap.newKeySet();

  /** @param shards the shards other than home, by name */
  RootLog(AuditTrail home, Map<String, AuditTrail> shards, CheckpointSigner signer, MeterRegistry registry,
      Clock clock) {
    this.home = home;
    this.shards = Map.copyOf(shards);
    this.signer = signer;
    this.clock = clock;
    this.registry = registry;
    Gauge.builder("auditflow.shard.log.forked", refused, Map::size)
        .description("Shards whose newest checkpoint the root log refused: it does not extend the last one taken")
        .register(registry);
  }

  public static String chainOf(String shard) {
    return ServerVocabulary.SERVER_CHAIN_PREFIX + "shard:" + shard;
  }

  /** The shards whose newest checkpoint was refused, with the reason. */
  public Map<String, String> refused() {
    return Map.copyOf(refused);
  }

  /**
   * One round: each shard's own integration, then its newest checkpoint taken into the root, then
   * the root's integration — so a commit on a shard is in a signed root checkpoint one round later.
   * A shard that fails its round is skipped, its events waiting; the others go on.
   */
  @Override
  public Round integrate() {
    long busiest = 0;
    for (Map.Entry<String, AuditTrail> shard : shards.entrySet()) {
      try {
        busiest = Math.max(busiest, shard.getValue().log().integrate().integrated());
        take(shard.getKey(), shard.getValue().log());
        if (failing.remove(shard.getKey())) {
          log.info("shard log works again shard={}", shard.getKey());
        }
      } catch (LogTamperedException e) {
        if (failing.add(shard.getKey())) {
          log.error("shard log integration refused shard={}: {}", shard.getKey(), e.getMessage());
        }
      } catch (RuntimeException e) {
        if (failing.add(shard.getKey())) {
          log.warn("shard log round failed shard={} error=\"{}\"; its events wait, the other shards go on",
              shard.getKey(), e.getMessage());
        }
      }
    }
    Round root = home.log().integrate();
    return new Round(Math.max(busiest, root.integrated()), root.treeSize(), root.skipped());
  }

  /** What the root took of a shard last. */
  private record Taken(String origin, long size, byte[] rootHash) {}

  /** Takes the shard's newest checkpoint if it extends the last one taken; refuses it otherwise. */
  private void take(String shard, TransparencyLog shardLog) {
    State state = shardLog.state();
    if (state.checkpoint() == null || state.checkpoint().equals(knownTaken.get(shard))) {
      return;
    }
    Optional<Taken> last = lastTaken(shard);
    if (last.isPresent() && last.get().size() == state.size()) {
      Checkpoint same = parse(state.checkpoint());
      if (same != null && Arrays.equals(same.rootHash(), last.get().rootHash())) {
        knownTaken.put(shard, state.checkpoint());
        refused.remove(shard);
        return; // nothing new
      }
    }
    String why = whyNot(shardLog, state, last.orElse(null));
    if (why != null) {
      if (!why.equals(refused.put(shard, why))) {
        log.error("shard log refused shard={} tree_size={}: {}; its new events are not provable through the root"
            + " log until an operator looks (docs/SCALE.md)", shard, state.size(), why);
      }
      Counter.builder("auditflow.shard.log.refused").description("Shard checkpoints the root log refused")
          .tag("shard", shard).register(registry).increment();
      return;
    }
    refused.remove(shard);
    Checkpoint checkpoint = parse(state.checkpoint());
    Instant now = clock.instant();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("shard", shard);
    data.put("origin", checkpoint.origin());
    data.put("tree_size", checkpoint.size());
    data.put("root_hash", Base64.getEncoder().encodeToString(checkpoint.rootHash()));
    data.put("checkpoint", state.checkpoint());
    AuditEvent record = new ServerRecord(TAKEN, "take", chainOf(shard), ServerRecord.Actor.SERVER,
        new ServerRecord.Resource("shard_log", shard, checkpoint.origin()), data).toEvent(now);
    home.appendWith("taking shard " + shard + "'s checkpoint", now, (tx, appender) -> {
      if (!moveTaken(tx, shard, last.orElse(null), checkpoint, state.checkpoint(), record.eventId(), now)) {
        return null; // another node took it (or a later one) first
      }
      appender.append(List.of(record), ServerRecord.Actor.SERVER.id());
      return null;
    });
    knownTaken.put(shard, state.checkpoint());
  }

  /** Why the shard's checkpoint cannot be taken after {@code last}; null when it can. */
  private String whyNot(TransparencyLog shardLog, State state, Taken last) {
    Checkpoint checkpoint;
    try {
      checkpoint = Checkpoint.verified(state.checkpoint(), signer.noteKey(state.origin()));
    } catch (LogProofException e) {
      return "its checkpoint does not verify with this server's key: " + e.getMessage();
    }
    if (last == null) {
      return null;
    }
    if (!checkpoint.origin().equals(last.origin())) {
      return "its origin is " + checkpoint.origin() + ", the root took " + last.origin() + " before";
    }
    if (checkpoint.size() < last.size()) {
      return "its tree has " + checkpoint.size() + " leaves, fewer than the " + last.size() + " the root took";
    }
    if (checkpoint.size() == last.size()) {
      return "its tree of " + last.size() + " leaves has another root than the one the root log took";
    }
    if (last.size() == 0) {
      return null;
    }
    try {
      LogProofs.verifyConsistency(last.size(), checkpoint.size(), shardLog.consistency(last.size(), checkpoint.size()),
          last.rootHash(), checkpoint.rootHash());
    } catch (LogProofException e) {
      return "its tree of " + checkpoint.size() + " leaves does not extend the " + last.size() + " the root took: "
          + e.getMessage();
    }
    return null;
  }

  private static Checkpoint parse(String note) {
    try {
      return Checkpoint.parse(note);
    } catch (LogProofException e) {
      return null;
    }
  }

  /** The shard checkpoint the root took last, as the catalog holds it (another node may have taken it). */
  private Optional<Taken> lastTaken(String shard) {
    return home.appendWith("reading shard " + shard + "'s last checkpoint", clock.instant(),
        (tx, appender) -> lastTaken(tx, shard));
  }

  private static Optional<Taken> lastTaken(Connection c, String shard) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(LAST_TAKEN)) {
      ps.setString(1, shard);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(new Taken(rs.getString(1), rs.getLong(2), rs.getBytes(3))) : Optional.empty();
      }
    }
  }

  /** Compare-and-set of the shard's row: false when another node moved it first. */
  private static boolean moveTaken(Connection c, String shard, Taken last, Checkpoint next, String note, UUID record,
      Instant now) throws SQLException {
    if (last == null) {
      try (PreparedStatement ps = c.prepareStatement(FIRST_TAKEN)) {
        ps.setString(1, shard);
        ps.setString(2, next.origin());
        ps.setLong(3, next.size());
        ps.setBytes(4, next.rootHash());
        ps.setString(5, note);
        ps.setObject(6, record);
        ps.setTimestamp(7, Timestamp.from(now));
        return ps.executeUpdate() == 1;
      }
    }
    try (PreparedStatement ps = c.prepareStatement(NEXT_TAKEN)) {
      ps.setLong(1, next.size());
      ps.setBytes(2, next.rootHash());
      ps.setString(3, note);
      ps.setObject(4, record);
      ps.setTimestamp(5, Timestamp.from(now));
      ps.setString(6, shard);
      ps.setLong(7, last.size());
      return ps.executeUpdate() == 1;
    }
  }

  // ---- Proofs through a shard

  /** The event's leaf in its shard's log, and the newest taken checkpoint of that shard covering it. */
  @Override
  public Optional<ShardInclusion> throughShard(UUID eventId, long size) {
    for (Map.Entry<String, AuditTrail> shard : shards.entrySet()) {
      TransparencyLog shardLog = shard.getValue().log();
      Optional<Leaf> leaf = shardLog.leafOf(eventId);
      if (leaf.isPresent()) {
        return step(shard.getKey(), size, leaf.get().index() + 1).map(step -> new ShardInclusion(step, leaf.get(),
            shardLog.inclusion(leaf.get().index(), step.shardSize()), shardLog.event(leaf.get()).orElse(null)));
      }
    }
    return Optional.empty();
  }

  @Override
  public Map<String, ShardStep> shardSteps(long size) {
    Map<String, ShardStep> steps = new LinkedHashMap<>();
    for (String shard : shards.keySet()) {
      step(shard, size, 1).ifPresent(step -> steps.put(shard, step));
    }
    return steps;
  }

  /**
   * The newest record of {@code shard}'s chain that is a leaf of the root's tree of {@code size}
   * leaves and carries a shard tree of at least {@code minShardSize} leaves. Records are read newest
   * first, a page at a time; the newest integrated one covers every event but those of the last
   * round or two.
   */
  private Optional<ShardStep> step(String shard, long size, long minShardSize) {
    EventFilter records = new EventFilter(Map.of("correlation_id", chainOf(shard), "event_type", TAKEN), null, null);
    var page = home.list(records, new Page(20, true, null));
    while (true) {
      for (JsonNode record : page.events()) {
        long shardSize = record.path("event_data").path("tree_size").asLong();
        if (shardSize < minShardSize) {
          return Optional.empty(); // older records carry smaller trees
        }
        Optional<Leaf> recordLeaf = home.log().leafOf(UUID.fromString(record.get("event_id").asText()));
        if (recordLeaf.isPresent() && recordLeaf.get().index() < size) {
          // A purged record's leaf alone cannot show which checkpoint it carried.
          return home.log().event(recordLeaf.get()).map(recordEvent -> new ShardStep(shard,
              record.path("event_data").path("checkpoint").asText(), shardSize, recordLeaf.get(),
              home.log().inclusion(recordLeaf.get().index(), size), recordEvent));
        }
      }
      if (!page.hasMore()) {
        return Optional.empty();
      }
      page = home.list(records, new Page(20, true, page.next()));
    }
  }

  @Override
  public Optional<TransparencyLog> shardLog(String shard) {
    return Optional.ofNullable(shards.get(shard)).map(AuditTrail::log);
  }

  // ---- The root's own tree: the home log's

  @Override
  public State state() {
    return home.log().state();
  }

  /**
   * The home log's queue, each shard's, and each shard's leaves that no checkpoint the root took
   * covers yet: only once the root has taken (and integrated) a shard checkpoint are its events
   * provable through the root — until then they are waiting, as a queued event is.
   */
  @Override
  public long queuedEvents() {
    long queued = home.log().queuedEvents();
    for (Map.Entry<String, AuditTrail> shard : shards.entrySet()) {
      TransparencyLog shardLog = shard.getValue().log();
      long taken = lastTaken(shard.getKey()).map(Taken::size).orElse(0L);
      queued += shardLog.queuedEvents() + Math.max(0, shardLog.state().size() - taken);
    }
    return queued;
  }

  @Override
  public List<byte[]> inclusion(long index, long size) {
    return home.log().inclusion(index, size);
  }

  @Override
  public List<byte[]> consistency(long first, long second) {
    return home.log().consistency(first, second);
  }

  /** The root's own leaves' proofs, and for events on a shard their proofs in the shard's tree of its step. */
  @Override
  public Map<UUID, InclusionProof> proofs(Collection<UUID> eventIds, long size) {
    Map<UUID, InclusionProof> proofs = new HashMap<>(home.log().proofs(eventIds, size));
    Set<UUID> rest = new HashSet<>(eventIds);
    rest.removeAll(proofs.keySet());
    if (rest.isEmpty()) {
      return proofs;
    }
    for (ShardStep step : shardSteps(size).values()) {
      shards.get(step.shard()).log().proofs(rest, step.shardSize())
          .forEach((id, proof) -> proofs.put(id, proof.inShard(step.shard())));
      rest.removeAll(proofs.keySet());
      if (rest.isEmpty()) {
        break;
      }
    }
    return proofs;
  }

  @Override
  public byte[] tile(Tile tile) {
    return home.log().tile(tile);
  }

  @Override
  public Optional<Leaf> leafOf(UUID eventId) {
    return home.log().leafOf(eventId);
  }

  @Override
  public Optional<Leaf> leafAt(long index) {
    return home.log().leafAt(index);
  }

  @Override
  public Optional<StoredEvent> event(Leaf leaf) {
    return home.log().event(leaf);
  }

  @Override
  public List<Entry> entries(long start, long end) {
    return home.log().entries(start, end);
  }
}
