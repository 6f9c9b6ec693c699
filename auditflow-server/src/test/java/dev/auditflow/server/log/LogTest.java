package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.Tile;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

  /** Thousands of leaves: proofs need nodes above the stored levels (8, 16), folded from below. */
  @Test
  void proofsOfALargerTreeVerifyAtEveryCheckpoint() throws LogProofException {
    List<Checkpoint> checkpoints = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int batch = 0; batch < 6; batch++) {
      ids.addAll(log.store("log-large-" + batch % 3, 700));
      log.integrate();
      checkpoints.add(log.checkpoint());
    }
    Checkpoint last = checkpoints.get(checkpoints.size() - 1);
    for (Checkpoint earlier : checkpoints.subList(0, checkpoints.size() - 1)) {
      LogProofs.verifyConsistency(earlier.size(), last.size(), log.consistency(earlier.size(), last.size()),
          earlier.rootHash(), last.rootHash());
    }
    java.util.Random random = new java.util.Random(11);
    for (int i = 0; i < 40; i++) {
      JsonNode proof = log.inclusion(ids.get(random.nextInt(ids.size())), last.size());
      LogProofs.verifyInclusion(LogFixture.leafOf(proof.get("event")), proof.get("leaf_index").asLong(), last.size(),
          LogFixture.hashes(proof.get("inclusion_path")), last.rootHash());
    }
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
  void tilesAreTheTreeAsC2spTlogTilesDescribesIt() throws Exception {
    log.store("log-tiles", 600);
    log.integrate();
    Checkpoint checkpoint = log.checkpoint();
    long size = checkpoint.size();
    List<byte[]> leaves = new ArrayList<>();
    for (long start = 0; start < size; start += 1000) {
      fx.get("/api/v1/log/entries?start=" + start + "&limit=1000").json().get("entries")
          .forEach(e -> leaves.add(LogFixture.hash(e.get("leaf_hash"))));
    }
    List<byte[]> fromTiles = new ArrayList<>();
    for (long n = 0; n * 256 < size; n++) {
      int width = (int) Math.min(256, size - n * 256);
      byte[] tile = log.tile(new Tile(0, n, width));
      assertThat(tile).hasSize(width * 32);
      for (int i = 0; i < width; i++) {
        fromTiles.add(Arrays.copyOfRange(tile, i * 32, i * 32 + 32));
      }
      if (width == 256) {
        // level 1 holds the hash of each full level-0 tile
        byte[] level1 = log.tile(new Tile(1, 0, (int) (size / 256)));
        assertThat(Arrays.copyOfRange(level1, (int) n * 32, (int) n * 32 + 32)).isEqualTo(CompactRange.rootOf(
            fromTiles.subList((int) n * 256, (int) n * 256 + 256)));
      }
    }
    assertThat(fromTiles).usingElementComparator(Arrays::compare)
        .containsExactlyElementsOf(leaves.subList(0, (int) size)); // (entries may have grown since)
    assertThat(CompactRange.rootOf(fromTiles)).isEqualTo(checkpoint.rootHash());

    // (the log keeps growing under this per-class fixture: access records of the reads above)
    Tile beyond = new Tile(0, size / 256 + 100, 1);
    assertThat(fx.get("/api/v1/log/" + beyond.path()).status()).isEqualTo(404);
    assertThat(fx.get("/api/v1/log/tile/00/000").status()).isEqualTo(404);
    assertThat(fx.get("/api/v1/log/tile/0/x000/000").status()).isEqualTo(404);
    // An index past 2^63 is no tile either, not an arithmetic overflow (hardening finding 14).
    var overflow = fx.get("/api/v1/log/tile/0/x001/x001/x001/x001/x001/x001/x001/000");
    assertThat(overflow.status()).isEqualTo(404);
    assertThat(overflow.json().get("detail").asText()).contains("2^63");
  }

  /** A tile's bytes, as a tile-reading client fetches them. */

  @Test
  void badProofRequestsNameTheField() throws LogProofException {
    // Far beyond: the log keeps growing under this per-class fixture (every read is recorded, and
    // integrated in the background), so size + 1 may be signed by the time the request arrives.
    long size = log.checkpoint().size();
    var beyond = fx.get("/api/v1/log/proof/consistency?first=1&second=" + (size + 1_000_000));
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
