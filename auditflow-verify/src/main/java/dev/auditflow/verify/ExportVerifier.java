package dev.auditflow.verify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.auditflow.api.AuditEventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Checks an NDJSON export ({@link ExportFormat}) with nothing but the file and the service's
 * public key: no server, no database. In order: the trailer's signature over the manifest; every
 * event's hash, recomputed from its content and its {@code previous_event_hash}; each chain's
 * order and links (consecutive positions must link); each chain line against its events; the
 * counts; the SHA-256 of everything before the trailer. Every finding names what is wrong and
 * where; a redacted event cannot be recomputed and is reported as "redacted, signature valid"
 * when the signature and content hash hold.
 */
public final class ExportVerifier {
  private static final ObjectMapper JSON = AuditEventJson.mapper();

  /** One thing wrong with the file: a kind, the line (1-based; 0 for the whole file), what. */
  public record Finding(String kind, long line, String detail) {
    @Override
    public String toString() {
      return kind + (line > 0 ? " at line " + line : "") + ": " + detail;
    }
  }

  /**
   * The verdict.
   *
   * @param eventsVerified events whose hash was recomputed and matched
   * @param eventsRedacted redacted events, covered by the signature only
   * @param eventsUnverifiable HMAC-chained events checked without the chain key (signature only)
   * @param eventsInLog events whose inclusion in the log's signed checkpoint was verified
   * @param logTreeSize the size of the export's log checkpoint, or -1 without one
   * @param producers the producers' accounts recomputed from the export's lines ({@link
   *     ExportCompleteness}): per epoch, numbers held, declared and missing
   */
  public record Result(boolean valid, long events, long chains, long eventsVerified, long eventsRedacted,
      long eventsUnverifiable, long eventsInLog, long logTreeSize, String keyId, List<Finding> findings,
      JsonNode producers) {}

  private final PublicKey publicKey;
  private final ChainHasher keyedHasher;

  /** @param chainKey the HMAC chain key, to recompute keyed chains too; or null */
  public ExportVerifier(PublicKey publicKey, byte[] chainKey) {
    this.publicKey = publicKey;
    this.keyedHasher = chainKey == null ? null : ChainHasher.hmac(chainKey);
  }

