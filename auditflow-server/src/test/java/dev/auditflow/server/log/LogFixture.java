package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.MerkleHashes;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.api.log.Tile;
import dev.auditflow.verify.CanonicalForm;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** A server's log as a verifier sees it over HTTP, for the log's tests. */
final class LogFixture {
  private final ServerFixture fx;

  LogFixture(ServerFixture fx) {
    this.fx = fx;
  }

  NoteKey key() {
    return NoteKey.parse(fx.get("/api/v1/log/key").json().get("verifier_key").asText());
  }

  String note() {
    var r = fx.get("/api/v1/log/checkpoint");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.body();
  }

  Checkpoint checkpoint() throws LogProofException {
    return Checkpoint.verified(note(), key());
  }

  /** Every stored event a leaf, now. */
  void integrate() {
    LogRounds.integrateAll(fx.server());
  }

  /** Stores {@code n} events of one correlation; returns their ids. */
  List<String> store(String correlationId, int n) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ObjectNode e = EventJson.valid(correlationId);
      ids.add(e.get("event_id").asText());
      batch.add(e);
    }
    var r = fx.postJson("/api/v1/audit/events/batch", batch.toString());
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    return ids;
  }

  JsonNode inclusion(String eventId, long treeSize) {
    var r = fx.get("/api/v1/log/proof/inclusion?event_id=" + eventId + "&tree_size=" + treeSize);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  List<byte[]> consistency(long first, long second) {
    var r = fx.get("/api/v1/log/proof/consistency?first=" + first + "&second=" + second);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return hashes(r.json().get("consistency_path"));
  }

  /** A tile's bytes, as a tile-reading verifier fetches it. */
  byte[] tile(Tile tile) throws Exception {
    HttpResponse<byte[]> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        fx.baseUri().resolve("/api/v1/log/" + tile.path())).header("Authorization", "Bearer " + fx.adminToken()).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as(tile.path()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
    return r.body();
  }

  /** The leaf hash a verifier computes from an event as the log serves it. */
  static byte[] leafOf(JsonNode exportedEvent) {
    return MerkleHashes.leaf(CanonicalForm.ofExported(exportedEvent));
  }

  static List<byte[]> hashes(JsonNode array) {
    List<byte[]> out = new ArrayList<>();
    array.forEach(h -> out.add(Base64.getDecoder().decode(h.asText())));
    return out;
  }

  static byte[] hash(JsonNode text) {
    return Base64.getDecoder().decode(text.asText());
  }
}
