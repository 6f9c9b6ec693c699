package dev.auditflow.server.trail;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A leaf and the RFC 9162 path from it to the root of a tree of a given size. */
public record InclusionProof(long leafIndex, byte[] leafHash, List<byte[]> path) {
  /** As exports carry it: {@code {"leaf_index", "leaf_hash", "inclusion_path"}}, hashes in base64. */
  public Map<String, Object> toJson() {
    Base64.Encoder b64 = Base64.getEncoder();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("leaf_index", leafIndex);
    json.put("leaf_hash", b64.encodeToString(leafHash));
    json.put("inclusion_path", path.stream().map(b64::encodeToString).toList());
    return json;
  }
}
