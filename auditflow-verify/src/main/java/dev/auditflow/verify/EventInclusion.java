package dev.auditflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NoteKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * Checks an event's inclusion proof offline, as {@code auditflow log prove} writes it
 * (docs/LOG.md): the checkpoint's signature, the event as stored recomputed to its leaf, the path
 * to the signed root. When the trail spans shards (docs/SCALE.md) the proof has two steps: the
 * event's leaf in its shard's tree, whose checkpoint — signed by the same key under the shard's
 * origin — is carried by a server record that is a leaf of the root log, whose checkpoint is the
 * one given. Every hash is recomputed here; nothing the server says is taken on trust.
 */
public final class EventInclusion {
  /** The server record type that carries a shard's checkpoint into the root log. */
  public static final String SHARD_CHECKPOINT_RECORD = "auditflow.log.shard_checkpoint";

  /**
   * What a proof proved.
   *
   * @param shard the event's shard, or null when it is a leaf of the root log itself
   * @param shardSize the shard tree's size the event is proven in (0 without a shard)
   * @param purged whether the event's row is gone and it was proven by its leaf hash alone
   */
  public record Proven(String eventId, long leafIndex, String shard, long shardSize, long rootSize, boolean purged) {
    public String describe() {
      String where = shard == null ? "leaf " + leafIndex + " of the " + rootSize + "-leaf log signed in its checkpoint"
          : "leaf " + leafIndex + " of shard " + shard + "'s " + shardSize + "-leaf log, whose checkpoint is in the "
              + rootSize + "-leaf root log signed in its checkpoint";
      return "event " + eventId + " is " + where + (purged ? " (its row is purged: proven by its leaf hash alone)" : "");
    }
  }

  private EventInclusion() {}

  /**
   * @param proof the proof object, {@code checkpoint} (the root's signed note) among its fields
   * @param rootKey the verifier key of the root log (the one log without shards)
   * @throws LogProofException naming the first thing that does not hold
   */
  public static Proven check(JsonNode proof, NoteKey rootKey) throws LogProofException {
    Checkpoint root = Checkpoint.verified(proof.path("checkpoint").asText(), rootKey);
    JsonNode rootStep = proof.path("root");
    if (rootStep.isMissingNode()) {
      long size = proof.path("tree_size").asLong();
      if (size != root.size()) {
        throw new LogProofException("the proof is for a tree of " + size + " leaves, its checkpoint for " + root.size());
      }
      boolean purged = leafIn(proof, proof.path("event"), root);
      return new Proven(proof.path("event_id").asText(), proof.path("leaf_index").asLong(), null, 0, root.size(),
          purged);
    }
    String shard = proof.path("shard").asText();
    Checkpoint shardCheckpoint = shardCheckpoint(shard, proof.path("shard_checkpoint").asText(), rootStep, root,
        rootKey.publicKey());
    long shardSize = proof.path("tree_size").asLong();
    if (shardSize != shardCheckpoint.size()) {
      throw new LogProofException("the proof is for a shard tree of " + shardSize + " leaves, its checkpoint for "
          + shardCheckpoint.size());
    }
    boolean purged = leafIn(proof, proof.path("event"), shardCheckpoint);
    return new Proven(proof.path("event_id").asText(), proof.path("leaf_index").asLong(), shard, shardSize, root.size(),
        purged);
  }

  /**
   * A shard's checkpoint, shown to be what the root log holds for it: carried by a server record
   * that hashes to its leaf, on its path to {@code root}'s tree; and signed by the same key as the
   * root, under the shard's own origin.
   *
   * @param rootStep {@code {"leaf_index","tree_size","leaf_hash","inclusion_path","record"}}
   * @throws LogProofException naming the first thing that does not hold
   */
  static Checkpoint shardCheckpoint(String shard, String shardNote, JsonNode rootStep, Checkpoint root, PublicKey key)
      throws LogProofException {
    if (rootStep.path("tree_size").asLong() != root.size()) {
      throw new LogProofException("the root step is for a tree of " + rootStep.path("tree_size").asLong()
          + " leaves, the root checkpoint for " + root.size());
    }
    JsonNode record = rootStep.path("record");
    if (record.isNull() || record.isMissingNode()) {
      throw new LogProofException("the root step carries no record: shard " + shard + "'s checkpoint cannot be shown");
    }
    leafIn(rootStep, record, root);
    if (!SHARD_CHECKPOINT_RECORD.equals(record.path("event_type").asText())
        || !shard.equals(record.path("event_data").path("shard").asText())
        || !shardNote.equals(record.path("event_data").path("checkpoint").asText())) {
      throw new LogProofException("the root log's record is not shard " + shard + "'s checkpoint of this proof");
    }
    return Checkpoint.verified(shardNote, NoteKey.of(Checkpoint.parse(shardNote).origin(), key));
  }

  /**
   * The step's leaf (recomputed from {@code event} when it is there) on its path to {@code
   * checkpoint}'s root.
   *
   * @return whether the event was absent (purged) and the leaf hash stood alone
   */
  static boolean leafIn(JsonNode step, JsonNode event, Checkpoint checkpoint) throws LogProofException {
    byte[] leaf = Base64.getDecoder().decode(step.path("leaf_hash").asText());
    boolean purged = event.isNull() || event.isMissingNode();
    if (!purged) {
      byte[] recomputed;
      try {
        recomputed = MerkleHashes.leaf(CanonicalForm.ofExported(event));
      } catch (RuntimeException e) {
        throw new LogProofException("the event cannot be hashed: " + e.getMessage());
      }
      if (!Arrays.equals(recomputed, leaf)) {
        throw new LogProofException("event " + event.path("event_id").asText() + " as stored now does not hash to"
            + " leaf " + step.path("leaf_index").asLong() + ": it was changed after it was logged");
      }
    }
    LogProofs.verifyInclusion(leaf, step.path("leaf_index").asLong(), checkpoint.size(), hashes(step.path("inclusion_path")),
        checkpoint.rootHash());
    return purged;
  }

  private static List<byte[]> hashes(JsonNode array) {
    List<byte[]> hashes = new ArrayList<>();
    array.forEach(h -> hashes.add(Base64.getDecoder().decode(h.asText())));
    return hashes;
  }
}
