package dev.auditflow.server.export;

import dev.auditflow.server.trail.ShardStep;
import dev.auditflow.server.trail.TransparencyLog;
import dev.auditflow.verify.SignedJson;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The NDJSON export format, version 1 (docs/COMPLIANCE.md), one JSON object per line:
 *
 * <ol>
 *   <li>a header: {@code {"auditflow_export":1,"exported_at","exported_by","filters","redaction",
 *       "log":{"checkpoint":"<signed note>","shards":{…}?}}} — the verifiable log's checkpoint when the
 *       export began ({@code null} before the log's first), signed by the same key as the export;
 *       with shards (docs/SCALE.md), {@code shards} holds each shard's checkpoint in that tree
 *       ({@link ShardStep#toJson});
 *   <li>per chain, in {@code correlation_id} order (across shards too): its events in chain order, each {@code
 *       {"event":{…as the API shows it…,"legal_hold":bool},"redacted":[fields]?,
 *       "log":{"leaf_index","leaf_hash","inclusion_path","shard"?}?}} — {@code log} present when the
 *       event is a leaf of that checkpoint's tree (docs/LOG.md), or of its shard's tree whose
 *       checkpoint the header carries ({@code shard}) — then {@code
 *       {"chain":{"correlation_id","events","first_position","last_position","head_position",
 *       "head_hash","purged_through","verified","first_break"}}} — the chain as the server saw and
 *       verified it at export time;
 *   <li>the trailer: {@code {"manifest":{…},"signature":"<base64 Ed25519>"}}; the manifest
 *       states the counts and the SHA-256 of every byte before the trailer line, and the signature
 *       covers the manifest as {@link dev.auditflow.server.signing.SignedJson}.
 * </ol>
 */
public final class ExportFormat {
  public static final int VERSION = 1;
  public static final String MEDIA_TYPE = "application/x-ndjson";

  private ExportFormat() {}

  /**
   * The header's {@code log}: the checkpoint the events' proofs lead to, and with shards each
   * shard's checkpoint with its step into it; null before the log's first checkpoint.
   */
  static Map<String, Object> logHeader(TransparencyLog log, TransparencyLog.State state) {
    if (state.checkpoint() == null) {
      return null;
    }
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("checkpoint", state.checkpoint());
    Map<String, ShardStep> steps = log.shardSteps(state.size());
    if (!steps.isEmpty()) {
      Map<String, Object> shards = new LinkedHashMap<>();
      steps.forEach((shard, step) -> shards.put(shard, step.toJson(state.size())));
      header.put("shards", shards);
    }
    return header;
  }
}
