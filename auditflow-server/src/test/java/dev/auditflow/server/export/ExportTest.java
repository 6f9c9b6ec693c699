package dev.auditflow.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.verify.ExportVerifier;
import dev.auditflow.verify.PublicKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Signed exports: Kubernaut's JSON page and the NDJSON stream, verified offline with only the
 * public key — and every kind of tampering with the file named.
 */
class ExportTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();
  private static PublicKey key;

  @BeforeAll
  static void store() {
    key = PublicKeys.fromPem(fx.get("/api/v1/audit/signing-key?format=pem").body());
    for (String chain : List.of("exp-a", "exp-b", "exp-c")) {
      ArrayNode batch = AuditEventJson.mapper().createArrayNode();
      for (int i = 0; i < 4; i++) {
        ObjectNode event = EventJson.valid(chain);
        event.put("event_category", "export");
        ((ObjectNode) event.get("event_data")).put("user_email", "alice@example.com").put("source_ip", "192.168.1.10")
            .put("phone_number", "+1-555-1234");
        batch.add(event);
      }
      assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    }
  }

  private static String ndjson(String query) {
    var r = fx.get("/api/v1/audit/export?format=ndjson&" + query);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.contentType()).startsWith(ExportFormat.MEDIA_TYPE);
    return r.body();
  }

  private static ExportVerifier.Result verify(String file) throws IOException {
    return new ExportVerifier(key, null).verify(new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<String> kinds(ExportVerifier.Result result) {
    return result.findings().stream().map(ExportVerifier.Finding::kind).distinct().toList();
  }

  /** The file with its lines changed by {@code edit} (lines without their line breaks). */
  private static String edit(String file, UnaryOperator<List<String>> edit) {
    List<String> lines = new ArrayList<>(List.of(file.split("\n")));
    return String.join("\n", edit.apply(lines)) + "\n";
  }

  private static int firstEventLine(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("{\"event\"")) {
        return i;
      }
    }
    throw new AssertionError("no event line");
  }

  @Test
  void anUntouchedExportVerifiesOffline() throws Exception {
    String file = ndjson("event_category=export");
    ExportVerifier.Result result = verify(file);
    assertThat(result.findings()).isEmpty();
    assertThat(result.valid()).isTrue();
    assertThat(result.events()).isEqualTo(12);
    assertThat(result.chains()).isEqualTo(3);
    assertThat(result.eventsVerified()).as("every event's hash recomputed").isEqualTo(12);
    assertThat(file.lines().filter(l -> l.startsWith("{\"chain\"")).toList()).allSatisfy(l -> assertThat(l)
        .contains("\"verified\":true"));
  }

  @Test
  void aChangedEventIsNamed() throws Exception {
    String file = edit(ndjson("event_category=export"), lines -> {
      int i = firstEventLine(lines) + 1;
      lines.set(i, lines.get(i).replace("\"event_action\":\"store\"", "\"event_action\":\"delete\""));
      return lines;
    });
    ExportVerifier.Result result = verify(file);
    assertThat(result.valid()).isFalse();
    assertThat(kinds(result)).contains("modified_event", "content_hash_mismatch");
  }

  @Test
  void aRemovedEventIsNamed() throws Exception {
    String file = edit(ndjson("event_category=export"), lines -> {
      lines.remove(firstEventLine(lines) + 1);
      return lines;
    });
    ExportVerifier.Result result = verify(file);
    assertThat(kinds(result)).contains("missing_event", "content_hash_mismatch");
  }

  @Test
  void reorderedEventsAreNamed() throws Exception {
    String file = edit(ndjson("event_category=export"), lines -> {
      int i = firstEventLine(lines);
      String first = lines.get(i);
      lines.set(i, lines.get(i + 1));
      lines.set(i + 1, first);
      return lines;
    });
    assertThat(kinds(verify(file))).contains("reordered", "content_hash_mismatch");
  }

  @Test
  void aChangedManifestIsNamed() throws Exception {
    String file = edit(ndjson("event_category=export"), lines -> {
      int last = lines.size() - 1;
      lines.set(last, lines.get(last).replace("\"events\":12", "\"events\":11"));
      return lines;
    });
    assertThat(kinds(verify(file))).contains("signature_invalid");
  }

  @Test
  void aTruncatedExportIsNamed() throws Exception {
    String file = edit(ndjson("event_category=export"), lines -> lines.subList(0, lines.size() - 1));
    assertThat(kinds(verify(file))).containsExactly("truncated");
  }

  @Test
  void anotherKeyIsNamed() throws Exception {
    PublicKey stranger = dev.auditflow.server.signing.SigningKey.ephemeral().publicKey();
    ExportVerifier.Result result = new ExportVerifier(stranger, null)
        .verify(new ByteArrayInputStream(ndjson("event_category=export").getBytes(StandardCharsets.UTF_8)));
    // The log's checkpoint in the header is signed by the same (other) key: both are named.
    assertThat(kinds(result)).containsExactly("log_checkpoint_invalid", "wrong_key");
  }

  @Test
  void redactedEventsAreReportedAsRedactedWithAValidSignature() throws Exception {
    String file = ndjson("correlation_id=exp-a&redact_pii=true");
    assertThat(file).doesNotContain("alice@example.com").doesNotContain("192.168.1.10").doesNotContain("555-1234")
        .contains("a***@e***.com").contains("192.***.*.***").contains("+1-***-****");
    ExportVerifier.Result result = verify(file);
    assertThat(result.valid()).isTrue();
    assertThat(result.eventsRedacted()).isEqualTo(4);
    assertThat(result.eventsVerified()).isZero();
    // Changing a redacted event is still caught: the content hash covers it.
    String changed = file.replace("a***@e***.com", "b***@e***.com");
    assertThat(kinds(verify(changed))).contains("content_hash_mismatch");
  }

  @Test
  void aChainBrokenInTheDatabaseIsReportedAsSuch() throws Exception {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < 3; i++) {
      batch.add(EventJson.valid("exp-tampered"));
    }
    fx.postJson("/api/v1/audit/events/batch", batch.toString());
    Superuser.tamper(fx.jdbcUrl(), "UPDATE audit_events SET event_action = 'forged' WHERE correlation_id = 'exp-tampered'"
        + " AND chain_position = 2");

    ExportVerifier.Result result = verify(ndjson("correlation_id=exp-tampered"));
    assertThat(kinds(result)).contains("modified_event", "chain_broken_at_export");

    JsonNode page = fx.get("/api/v1/audit/export?correlation_id=exp-tampered").json();
    assertThat(page.at("/hash_chain_verification/broken_chain_events").asLong()).isEqualTo(2);
    assertThat(page.at("/hash_chain_verification/valid_chain_events").asLong()).isEqualTo(1);
    assertThat(page.at("/hash_chain_verification/tampered_event_ids").size()).isEqualTo(1);
  }

  @Test
  void kubernautsJsonPageIsSignedOverItsCanonicalForm() {
    JsonNode page = fx.get("/api/v1/audit/export?event_category=export&limit=5&offset=2&include_detached_signature=true")
        .json();
    assertThat(page.at("/export_metadata/total_events").asLong()).isEqualTo(5);
    assertThat(page.at("/export_metadata/export_format").asText()).isEqualTo("json");
    assertThat(page.at("/export_metadata/signature_algorithm").asText()).isEqualTo("Ed25519");
    assertThat(page.at("/export_metadata/certificate_fingerprint").asText()).isEqualTo(PublicKeys.keyId(key));
    assertThat(page.at("/export_metadata/query_filters/offset").asInt()).isEqualTo(2);
    assertThat(page.get("events")).hasSize(5).allSatisfy(e -> {
      assertThat(e.get("hash_chain_valid").asBoolean()).isTrue();
      assertThat(e.get("legal_hold").asBoolean()).isFalse();
    });
    assertThat(page.at("/hash_chain_verification/chain_integrity_percentage").asDouble()).isEqualTo(100.0);
    String signature = page.at("/export_metadata/signature").asText();
    assertThat(page.get("detached_signature").asText()).contains(signature);
    assertThat(PublicKeys.verify(key, JsonExporter.signedBytes((ObjectNode) page), signature)).isTrue();
    ObjectNode altered = page.deepCopy();
    ((ObjectNode) altered.get("events").get(0)).put("event_action", "forged");
    assertThat(PublicKeys.verify(key, JsonExporter.signedBytes(altered), signature)).isFalse();
  }

  @Test
  void badRequestsAreRefusedWithTheField() {
    var tooMany = fx.get("/api/v1/audit/export?limit=10001");
    assertThat(tooMany.status()).isEqualTo(413);
    var unknown = fx.get("/api/v1/audit/export?since=1h");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().at("/errors/0/field").asText()).isEqualTo("since");
    var format = fx.get("/api/v1/audit/export?format=csv");
    assertThat(format.json().at("/errors/0/field").asText()).isEqualTo("format");
    var range = fx.get("/api/v1/audit/export?start_time=2026-02-01&end_time=2026-01-01");
    assertThat(range.json().at("/errors/0/field").asText()).isEqualTo("end_time");
  }

  @Test
  void anExportIsRecordedBeforeItStreams() {
    ndjson("correlation_id=exp-b");
    JsonNode records = fx.get("/api/v1/audit/events?event_type=auditflow.access.events.export&limit=100").json().get("data");
    assertThat(records).anySatisfy(r -> {
      assertThat(r.at("/event_data/details/format").asText()).isEqualTo("ndjson");
      assertThat(r.at("/event_data/details/filters/correlation_id").asText()).isEqualTo("exp-b");
    });
  }

  @Test
  void theSigningKeyIsServedAsJsonAndPem() {
    JsonNode json = fx.get("/api/v1/audit/signing-key").json();
    assertThat(json.get("algorithm").asText()).isEqualTo("Ed25519");
    assertThat(json.get("key_id").asText()).isEqualTo(PublicKeys.keyId(key)).startsWith("ed25519:");
    assertThat(json.get("public_key").asText()).startsWith("-----BEGIN PUBLIC KEY-----");
    var unauthenticated = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/signing-key")), null);
    assertThat(unauthenticated.status()).isEqualTo(401);
  }
}
