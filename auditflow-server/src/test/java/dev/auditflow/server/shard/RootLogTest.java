package dev.auditflow.server.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.server.LifecycleSettings;
import dev.auditflow.server.log.LogSettings;
import dev.auditflow.server.testing.Attacker;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.ShardedStores;
import dev.auditflow.server.trail.TransparencyLog;
import dev.auditflow.verify.EventInclusion;
import dev.auditflow.verify.ExportVerifier;
import dev.auditflow.verify.PublicKeys;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.UUID;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One verifiable log per shard and a root log over them, on a sharded server: every event is
 * proven offline leaf → its shard's checkpoint → the root's checkpoint, by the same check
 * {@code auditflow log prove} runs; the root grows consistently; and a shard whose log forks — its
 * tree rewritten and signed again by a node that never saw the old one — is refused by the root,
 * whose witnesses see no fork.
 */
class RootLogTest {
  private static ArrayNode batch(String correlation, int n) {
    ArrayNode events = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < n; i++) {
      events.add(EventJson.valid(correlation));
    }
    return events;
  }

  private static List<String> post(ServerFixture fx, String correlation, int n) {
    var answer = fx.postJson("/api/v1/audit/events/batch", batch(correlation, n).toString());
    assertThat(answer.status()).as(answer.body()).isEqualTo(201);
    List<String> ids = new ArrayList<>();
    answer.json().get("event_ids").forEach(id -> ids.add(id.asText()));
    return ids;
  }

  /** The proof as {@code auditflow log prove} writes it: the server's answer and the root checkpoint. */
  private static ObjectNode proof(ServerFixture fx, String eventId) throws LogProofException {
    String checkpoint = fx.get("/api/v1/log/checkpoint").body();
    var answer = fx.get("/api/v1/log/proof/inclusion?event_id=" + eventId + "&tree_size="
        + Checkpoint.parse(checkpoint).size());
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    ObjectNode proof = (ObjectNode) answer.json();
    proof.put("checkpoint", checkpoint);
    return proof;
  }

  private static ExportVerifier.Result verifyNdjson(ServerFixture fx) throws Exception {
    var export = fx.get("/api/v1/audit/export?format=ndjson&event_category=test");
    assertThat(export.status()).as(export.body()).isEqualTo(200);
    PublicKey key = PublicKeys.fromPem(fx.get("/api/v1/audit/signing-key?format=pem").body());
    return new ExportVerifier(key, null).verify(new ByteArrayInputStream(export.body().getBytes(StandardCharsets.UTF_8)));
  }

  private static NoteKey rootKey(ServerFixture fx) {
    return NoteKey.parse(fx.get("/api/v1/log/key").json().get("verifier_key").asText());
  }

  @Test
  void everyEventIsProvenThroughItsShardToTheRootAndAForkedShardIsRefused() throws Exception {
    Path keyFile = Files.createTempDirectory("auditflow-root-log").resolve("signing.key");
    try (ShardedStores stores = ShardedStores.create(4, "a", "b")) {
      String onA = stores.correlationOn("a", "root");
      String onB = stores.correlationOn("b", "root");
      List<String> aIds;
      String rootBefore;
      try (ServerFixture fx = ServerFixture.onDatabase(stores.catalog(),
          b -> b.shards(stores.shards()).lifecycle(new LifecycleSettings(keyFile, List.of(), Duration.ofHours(1), 100_000)))) {
        aIds = post(fx, onA, 5);
        List<String> bIds = post(fx, onB, 7);
        LogRounds.integrateAll(fx.server());
        NoteKey key = rootKey(fx);
        for (String id : aIds) {
          EventInclusion.Proven proven = EventInclusion.check(proof(fx, id), key);
          assertThat(proven.shard()).isEqualTo("a");
          assertThat(proven.shardSize()).isEqualTo(5);
        }
        for (String id : bIds) {
          assertThat(EventInclusion.check(proof(fx, id), key).shard()).isEqualTo("b");
        }

        // What the check refuses: an event changed after it was logged, another record, another key.
        ObjectNode changed = proof(fx, aIds.get(0));
        ((ObjectNode) changed.get("event")).put("event_action", "forged");
        assertThatThrownBy(() -> EventInclusion.check(changed, key)).isInstanceOf(LogProofException.class)
            .hasMessageContaining("was changed after it was logged");
        ObjectNode otherShard = proof(fx, aIds.get(1));
        otherShard.put("shard_checkpoint", proof(fx, bIds.get(0)).get("shard_checkpoint").asText());
        assertThatThrownBy(() -> EventInclusion.check(otherShard, key)).isInstanceOf(LogProofException.class)
            .hasMessageContaining("is not shard a's checkpoint of this proof");
        ObjectNode recordChanged = proof(fx, aIds.get(2));
        ((ObjectNode) recordChanged.at("/root/record/event_data")).put("tree_size", 99);
        assertThatThrownBy(() -> EventInclusion.check(recordChanged, key)).isInstanceOf(LogProofException.class);

        // An NDJSON export proves every event through its shard's checkpoint, which its header carries.
        ExportVerifier.Result exported = verifyNdjson(fx);
        assertThat(exported.findings()).isEmpty();
        assertThat(exported.eventsInLog()).isEqualTo(12);
        assertThat(exported.chains()).isEqualTo(2);
        Attacker.rewriteEventAndChain(stores.shards().get("b"), UUID.fromString(bIds.get(3)), "{\"n\":5}");
        assertThat(verifyNdjson(fx).findings()).singleElement().satisfies(f -> {
          assertThat(f.kind()).isEqualTo("log_inclusion_failed");
          assertThat(f.detail()).contains(bIds.get(3)).contains("changed after it was logged");
        });

        // More events: the root grows, consistently with what a witness kept — and so does shard a's
        // own log, which a witness may watch too (/api/v1/log/shards/a/…, under the shard's key).
        rootBefore = fx.get("/api/v1/log/checkpoint").body();
        String shardBefore = fx.get("/api/v1/log/shards/a/checkpoint").body();
        JsonNode shardKey = fx.get("/api/v1/log/shards/a/key").json();
        assertThat(shardKey.get("origin").asText()).isEqualTo(Checkpoint.parse(shardBefore).origin())
            .isNotEqualTo(Checkpoint.parse(rootBefore).origin());
        Checkpoint.verified(shardBefore, NoteKey.parse(shardKey.get("verifier_key").asText()));
        post(fx, onA, 3);
        LogRounds.integrateAll(fx.server());
        assertRootGrewFrom(fx, rootBefore);
        assertGrewFrom(fx, "/api/v1/log/shards/a", shardBefore);
        assertThat(fx.get("/api/v1/log/shards/nope/checkpoint").status()).isEqualTo(404);
        assertThat(EventInclusion.check(proof(fx, aIds.get(0)), key).shardSize()).isEqualTo(8);
        rootBefore = fx.get("/api/v1/log/checkpoint").body();
      }

      // Shard a's tree rewritten (its leaves reordered), and a node that never saw the old tree signs it.
      Attacker.rewriteTree(stores.shards().get("a"), leaves -> {
        List<Attacker.Leaf> reordered = new ArrayList<>(leaves);
        Collections.reverse(reordered);
        return reordered;
      });
      try (ServerFixture fx = ServerFixture.onDatabase(stores.catalog(),
          b -> b.shards(stores.shards()).lifecycle(new LifecycleSettings(keyFile, List.of(), Duration.ofHours(1), 100_000)))) {
        ShardedTrail sharded = (ShardedTrail) fx.server().trail();
        await().atMost(Duration.ofSeconds(30)).until(() -> sharded.log().refused().containsKey("a"));
        assertThat(sharded.log().refused().get("a")).contains("has another root than the one the root log took");
        assertThat(fx.server().registry().get("auditflow.shard.log.forked").gauge().value()).isEqualTo(1.0);
        List<String> later = post(fx, onA, 2);
        LogRounds.integrateAll(fx.server());
        assertThat(fx.get("/api/v1/log/proof/inclusion?event_id=" + later.get(0)).status())
            .as("not provable through the root while its shard's log is refused").isEqualTo(404);
        // The root's witnesses see a log that only grew.
        assertRootGrewFrom(fx, rootBefore);
        // A proof made from the rewritten tree does not lead to what the root took: the rewrite shows.
        ObjectNode fromForgedTree = proof(fx, aIds.get(0));
        assertThatThrownBy(() -> EventInclusion.check(fromForgedTree, rootKey(fx))).isInstanceOf(LogProofException.class)
            .hasMessageContaining("is not in the tree of 8 leaves");
        // Shard b is unaffected.
        post(fx, onB, 1);
        LogRounds.integrateAll(fx.server());
        assertThat(sharded.log().refused()).containsOnlyKeys("a");
      }
    }
  }

  private static void assertRootGrewFrom(ServerFixture fx, String before) throws LogProofException {
    assertGrewFrom(fx, "/api/v1/log", before);
  }

  /** The log at {@code logPath} now extends {@code before}: its consistency proof verifies. */
  private static void assertGrewFrom(ServerFixture fx, String logPath, String before) throws LogProofException {
    Checkpoint old = Checkpoint.parse(before);
    Checkpoint now = Checkpoint.parse(fx.get(logPath + "/checkpoint").body());
    assertThat(now.origin()).isEqualTo(old.origin());
    if (now.size() == old.size()) {
      assertThat(now.rootHash()).isEqualTo(old.rootHash());
      return;
    }
    JsonNode proof = fx.get(logPath + "/proof/consistency?first=" + old.size() + "&second=" + now.size()).json();
    List<byte[]> path = new ArrayList<>();
    proof.get("consistency_path").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
    LogProofs.verifyConsistency(old.size(), now.size(), path, old.rootHash(), now.rootHash());
  }

  @Test
  void aShardsCheckpointIsTakenOnceThoughTwoNodesRoundAtOnce() throws Exception {
    Path keyFile = Files.createTempDirectory("auditflow-root-log").resolve("signing.key");
    try (ShardedStores stores = ShardedStores.create(2, "a");
        ServerFixture one = ServerFixture.onDatabase(stores.catalog(),
            b -> b.shards(stores.shards()).lifecycle(new LifecycleSettings(keyFile, List.of(), Duration.ofHours(1), 100_000)));
        ServerFixture two = ServerFixture.onDatabase(stores.catalog(),
            b -> b.shards(stores.shards()).lifecycle(new LifecycleSettings(keyFile, List.of(), Duration.ofHours(1), 100_000)))) {
      for (int i = 0; i < 5; i++) {
        post(one, "root-twice-" + i, 2);
        Thread rival = new Thread(() -> LogRounds.integrateAll(two.server()));
        rival.start();
        LogRounds.integrateAll(one.server());
        rival.join();
      }
      LogRounds.integrateAll(one.server());
      JsonNode records = one.get("/api/v1/audit/events?correlation_id=auditflow:shard:a&limit=100&order=asc").json()
          .get("data");
      List<Long> sizes = new ArrayList<>();
      records.forEach(r -> sizes.add(r.get("event_data").get("tree_size").asLong()));
      assertThat(sizes).as("each taken once, in growing order").isSorted().doesNotHaveDuplicates();
      assertThat(sizes.get(sizes.size() - 1)).isEqualTo(10);
    }
  }

  /**
   * A shard's leaves are waiting until the root has taken a checkpoint covering them — only then
   * are they provable through the root — so the root's queue counts them: "nothing queued" is
   * "everything provable", which a reader (the console, a test) may wait for.
   */
  @Test
  void aShardsLeavesCountAsQueuedUntilTheRootHasTakenThem() throws LogProofException {
    try (ShardedStores stores = ShardedStores.create(4, "a", "b");
        ServerFixture fx = ServerFixture.onDatabase(stores.catalog(),
            b -> b.shards(stores.shards()).log(new LogSettings(true, Duration.ofHours(1), 20_000)))) {
      LogRounds.integrateAll(fx.server());
      TransparencyLog root = fx.server().trail().log();
      List<String> ids = post(fx, stores.correlationOn("a", "waiting"), 3);
      assertThat(root.queuedEvents()).isEqualTo(3);

      TransparencyLog shardA = root.shardLog("a").orElseThrow();
      assertThat(shardA.integrate().integrated()).isEqualTo(3);
      assertThat(shardA.queuedEvents()).isZero();
      assertThat(root.queuedEvents()).as("integrated on shard a, not yet taken by the root").isEqualTo(3);
      assertThat(fx.get("/api/v1/log/proof/inclusion?event_id=" + ids.get(0) + "&tree_size=" + root.state().size())
          .status()).as("not provable through the root yet").isNotEqualTo(200);

      LogRounds.integrateAll(fx.server());
      assertThat(root.queuedEvents()).isZero();
      for (String id : ids) {
        assertThat(proof(fx, id).get("shard").asText()).isEqualTo("a");
      }
    }
  }
}
