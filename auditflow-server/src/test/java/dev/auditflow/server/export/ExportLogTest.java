package dev.auditflow.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.server.testing.Attacker;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.verify.ExportVerifier;
import dev.auditflow.verify.PublicKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Exports carry the log's signed checkpoint and each event's inclusion proof, so that checking an
 * export offline also proves its events are in the log — and catches an event rewritten with its
 * chain recomputed, which the chain alone cannot.
 */
class ExportLogTest {
  private final ServerFixture fx = ServerFixture.start();

  private List<String> store(String chain, int n) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var event = EventJson.valid(chain);
      event.put("event_category", "logged");
      ids.add(event.get("event_id").asText());
      batch.add(event);
    }
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    LogRounds.integrateAll(fx.server());
    return ids;
  }

  private ExportVerifier.Result verifyNdjson() throws IOException {
    var r = fx.get("/api/v1/audit/export?format=ndjson&event_category=logged");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    PublicKey key = PublicKeys.fromPem(fx.get("/api/v1/audit/signing-key?format=pem").body());
    return new ExportVerifier(key, null).verify(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void anNdjsonExportProvesItsEventsAreInTheLogAndCatchesARewrite() throws Exception {
    try (fx) {
      List<String> ids = store("exp-log-a", 6);
      store("exp-log-b", 4);
      ExportVerifier.Result clean = verifyNdjson();
      assertThat(clean.findings()).isEmpty();
      assertThat(clean.eventsInLog()).isEqualTo(10);
      assertThat(clean.logTreeSize()).isGreaterThanOrEqualTo(10);

      Attacker.rewriteEventAndChain(fx.jdbcUrl(), UUID.fromString(ids.get(2)), "{\"n\":5}");
      ExportVerifier.Result caught = verifyNdjson();
      assertThat(caught.findings()).singleElement().satisfies(f -> {
        assertThat(f.kind()).isEqualTo("log_inclusion_failed");
        assertThat(f.detail()).contains(ids.get(2)).contains("changed after it was logged");
      });
    }
  }

  @Test
  void theJsonExportCarriesTheCheckpointAndAProofPerEvent() throws Exception {
    try (fx) {
      store("exp-log-json", 5);
      JsonNode export = fx.get("/api/v1/audit/export?event_category=logged").json();
      String note = export.get("transparency_log").get("checkpoint").asText();
      String verifierKey = fx.get("/api/v1/log/key").json().get("verifier_key").asText();
      Checkpoint checkpoint = Checkpoint.verified(note, NoteKey.parse(verifierKey));
      assertThat(export.get("events")).hasSize(5);
      for (JsonNode event : export.get("events")) {
        JsonNode proof = event.get("log");
        byte[] leaf = Base64.getDecoder().decode(proof.get("leaf_hash").asText());
        assertThat(MerkleHashes.leaf(CanonicalForm.ofExported(event))).isEqualTo(leaf);
        List<byte[]> path = new ArrayList<>();
        proof.get("inclusion_path").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
        LogProofs.verifyInclusion(leaf, proof.get("leaf_index").asLong(), checkpoint.size(), path,
            checkpoint.rootHash());
      }
    }
  }
}
