package dev.auditflow.server.export;

import dev.auditflow.verify.SignedJson;

/**
 * The NDJSON export format, version 1 (docs/COMPLIANCE.md), one JSON object per line:
 *
 * <ol>
 *   <li>a header: {@code {"auditflow_export":1,"exported_at","exported_by","filters","redaction",
 *       "log":{"checkpoint":"<signed note>"}}} — the verifiable log's checkpoint when the export
 *       began ({@code null} before the log's first), signed by the same key as the export;
 *   <li>per chain, in {@code correlation_id} order: its events in chain order, each {@code
 *       {"event":{…as the API shows it…,"legal_hold":bool},"redacted":[fields]?,
 *       "log":{"leaf_index","leaf_hash","inclusion_path"}?}} — {@code log} present when the event
 *       is a leaf of that checkpoint's tree (docs/LOG.md) — then {@code
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
}
