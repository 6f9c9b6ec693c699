package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The verifiable log over HTTP: signed checkpoints, proofs that verify, indices on events. */
class LogTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();
  private final LogFixture log = new LogFixture(fx);

  @Test
  void everyStoredEventIsProvablyInTheSignedLog() throws LogProofException {
    List<String> ids = new ArrayList<>(log.store("log-a", 7));
    log.integrate();
    Checkpoint first = log.checkpoint();
    ids.addAll(log.store("log-b", 30));
    ids.addAll(log.store("log-a", 5));
    log.integrate();
    Checkpoint second = log.checkpoint();
    assertThat(second.size()).isGreaterThanOrEqualTo(first.size() + 35);

    for (String id : ids) {
      JsonNode proof = log.inclusion(id, second.size());
      byte[] leaf = LogFixture.leafOf(proof.get("event"));
      assertThat(leaf).as("the event hashes to its leaf").isEqualTo(LogFixture.hash(proof.get("leaf_hash")));
      LogProofs.verifyInclusion(leaf, proof.get("leaf_index").asLong(), second.size(),
          LogFixture.hashes(proof.get("inclusion_path")), second.rootHash());
      JsonNode event = fx.get("/api/v1/audit/events/" + id).json();
      assertThat(event.get("log_index").asLong()).isEqualTo(proof.get("leaf_index").asLong());
    }
    LogProofs.verifyConsistency(first.size(), second.size(), log.consistency(first.size(), second.size()),
        first.rootHash(), second.rootHash());
  }

  @Test
  void theIntegratorSignsNewEventsWithinMomentsByItself() throws LogProofException {
    long before = log.checkpoint().size();
    String id = log.store("log-background", 1).get(0);
    await().atMost(Duration.ofSeconds(3)).pollInterval(Duration.ofMillis(50))
        .until(() -> fx.get("/api/v1/audit/events/" + id).json().has("log_index"));
    assertThat(log.checkpoint().size()).isGreaterThan(before);
  }

  @Test
  void queriesShowTheLogIndexOnEveryIntegratedEvent() {
    log.store("log-query", 3);
    log.integrate();
    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=log-query").json().get("data");
    assertThat(page).hasSize(3);
    page.forEach(e -> assertThat(e.get("log_index").isIntegralNumber()).as(e.toString()).isTrue());
  }

  @Test
  void anEventWhoseRowIsPurgedStaysProvableByItsHash() throws LogProofException {
    String id = log.store("log-purged", 2).get(0);
    log.integrate();
    Checkpoint checkpoint = log.checkpoint();
    byte[] leafBefore = LogFixture.hash(log.inclusion(id, checkpoint.size()).get("leaf_hash"));
    Superuser.tamper(fx.jdbcUrl(), "DELETE FROM audit_events WHERE event_id = '" + id + "'");

    JsonNode proof = log.inclusion(id, checkpoint.size());
    assertThat(proof.get("event").isNull()).isTrue();
    assertThat(LogFixture.hash(proof.get("leaf_hash"))).isEqualTo(leafBefore);
    LogProofs.verifyInclusion(leafBefore, proof.get("leaf_index").asLong(), checkpoint.size(),
        LogFixture.hashes(proof.get("inclusion_path")), checkpoint.rootHash());
    JsonNode entry = fx.get("/api/v1/log/entries?start=" + proof.get("leaf_index").asLong() + "&limit=1").json()
        .get("entries").get(0);
    assertThat(entry.get("event_id").asText()).isEqualTo(id);
    assertThat(entry.get("event").isNull()).isTrue();
  }

  @Test
  void entriesAreTheLeavesInOrderWithTheirEvents() throws LogProofException {
    log.store("log-entries", 4);
    log.integrate();
    Checkpoint checkpoint = log.checkpoint();
    List<byte[]> leaves = new ArrayList<>();
    for (long start = 0; start < checkpoint.size(); start += 1000) {
      JsonNode page = fx.get("/api/v1/log/entries?start=" + start + "&limit=1000").json();
      for (JsonNode e : page.get("entries")) {
        assertThat(e.get("leaf_index").asLong()).isEqualTo(leaves.size());
        byte[] leaf = LogFixture.hash(e.get("leaf_hash"));
        if (!e.get("event").isNull()) {
          assertThat(LogFixture.leafOf(e.get("event"))).isEqualTo(leaf);
        }
        leaves.add(leaf);
      }
    }
    assertThat(CompactRange.rootOf(leaves.subList(0, (int) checkpoint.size())))
        .isEqualTo(checkpoint.rootHash());
  }

  @Test
  void badProofRequestsNameTheField() throws LogProofException {
    long size = log.checkpoint().size();
    var beyond = fx.get("/api/v1/log/proof/consistency?first=1&second=" + (size + 1));
    assertThat(beyond.status()).isEqualTo(400);
    assertThat(beyond.json().get("errors").get(0).get("field").asText()).isEqualTo("second");
    var neither = fx.get("/api/v1/log/proof/inclusion");
    assertThat(neither.status()).isEqualTo(400);
    assertThat(neither.body()).contains("event_id");
    var notUuid = fx.get("/api/v1/log/proof/inclusion?event_id=nope");
    assertThat(notUuid.status()).isEqualTo(400);
    var unknown = fx.get("/api/v1/log/proof/inclusion?event_id=0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    assertThat(unknown.status()).isEqualTo(404);
    var tooMany = fx.get("/api/v1/log/entries?limit=1001");
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.body()).contains("limit");
  }

  @Test
  void readersMayVerifyButOnlyAuditorsReadEntries() {
    String reader = fx.token(Role.READER);
    assertThat(fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/log/checkpoint")), reader).status())
        .isEqualTo(200);
    assertThat(fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/log/entries")), reader).status())
        .isEqualTo(403);
  }
}