  public Result verify(InputStream file) throws IOException {
    Run run = new Run();
    BufferedReader reader = new BufferedReader(new InputStreamReader(file, StandardCharsets.UTF_8));
    String previous = null;
    long number = 0;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (previous != null) {
        run.content(previous, number);
      }
      previous = line;
      number++;
    }
    if (previous == null) {
      run.find("truncated", 0, "the file is empty");
    } else {
      run.trailer(previous, number);
    }
    return run.result();
  }

  /** One verification's state: the current chain only, so memory does not grow with the file. */
  private final class Run {
    private final MessageDigest sha256 = sha256();
    private final List<Finding> findings = new ArrayList<>();
    private final ExportLogCheck log = new ExportLogCheck(publicKey);
    private final ExportCompleteness completeness = new ExportCompleteness();
    private JsonNode header;
    private long events;
    private long chains;
    private long verified;
    private long redacted;
    private long unverifiable;
    private String keyId;
    private String correlationId;
    private String lastCorrelationId;
    private long chainEvents;
    private long firstPosition;
    private String firstPrevious;
    private long lastPosition;
    private String lastHash;

    void content(String line, long number) {
      sha256.update((line + "\n").getBytes(StandardCharsets.UTF_8));
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        find("malformed_line", number, "not JSON: " + e.getOriginalMessage());
        return;
      }
      if (number == 1) {
        if (!node.has("auditflow_export")) {
          find("malformed_line", number, "the first line is not an export header");
        }
        header = node;
        report("log_checkpoint_invalid", number, log.header(node));
      } else if (node.has("event")) {
        event(node, number);
      } else if (node.has("chain")) {
        chain(node.get("chain"), number);
      } else {
        find("malformed_line", number, "neither an event nor a chain line");
      }
    }

    private void event(JsonNode line, long number) {
      events++;
      JsonNode event = line.get("event");
      completeness.add(event);
      String chain = event.path("correlation_id").asText();
      long position = event.path("chain_position").asLong(-1);
      String eventId = event.path("event_id").asText();
      if (!chain.equals(correlationId)) {
        if (correlationId != null) {
          find("missing_chain_line", number, "the events of chain " + correlationId + " end without their chain line");
        }
        if (lastCorrelationId != null && chain.compareTo(lastCorrelationId) <= 0) {
          find("reordered", number, "chain " + chain + " comes after chain " + lastCorrelationId
              + " (chains are exported in correlation_id order)");
        }
        startChain(chain, position, previousHash(event));
      } else if (position <= lastPosition) {
        find("reordered", number, "event " + eventId + " at position " + position + " of chain " + chain
            + " comes after position " + lastPosition);
      } else if (position == lastPosition + 1 && !previousHash(event).equals(lastHash)) {
        find("broken_link", number, "event " + eventId + " at position " + position + " of chain " + chain
            + " does not link to the event before it");
      }
      chainEvents++;
      lastPosition = Math.max(lastPosition, position);
      lastHash = event.path("event_hash").asText();
      report("log_inclusion_failed", number, log.event(line));
      if (line.has("redacted")) {
        redacted++;
        return;
      }
      recompute(event, number);
    }

    private void recompute(JsonNode event, long number) {
      String eventId = event.path("event_id").asText();
      HashAlgorithm algorithm;
      try {
        algorithm = HashAlgorithm.fromColumn(event.path("hash_algorithm").asText());
      } catch (IllegalArgumentException e) {
        find("modified_event", number, "event " + eventId + " names an unknown hash algorithm");
        return;
      }
      ChainHasher hasher = algorithm == HashAlgorithm.SHA256 ? ChainHasher.sha256() : keyedHasher;
      if (hasher == null) {
        unverifiable++;
        return;
      }
      String recomputed;
      try {
        recomputed = hasher.hash(previousHash(event), CanonicalForm.ofExported(event));
      } catch (RuntimeException e) {
        find("modified_event", number, "event " + eventId + " cannot be hashed: " + e.getMessage());
        return;
      }
      if (recomputed.equals(event.path("event_hash").asText())) {
        verified++;
      } else {
        find("modified_event", number, "event " + eventId + " does not hash to its event_hash: its content was"
            + " changed after it was stored or exported");
      }
    }

    /**
     * The previous hash the event's hash was computed with: as exported, except that the first
     * event of a chain is exported with "" (earlier versions wrote the 64 zeros themselves).
     */
    private static String previousHash(JsonNode event) {
      String exported = event.path("previous_event_hash").asText();
      return exported.isEmpty() && event.path("chain_position").asLong() == 1 ? ChainHasher.GENESIS : exported;
    }

    private void startChain(String chain, long position, String previousHash) {
      correlationId = chain;
      chainEvents = 0;
      firstPosition = position;
      firstPrevious = previousHash;
      lastPosition = position - 1;
      lastHash = previousHash;
    }

    private void chain(JsonNode chain, long number) {
      chains++;
      String id = chain.path("correlation_id").asText();
      if (!id.equals(correlationId)) {
        find("missing_event", number, "the chain line of " + id + " has no events before it");
        return;
      }
      long stated = chain.path("events").asLong();
      if (stated != chainEvents) {
        find("missing_event", number, "chain " + id + ": the export holds " + chainEvents + " of its "
            + stated + " exported events");
      }
      if (chain.path("first_position").asLong() != firstPosition || chain.path("last_position").asLong() != lastPosition) {
        find("missing_event", number, "chain " + id + ": exported positions " + firstPosition + ".." + lastPosition
            + ", the chain line says " + chain.path("first_position").asLong() + ".."
            + chain.path("last_position").asLong());
      }
      if (chain.path("head_position").asLong() == lastPosition && !chain.path("head_hash").asText().equals(lastHash)) {
        find("modified_event", number, "chain " + id + ": its last event does not have the head's hash");
      }
      if (chain.path("purged_through").asLong() + 1 == firstPosition && firstPosition > 1
          && firstPrevious.isEmpty()) {
        find("broken_link", number, "chain " + id + ": its first event after the purge has no previous hash");
      }
      if (!chain.path("verified").asBoolean(false)) {
        find("chain_broken_at_export", number, "chain " + id + " did not verify on the server at export time: "
            + chain.path("first_break"));
      }
      lastCorrelationId = id;
      correlationId = null;
    }

    void trailer(String line, long number) {
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        find("truncated", number, "the last line is not the signed trailer (the export was cut short)");
        return;
      }
      JsonNode manifest = node.get("manifest");
      if (manifest == null || !node.hasNonNull("signature")) {
        find("truncated", number, "the last line is not the signed trailer (the export was cut short)");
        return;
      }
      if (correlationId != null) {
        find("missing_chain_line", number, "the events of chain " + correlationId + " end without their chain line");
      }
      keyId = manifest.path("key_id").asText();
      if (!PublicKeys.keyId(publicKey).equals(keyId)) {
        find("wrong_key", number, "signed by " + keyId + ", the key given is " + PublicKeys.keyId(publicKey));
      } else if (!PublicKeys.verify(publicKey, signedBytes(manifest), node.get("signature").asText())) {
        find("signature_invalid", number, "the manifest does not match its signature: the manifest was changed");
      }
      String content = HexFormat.of().formatHex(sha256.digest());
      if (!content.equals(manifest.path("content_sha256").asText())) {
        find("content_hash_mismatch", 0, "the lines before the trailer hash to " + content + ", the manifest says "
            + manifest.path("content_sha256").asText() + ": a line was changed, added, removed or moved");
      }
      if (manifest.path("events").asLong() != events) {
        find("missing_event", 0, "the manifest counts " + manifest.path("events").asLong() + " events, the file holds "
            + events);
      }
      if (manifest.path("chains").asLong() != chains) {
        find("missing_event", 0, "the manifest counts " + manifest.path("chains").asLong() + " chains, the file holds "
            + chains);
      }
      // Exports made before producer sequences carry no accounts; when there are any, they must be
      // what the lines themselves say.
      JsonNode producers = recomputedProducers();
      if (!manifest.path("producers").isMissingNode() || !completeness.isEmpty()) {
        if (!producers.equals(manifest.path("producers"))) {
          find("completeness_mismatch", 0, "the producers' accounts recomputed from the lines, " + producers
              + ", differ from the manifest's, " + manifest.path("producers"));
        }
      }
      if (header != null && (!header.path("exported_at").equals(manifest.path("exported_at"))
          || !header.path("filters").equals(manifest.path("filters")))) {
        find("manifest_mismatch", 1, "the header and the signed manifest disagree on the time or the filters");
      }
    }

    void find(String kind, long line, String detail) {
      findings.add(new Finding(kind, line, detail));
    }

    private void report(String kind, long line, String problem) {
      if (problem != null) {
        find(kind, line, problem);
      }
    }

    Result result() {
      return new Result(findings.isEmpty(), events, chains, verified, redacted, unverifiable, log.proven(),
          log.treeSize(), keyId, List.copyOf(findings), recomputedProducers());
    }

    /** As read back from a file would be (an int is an int), so that it compares with the manifest's. */
    private JsonNode recomputedProducers() {
      try {
        return JSON.readTree(JSON.writeValueAsString(completeness.toJson()));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** The manifest's signed bytes: its fields as a map, {@link SignedJson}. */
  private static byte[] signedBytes(JsonNode manifest) {
    Map<String, Object> fields = JSON.convertValue(manifest, JSON.getTypeFactory()
        .constructMapType(Map.class, String.class, Object.class));
    return SignedJson.bytes(fields);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
