package dev.auditflow.server.trail;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard's checkpoint as the root log holds it (docs/SCALE.md): the server record that carries it,
 * a leaf of the root's tree, with its path to that tree's root. What turns a proof in the shard's
 * log into a proof in the root's.
 *
 * @param shardSize the size of the shard's tree the checkpoint signs
 * @param record the record as its leaf hashed it
 */
public record ShardStep(String shard, String checkpoint, long shardSize, TransparencyLog.Leaf recordLeaf,
    List<byte[]> recordPath, StoredEvent record) {

  /**
   * {@code {"checkpoint", "tree_size", "root": {"leaf_index", "tree_size", "leaf_hash",
   * "inclusion_path", "record"}}}, hashes in base64: what a verifier needs, nothing to ask again.
   *
   * @param rootSize the size of the root's tree the record's path leads into
   */
  public Map<String, Object> toJson(long rootSize) {
    Base64.Encoder b64 = Base64.getEncoder();
    Map<String, Object> root = new LinkedHashMap<>();
    root.put("leaf_index", recordLeaf.index());
    root.put("tree_size", rootSize);
    root.put("leaf_hash", b64.encodeToString(recordLeaf.hash()));
    root.put("inclusion_path", recordPath.stream().map(b64::encodeToString).toList());
    root.put("record", record.toSelfContainedJson());
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("checkpoint", checkpoint);
    json.put("tree_size", shardSize);
    json.put("root", root);
    return json;
  }
}
