package dev.auditflow.server.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.chain.ChainVerifier;
import dev.auditflow.server.signing.SigningKey;
import dev.auditflow.server.trail.AuditTrail;
import dev.auditflow.server.trail.InclusionProof;
import dev.auditflow.server.trail.StoredEvent;
import dev.auditflow.server.trail.TransparencyLog;
import dev.auditflow.verify.ExportCompleteness;
import dev.auditflow.verify.SignedJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Streams an export in {@link ExportFormat}: rows come from a cursor, each chain is verified as
 * its events go out, and only one chain's bookkeeping is held at a time — memory does not grow
 * with the size of the export.
 */
public final class NdjsonExporter {
  /** What an export wrote. */
  public record Summary(long events, long chains, long redactedEvents, String contentSha256) {}

  private static final ObjectMapper JSON = AuditEventJson.mapper();

  private final AuditTrail trail;
  private final ChainVerifier verifier;
  private final SigningKey key;
  private final Clock clock;

  public NdjsonExporter(AuditTrail trail, ChainVerifier verifier, SigningKey key, Clock clock) {
    this.trail = trail;
    this.verifier = verifier;
    this.key = key;
    this.clock = clock;
  }

  /** Writes the whole export to {@code out} (not closed). */
  public Summary export(ExportFilters filters, String exportedBy, OutputStream out) throws IOException {
    Instant exportedAt = Timestamps.normalize(clock.instant());
    String by = filters.redactPii() ? PiiRedactor.principal(exportedBy) : exportedBy;
    MessageDigest sha256 = sha256();
    DigestOutputStream content = new DigestOutputStream(out, sha256);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("auditflow_export", ExportFormat.VERSION);
    header.put("exported_at", Timestamps.format(exportedAt));
    header.put("exported_by", by);
    header.put("filters", filters.toMap());
    header.put("redaction", redaction(filters));
    TransparencyLog.State log = trail.log().state();
    header.put("log", ExportFormat.logHeader(trail.log(), log));
    line(content, header);
    Lines lines = new Lines(content, filters.redactPii(), log.checkpoint() == null ? 0 : log.size());
    try {
      trail.inSnapshot("exporting events", snapshot -> {
        snapshot.inChainOrder(filters.events(), BATCH, batch -> lines.write(snapshot, batch));
        return null;
      });
    } catch (UncheckedIOException e) {
      throw e.getCause(); // the client's connection, most likely: nothing of the trail's
    }
    lines.endChain();
    long events = lines.events;
    long chains = lines.chains;
    long redacted = lines.redacted;
    String contentSha256 = HexFormat.of().formatHex(sha256.digest());
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("format_version", ExportFormat.VERSION);
    manifest.put("exported_at", Timestamps.format(exportedAt));
    manifest.put("exported_by", by);
    manifest.put("filters", filters.toMap());
    manifest.put("redaction", redaction(filters));
    manifest.put("redacted_events", redacted);
    manifest.put("events", events);
    manifest.put("chains", chains);
    if (!lines.completeness.isEmpty()) {
      // As maps and lists, so that SignedJson sorts their keys as it sorts the manifest's.
      manifest.put("producers", JSON.convertValue(lines.completeness.toJson(), List.class));
    }
    manifest.put("content_sha256", contentSha256);
    manifest.put("key_id", key.keyId());
    manifest.put("algorithm", SigningKey.ALGORITHM);
    Map<String, Object> trailer = new LinkedHashMap<>();
    trailer.put("manifest", manifest);
    trailer.put("signature", key.sign(SignedJson.bytes(manifest)));
    line(out, trailer);
    out.flush();
    return new Summary(events, chains, redacted, contentSha256);
  }

  private static Map<String, Object> redaction(ExportFilters filters) {
    Map<String, Object> redaction = new LinkedHashMap<>();
    redaction.put("enabled", filters.redactPii());
    if (filters.redactPii()) {
      redaction.put("rules", PiiRedactor.RULES);
      redaction.put("fields", PiiRedactor.FIELDS);
    }
    return redaction;
  }

  /** Rows proven and written a batch at a time. */
  private static final int BATCH = 1_000;

  /** The event and chain lines: one chain's bookkeeping at a time, counts of what was written. */
  private final class Lines {
    /** The producers' accounts of what this export holds, signed into its manifest. */
    final ExportCompleteness completeness = new ExportCompleteness();
    private final OutputStream out;
    private final boolean redactPii;
    private final long logSize;
    private ChainState chain;
    long events;
    long chains;
    long redacted;

    Lines(OutputStream out, boolean redactPii, long logSize) {
      this.out = out;
      this.redactPii = redactPii;
      this.logSize = logSize;
    }

    /** Writes a batch of rows, each with its inclusion proof in the log as of the export's checkpoint. */
    void write(AuditTrail.Snapshot snapshot, List<StoredEvent> rows) throws IOException {
      Map<UUID, InclusionProof> proofs = trail.log().proofs(rows.stream().map(r -> r.event().eventId()).toList(), logSize);
      Set<String> held = snapshot.heldAmong(rows.stream().map(r -> r.event().correlationId()).collect(Collectors.toSet()));
      for (StoredEvent row : rows) {
        String correlationId = row.event().correlationId();
        if (chain == null || !chain.correlationId.equals(correlationId)) {
          endChain();
          chain = new ChainState(correlationId, held.contains(correlationId));
        }
        chain.add(row);
        ObjectNode event = row.toSelfContainedJson();
        event.put("legal_hold", chain.held);
        ObjectNode line = JSON.createObjectNode();
        line.set("event", event);
        if (redactPii) {
          List<String> fields = PiiRedactor.redact(event);
          if (!fields.isEmpty()) {
            fields.forEach(line.putArray("redacted")::add);
            redacted++;
          }
        }
        completeness.add(event);
        InclusionProof proof = proofs.get(row.event().eventId());
        if (proof != null) {
          line.set("log", JSON.valueToTree(proof.toJson()));
        }
        line(out, line);
        events++;
      }
    }

    void endChain() throws IOException {
      if (chain != null) {
        line(out, chain.line(verifier));
        chains++;
        chain = null;
      }
    }
  }

  private static void line(OutputStream out, Object value) throws IOException {
    out.write(JSON.writeValueAsBytes(value));
    out.write('\n');
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One chain's events as they go out: how many, which positions. */
  private static final class ChainState {
    final String correlationId;
    final boolean held;
    long events;
    long firstPosition = -1;
    long lastPosition = -1;

    ChainState(String correlationId, boolean held) {
      this.correlationId = correlationId;
      this.held = held;
    }

    void add(StoredEvent row) {
      long position = row.chainPosition() == null ? -1 : row.chainPosition();
      if (events == 0) {
        firstPosition = position;
      }
      lastPosition = position;
      events++;
    }

    /** The chain line: the chain as verified now (its head, what was purged, the verdict). */
    Map<String, Object> line(ChainVerifier verifier) {
      ChainVerifier.Summary verified = verifier.summarise(correlationId);
      Map<String, Object> chain = new LinkedHashMap<>();
      chain.put("correlation_id", correlationId);
      chain.put("events", events);
      chain.put("first_position", firstPosition);
      chain.put("last_position", lastPosition);
      chain.put("head_position", verified.headPosition());
      chain.put("head_hash", verified.headHash());
      chain.put("purged_through", verified.purgedThrough());
      chain.put("verified", verified.result().verified());
      chain.put("first_break", verified.result().firstBreak() == null ? null
          : Map.of("position", verified.result().firstBreak().position(),
              "reason", verified.result().firstBreak().reason()));
      return Map.of("chain", chain);
    }
  }
}
