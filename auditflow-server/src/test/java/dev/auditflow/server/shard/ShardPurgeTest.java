package dev.auditflow.server.shard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.LifecycleSettings;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.ShardedStores;
import dev.auditflow.server.testing.Superuser;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Retention across shards: one purge run purges every shard's expired events within one budget, each
 * shard recording its own run and its chains' purge records (so the chains still verify), and a
 * legal hold placed in the catalog keeps a chain on a shard — until it is released.
 */
class ShardPurgeTest {
  private static void store(ServerFixture fx, String correlationId, int n, int retentionDays) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    Instant at = Instant.now().minus(40, ChronoUnit.DAYS);
    for (int i = 0; i < n; i++) {
      batch.add(EventJson.valid(correlationId, at.plusSeconds(i)).put("retention_days", retentionDays));
    }
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
  }

  private static JsonNode purge(ServerFixture fx, boolean dryRun) {
    var r = fx.postJson("/api/v1/admin/purge", "{\"dry_run\":" + dryRun + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static long count(ServerFixture fx, String correlationId) {
    return fx.get("/api/v1/audit/events/count?correlation_id=" + correlationId).json().get("count").asLong();
  }

  private static boolean verified(ServerFixture fx, String correlationId) {
    JsonNode answer = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + correlationId + "\"}").json();
    return answer.get("verified").asBoolean();
  }

  @Test
  void everyShardIsPurgedWithinOneRunAndAHoldInTheCatalogKeepsAChainOnItsShard() throws Exception {
    Path signingKey = Files.createTempDirectory("auditflow-shard-purge").resolve("signing.key");
    try (ShardedStores stores = ShardedStores.create(4, "a", "b");
        ServerFixture fx = ServerFixture.onDatabase(stores.catalog(), b -> b.shards(stores.shards())
            .maxEventAge(Duration.ofDays(400)).lifecycle(new LifecycleSettings(signingKey, List.of(), Duration.ZERO,
                100_000)))) {
      // Lower the default policy's floor (30 days as shipped) to 1, as an administrator may.
      var policy = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/admin/retention-policies"))
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString("{\"retention_days\":2555,\"minimum_days\":1}")));
      assertThat(policy.status()).as(policy.body()).isEqualTo(200);
      String expiredOnA = stores.correlationOn("a", "purge-expired");
      String expiredOnB = stores.correlationOn("b", "purge-expired");
      String heldOnB = stores.correlationOn("b", "purge-held");
      String youngOnA = stores.correlationOn("a", "purge-young");
      store(fx, expiredOnA, 5, 1);
      store(fx, expiredOnB, 6, 1);
      store(fx, heldOnB, 4, 1);
      store(fx, youngOnA, 3, 2555);

      var hold = fx.postJson("/api/v1/audit/legal-hold",
          "{\"correlation_id\":\"" + heldOnB + "\",\"reason\":\"litigation\"}");
      assertThat(hold.status()).as(hold.body()).isEqualTo(200);
      assertThat(hold.json().get("events_affected").asLong()).as("counted on its shard").isEqualTo(4);

      JsonNode dry = purge(fx, true);
      assertThat(dry.get("events_purged").asLong()).isEqualTo(11);
      assertThat(count(fx, expiredOnA)).as("a dry run changes nothing").isEqualTo(5);

      JsonNode report = purge(fx, false);
      assertThat(report.get("events_purged").asLong()).isEqualTo(11);
      assertThat(report.get("chains_purged").asLong()).isEqualTo(2);
      assertThat(report.get("held_skipped").asLong()).isEqualTo(4);
      assertThat(count(fx, expiredOnA)).isZero();
      assertThat(count(fx, expiredOnB)).isZero();
      assertThat(count(fx, heldOnB)).as("held in the catalog, kept on its shard").isEqualTo(4);
      assertThat(count(fx, youngOnA)).isEqualTo(3);
      for (String chain : List.of(expiredOnA, expiredOnB, heldOnB, youngOnA)) {
        assertThat(verified(fx, chain)).as(chain + ": purged by policy is not tampering").isTrue();
      }
      // Each shard recorded its own run; the shard's hold row is the catalog's.
      assertThat(count(fx, "auditflow:purge:a")).isEqualTo(1);
      assertThat(count(fx, "auditflow:purge:b")).isEqualTo(1);
      assertThat(Superuser.number(stores.shards().get("b"),
          "SELECT count(*) FROM legal_holds WHERE released_at IS NULL AND correlation_id = '" + heldOnB + "'"))
          .isEqualTo(1);

      var released = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/legal-hold/" + heldOnB))
          .header("Content-Type", "application/json")
          .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"release_reason\":\"settled\"}")));
      assertThat(released.status()).as(released.body()).isEqualTo(200);
      assertThat(released.json().get("events_released").asLong()).isEqualTo(4);
      assertThat(purge(fx, false).get("events_purged").asLong()).isEqualTo(4);
      assertThat(count(fx, heldOnB)).isZero();
      assertThat(Superuser.number(stores.shards().get("b"),
          "SELECT count(*) FROM legal_holds WHERE released_at IS NULL")).as("released on the shard too").isZero();
    }
  }
}
