package dev.auditflow.server.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.CanonicalJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.chain.ChainVerifier;
import dev.auditflow.server.signing.SigningKey;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.InclusionProof;
import dev.auditflow.server.trail.StoredEvent;
import dev.auditflow.server.trail.TransparencyLog;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Kubernaut's export ({@code AuditExportResponse}): one page of at most {@link #MAX_LIMIT} events
 * ordered by time, each with {@code hash_chain_valid} and {@code legal_hold}; the chains of the
 * page verified whole; Ed25519-signed. The signature covers the answer without {@code
 * export_metadata.signature} and {@code detached_signature}, in {@link CanonicalJson} form,
 * compact, UTF-8.
 */
public final class JsonExporter {
  public static final int MAX_LIMIT = 10_000;
  public static final int DEFAULT_LIMIT = 1_000;
  private static final ObjectMapper JSON = AuditEventJson.mapper();

  private final AuditTrail trail;
  private final ChainVerifier verifier;
  private final SigningKey key;
  private final Clock clock;

  public JsonExporter(AuditTrail trail, ChainVerifier verifier, SigningKey key, Clock clock) {
    this.trail = trail;
    this.verifier = verifier;
    this.key = key;
    this.clock = clock;
  }

  public ObjectNode export(ExportFilters filters, int offset, int limit, String exportedBy, boolean detached) {
    Instant now = Timestamps.normalize(clock.instant());
    TransparencyLog.State log = trail.log().state();
    List<StoredEvent> rows = trail.whole(filters.events(), offset, limit);
    Map<UUID, InclusionProof> proofs = log.checkpoint() == null ? Map.of()
        : trail.log().proofs(rows.stream().map(r -> r.event().eventId()).toList(), log.size());
    Map<String, ChainVerifier.Result> chains = new HashMap<>();
    for (StoredEvent row : rows) {
      chains.computeIfAbsent(row.event().correlationId(), verifier::verifyCorrelation);
    }
    Set<String> held = trail.inSnapshot("reading legal holds", snapshot -> snapshot.heldAmong(chains.keySet()));

    ObjectNode answer = JSON.createObjectNode();
    ObjectNode metadata = answer.putObject("export_metadata");
    metadata.put("export_timestamp", Timestamps.format(now));
    metadata.put("export_format", "json");
    ObjectNode queryFilters = JSON.valueToTree(filters.toMap());
    queryFilters.put("offset", offset).put("limit", limit);
    metadata.set("query_filters", queryFilters);
    metadata.put("total_events", rows.size());
    metadata.put("signature_algorithm", SigningKey.ALGORITHM);
    metadata.put("certificate_fingerprint", key.keyId());
    metadata.put("exported_by", filters.redactPii() ? PiiRedactor.principal(exportedBy) : exportedBy);

    ArrayNode events = answer.putArray("events");
    long valid = 0;
    List<String> tampered = new ArrayList<>();
    for (StoredEvent row : rows) {
      ChainVerifier.Result chain = chains.get(row.event().correlationId());
      boolean chainValid = chain.verified() || row.chainPosition() < chain.firstBreak().position();
      valid += chainValid ? 1 : 0;
      if (!chain.verified() && row.event().eventId().equals(chain.firstBreak().eventId())) {
        tampered.add(row.event().eventId().toString());
      }
      ObjectNode event = row.toSelfContainedJson();
      event.put("hash_chain_valid", chainValid);
      event.put("legal_hold", held.contains(row.event().correlationId()));
      if (filters.redactPii()) {
        List<String> fields = PiiRedactor.redact(event);
        if (!fields.isEmpty()) {
          fields.forEach(event.putArray("redacted")::add);
        }
      }
      InclusionProof proof = proofs.get(row.event().eventId());
      if (proof != null) {
        event.set("log", JSON.valueToTree(proof.toJson()));
      }
      events.add(event);
    }
    // The checkpoint the events' "log" proofs lead to, signed by the same key as the export.
    Map<String, Object> logHeader = ExportFormat.logHeader(trail.log(), log);
    answer.set("transparency_log", logHeader == null ? JSON.createObjectNode().putNull("checkpoint")
        : JSON.valueToTree(logHeader));
    ObjectNode verification = answer.putObject("hash_chain_verification");
    verification.put("total_events_verified", rows.size());
    verification.put("valid_chain_events", valid);
    verification.put("broken_chain_events", rows.size() - valid);
    verification.put("chain_integrity_percentage", rows.isEmpty() ? 100.0 : 100.0 * valid / rows.size());
    verification.put("verification_timestamp", Timestamps.format(now));
    tampered.forEach(verification.putArray("tampered_event_ids")::add);

    String signature = key.sign(signedBytes(answer));
    metadata.put("signature", signature);
    if (detached) {
      answer.put("detached_signature", "-----BEGIN SIGNATURE-----\n" + signature + "\n-----END SIGNATURE-----\n");
    }
    return answer;
  }

  /** The bytes the signature covers: the answer without its signatures, canonical, compact. */
  public static byte[] signedBytes(ObjectNode answer) {
    ObjectNode unsigned = answer.deepCopy();
    unsigned.remove("detached_signature");
    if (unsigned.get("export_metadata") instanceof ObjectNode metadata) {
      metadata.remove("signature");
    }
    try {
      return JSON.writeValueAsBytes(CanonicalJson.normalize(unsigned));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
