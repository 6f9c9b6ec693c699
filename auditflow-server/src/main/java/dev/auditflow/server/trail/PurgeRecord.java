package dev.auditflow.server.trail;

import dev.auditflow.api.Timestamps;
import dev.auditflow.verify.SignedJson;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What one purge removed from one chain: positions {@code from..through}, and the hash (and hash
 * algorithm) of the event at {@code through}, which the chain's first remaining event links to.
 * Signed by the service's key ({@link #signedBytes}).
 */
public record PurgeRecord(String correlationId, long from, long through, String lastHash, String lastAlgorithm,
    UUID purgeId, Instant purgedAt, String keyId, String signature) {

  /**
   * The bytes signed: {@code {"correlation_id","last_hash_algorithm","last_purged_hash",
   * "purge_id","purged_at","purged_from","purged_through"}} as {@link SignedJson}.
   */
  public byte[] signedBytes() {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("correlation_id", correlationId);
    fields.put("purged_from", from);
    fields.put("purged_through", through);
    fields.put("last_purged_hash", lastHash);
    fields.put("last_hash_algorithm", lastAlgorithm);
    fields.put("purge_id", purgeId.toString());
    fields.put("purged_at", Timestamps.format(purgedAt));
    return SignedJson.bytes(fields);
  }
}
