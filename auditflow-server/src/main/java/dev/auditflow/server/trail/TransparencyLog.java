package dev.auditflow.server.trail;

import dev.auditflow.api.log.Tile;
import java.time.LocalDate;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The trail's verifiable log (RFC 9162 tree, C2SP checkpoints): the part of {@link AuditTrail}
 * that integrates stored events as leaves, signs the grown tree, and answers proofs from the
 * stored nodes.
 */
public interface TransparencyLog {
  /** The log's name, the size of its latest signed checkpoint, and that checkpoint (null before the first). */
  record State(String origin, long size, String checkpoint) {}

  /** A leaf: its index, the event it is, and its hash. */
  record Leaf(long index, UUID eventId, LocalDate eventDate, byte[] hash) {}

  /** A leaf with its event as stored now, or null once the event was purged. */
  record Entry(Leaf leaf, StoredEvent event) {}

  /** What one integration round did. */
  record Round(long integrated, long treeSize, boolean skipped) {}

  State state();

  /** Events committed but not yet given a leaf. */
  long queuedEvents();

  /**
   * Integrates queued events, up to the round's limit, and signs the grown tree (the empty tree
   * once, so a checkpoint exists from the start).
   *
   * @throws LogTamperedException when the stored tree differs from the one this instance signed
   */
  Round integrate();

  /** The inclusion proof of leaf {@code index} in the tree of {@code size} leaves (size ≤ the signed size). */
  List<byte[]> inclusion(long index, long size);

  /** The consistency proof between the trees of {@code first} and {@code second} leaves. */
  List<byte[]> consistency(long first, long second);

  /**
   * Inclusion proofs in the tree of {@code size} leaves for those of the events that are in it —
   * or, for events on a shard, in the shard's tree that {@link #shardSteps} gives for {@code size}.
   */
  Map<UUID, InclusionProof> proofs(Collection<UUID> eventIds, long size);

  /** The hashes of a tile, concatenated; the caller has checked that the signed tree holds it. */
  byte[] tile(Tile tile);

  /** The leaf of an event, once integrated. */
  Optional<Leaf> leafOf(UUID eventId);

  /** The leaf at {@code index}, if the tree has one there. */
  Optional<Leaf> leafAt(long index);

  /** The event a leaf is, as stored now; empty once purged. */
  Optional<StoredEvent> event(Leaf leaf);

  /** Leaves {@code [start, end)} with their events as stored now. */
  List<Entry> entries(long start, long end);

  /**
   * The path of an event that is not a leaf of this log but of a shard's, through the shard's
   * checkpoint taken into this log's tree of {@code size} leaves; empty for a log without shards,
   * and for an event no shard's taken checkpoint covers yet.
   */
  default Optional<ShardInclusion> throughShard(UUID eventId, long size) {
    return Optional.empty();
  }

  /**
   * Each shard's newest checkpoint in this log's tree of {@code size} leaves, by shard, with its
   * step into this tree; empty for a log without shards. {@link #proofs} of events on a shard lead
   * to these checkpoints.
   */
  default Map<String, ShardStep> shardSteps(long size) {
    return Map.of();
  }

  /** A shard's own log, by the shard's name; empty for a log without shards, or no such shard. */
  default Optional<TransparencyLog> shardLog(String shard) {
    return Optional.empty();
  }
}
