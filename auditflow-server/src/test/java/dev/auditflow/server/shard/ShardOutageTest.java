package dev.auditflow.server.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.ProblemType;
import dev.auditflow.api.UuidV7;
import dev.auditflow.server.failure.ServiceException;
import dev.auditflow.server.testing.CuttingProxy;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.ShardedStores;
import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One shard's PostgreSQL unreachable (every connection to it cut by a proxy): reads that need it
 * fail naming it — a count over it is an error, never a smaller number — while reads of the other
 * shard keep answering; a batch that spans both says what it stored; once the shard is back, the
 * retry stores the rest and every read answers whole.
 */
class ShardOutageTest {
  private static final Duration SHORT = Duration.ofMillis(200);

  private static AuditEvent event(String correlation) {
    return AuditEvent.builder().eventId(UuidV7.generate()).eventTimestamp(Instant.now()).eventType("outage.t")
        .eventCategory("outage").eventAction("write").eventOutcome(EventOutcome.SUCCESS).correlationId(correlation)
        .eventData(Map.of()).build();
  }

  @Test
  void aMissingShardIsNamedAndTheOthersKeepAnswering() throws Exception {
    try (ShardedStores stores = ShardedStores.create(4, "a", "b")) {
      URI direct = URI.create(stores.shards().get("b").substring("jdbc:".length()));
      try (CuttingProxy proxy = new CuttingProxy(direct.getHost(), direct.getPort());
          // A short connection timeout: each read that needs the cut shard waits for it once.
          ServerFixture fx = ServerFixture.onDatabase(stores.catalog(), builder -> builder
              .connectionTimeout(Duration.ofMillis(500)).shards(Map.of(
              "a", stores.shards().get("a"),
              "b", "jdbc:postgresql://127.0.0.1:" + proxy.port() + direct.getRawPath() + "?" + direct.getRawQuery())))) {
        ShardedTrail sharded = (ShardedTrail) fx.server().trail();
        String onA = stores.correlationOn("a", "outage");
        String onB = stores.correlationOn("b", "outage");
        AuditEvent firstOnA = event(onA);
        sharded.append(List.of(firstOnA, event(onB)), "outage-test");
        EventFilter all = new EventFilter(Map.of("event_category", "outage"), null, null);
        EventFilter ofA = new EventFilter(Map.of("correlation_id", onA), null, null);
        assertThat(sharded.count(all)).isEqualTo(2);

        proxy.cutEveryTime("");
        assertThatThrownBy(() -> sharded.count(all)).isInstanceOfSatisfying(ShardUnavailableException.class, e -> {
          assertThat(e.shard()).isEqualTo("b");
          assertThat(e.problem(new ServiceException.Answering(false, SHORT)).detail())
              .startsWith("shard b is unavailable, and the answer needs its events");
        });
        var ready = fx.get("/health/ready");
        assertThat(ready.status()).isEqualTo(200);
        assertThat(ready.json().get("status").asText()).isEqualTo("DEGRADED");
        assertThat(ready.json().get("shards").get("a").asText()).isEqualTo("up");
        assertThat(ready.json().get("shards").get("b").asText()).isEqualTo("down");
        // Over HTTP: 503, the shard named, and a client's retry told when.
        var counted = fx.get("/api/v1/audit/events/count?event_category=outage");
        assertThat(counted.status()).as(counted.body()).isEqualTo(503);
        assertThat(counted.json().get("detail").asText()).startsWith("shard b is unavailable");
        assertThat(counted.header("Retry-After")).isNotNull();
        assertThatThrownBy(() -> sharded.list(all, new Page(10, false, null)))
            .isInstanceOfSatisfying(ShardUnavailableException.class, e -> assertThat(e.shard()).isEqualTo("b"));
        // What lives on a is answered: it does not need b.
        assertThat(sharded.count(ofA)).isEqualTo(1);
        assertThat(sharded.list(ofA, new Page(10, false, null)).events()).hasSize(1);
        assertThat(sharded.byId(firstOnA.eventId())).isPresent();
        assertThatThrownBy(() -> sharded.byId(UUID.randomUUID())).as("not found is only said when every shard answered")
            .isInstanceOf(ShardUnavailableException.class);

        // A batch over both: a's part is stored, and the answer says so.
        List<AuditEvent> spanning = List.of(event(onA), event(onB), event(onA));
        assertThatThrownBy(() -> sharded.append(spanning, "outage-test"))
            .isInstanceOfSatisfying(ShardUnavailableException.class, e -> {
              assertThat(e.shard()).isEqualTo("b");
              assertThat(e.problem(new ServiceException.Answering(true, SHORT)).type())
                  .isEqualTo(ProblemType.OUTCOME_UNKNOWN.uri());
            });
        assertThat(sharded.count(ofA)).isEqualTo(3);

        proxy.disarm();
        await().atMost(Duration.ofSeconds(30)).pollInterval(SHORT)
            .until(() -> fx.get("/health/ready").json().get("status").asText().equals("UP"));
        // The client's retry of the same ids: a's are duplicates, b's is stored now.
        List<UUID> retried = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(SHORT).ignoreException(ShardUnavailableException.class)
            .until(() -> retried.addAll(sharded.append(spanning, "outage-test")));
        assertThat(retried).containsExactly(spanning.get(1).eventId());
        // The read pool reconnects on its own: an attempt begun during the cut fails first (503, as above).
        await().atMost(Duration.ofSeconds(30)).pollInterval(SHORT).ignoreException(ShardUnavailableException.class)
            .until(() -> sharded.count(all) == 5);
        assertThat(Set.copyOf(ShardedTrailTest.ids(sharded, all, 2, true))).hasSize(5);
      }
    }
  }
}
