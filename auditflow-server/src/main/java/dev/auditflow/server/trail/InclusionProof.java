package dev.auditflow.server.trail;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A leaf and the RFC 9162 path from it to the root of a tree of a given size.
 *
 * @param shard the shard whose log the leaf is in, when the trail spans shards and it is not a leaf of
 *     the root log itself (docs/SCALE.md); null otherwise
 */
public record InclusionProof(long leafIndex, byte[] leafHash, List<byte[]> path, String shard) {
  public InclusionProof(long leafIndex, byte[] leafHash, List<byte[]> path) {
    this(leafIndex, leafHash, path, null);
  }

  /** The same proof, in shard {@code name}'s log. */
  public InclusionProof inShard(String name) {
    return new InclusionProof(leafIndex, leafHash, path, name);
  }

  /**
   * As exports carry it: {@code {"leaf_index", "leaf_hash", "inclusion_path"}}, hashes in base64,
   * and {@code "shard"} for a leaf of a shard's log.
   */
  public Map<String, Object> toJson() {
    Base64.Encoder b64 = Base64.getEncoder();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("leaf_index", leafIndex);
    json.put("leaf_hash", b64.encodeToString(leafHash));
    json.put("inclusion_path", path.stream().map(b64::encodeToString).toList());
    if (shard != null) {
      json.put("shard", shard);
    }
    return json;
  }
}
