package dev.auditflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.api.log.SignedNote;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The verifiable log's part of checking an export offline: the header's checkpoint is signed by
 * the export's own key (as a note named for the log's origin), and each event that carries a
 * proof hashes to its leaf — unless redacted — and is included in that checkpoint's tree. With
 * shards (docs/SCALE.md), the header also carries each shard's checkpoint with its step into the
 * root's tree, and an event's proof names its shard: it is checked against that shard's checkpoint.
 */
final class ExportLogCheck {
  private final PublicKey publicKey;
  private Checkpoint checkpoint;
  /** With shards (docs/SCALE.md): each shard's checkpoint the header carries, shown to be in the root's tree. */
  private final Map<String, Checkpoint> shards = new HashMap<>();
  /** The header's checkpoint did not verify: reported once there, not again for every event. */
  private boolean checkpointInvalid;
  private long proven;

  ExportLogCheck(PublicKey publicKey) {
    this.publicKey = publicKey;
  }

  /** Reads the header's checkpoint; returns what is wrong with it, or null (also when the export has none). */
  String header(JsonNode header) {
    JsonNode note = header.path("log").path("checkpoint");
    if (!note.isTextual()) {
      return null;
    }
    try {
      String origin = Checkpoint.parse(SignedNote.parse(note.asText()).text()).origin();
      checkpoint = Checkpoint.verified(note.asText(), NoteKey.of(origin, publicKey));
    } catch (LogProofException | IllegalArgumentException e) {
      checkpointInvalid = true;
      return "the header's log checkpoint does not verify with the export's key: " + e.getMessage();
    }
    for (var shard : header.path("log").path("shards").properties()) {
      JsonNode step = shard.getValue();
      try {
        Checkpoint taken = EventInclusion.shardCheckpoint(shard.getKey(), step.path("checkpoint").asText(),
            step.path("root"), checkpoint, publicKey);
        if (taken.size() != step.path("tree_size").asLong()) {
          throw new LogProofException("its tree_size " + step.path("tree_size").asLong() + " is not its checkpoint's "
              + taken.size());
        }
        shards.put(shard.getKey(), taken);
      } catch (LogProofException | IllegalArgumentException e) {
        checkpointInvalid = true;
        return "the header's checkpoint of shard " + shard.getKey() + " is not shown in the root log: " + e.getMessage();
      }
    }
    return null;
  }

  /** Checks an event line's proof; returns what is wrong, or null (also when it carries none). */
  String event(JsonNode line) {
    JsonNode proof = line.get("log");
    if (proof == null || checkpointInvalid) {
      return null;
    }
    String eventId = line.path("event").path("event_id").asText();
    if (checkpoint == null) {
      return "event " + eventId + " carries a log proof, but the export has no valid checkpoint to check it against";
    }
    byte[] leaf = Base64.getDecoder().decode(proof.path("leaf_hash").asText());
    long index = proof.path("leaf_index").asLong();
    if (!line.has("redacted")) {
      try {
        if (!Arrays.equals(MerkleHashes.leaf(CanonicalForm.ofExported(line.get("event"))), leaf)) {
          return "event " + eventId + " does not hash to its log leaf " + index + ": it was changed after it was logged";
        }
      } catch (RuntimeException e) {
        return "event " + eventId + " cannot be hashed: " + e.getMessage();
      }
    }
    List<byte[]> path = new ArrayList<>();
    proof.path("inclusion_path").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
    String shard = proof.path("shard").asText(null);
    Checkpoint tree = shard == null ? checkpoint : shards.get(shard);
    if (tree == null) {
      return "event " + eventId + "'s log proof is in shard " + shard + "'s log, whose checkpoint the header does not"
          + " carry";
    }
    try {
      LogProofs.verifyInclusion(leaf, index, tree.size(), path, tree.rootHash());
    } catch (LogProofException e) {
      return "event " + eventId + ": " + e.getMessage();
    }
    proven++;
    return null;
  }

  /** Events whose inclusion in the checkpoint's tree was verified. */
  long proven() {
    return proven;
  }

  /** The checkpoint's tree size, or -1 when the export has none. */
  long treeSize() {
    return checkpoint == null ? -1 : checkpoint.size();
  }
}
