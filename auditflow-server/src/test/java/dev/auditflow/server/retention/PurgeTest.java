package dev.auditflow.server.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.NoteKey;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.LifecycleSettings;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.testing.EventCountsCheck;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import dev.auditflow.server.trail.ServerVocabulary;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The retention purge on a real PostgreSQL: what goes (expired, unheld, a chain's oldest first),
 * what stays, both ways of removing (row delete, partition drop), and that every chain still
 * verifies afterwards — while tampering with what remains is still caught. Events are stored with
 * old timestamps (the server accepts 400 days back here) and short retention.
 */
class PurgeTest {
  private ServerFixture fx;
  /** Instances sharing a database share the signing key, or each distrusts the others' purge records. */
  private Path signingKey;

  @BeforeEach
  void start() throws Exception {
    signingKey = Files.createTempDirectory("auditflow-purge").resolve("signing.key");
    fx = ServerFixture.start(b -> b.maxEventAge(Duration.ofDays(400)).lifecycle(lifecycle(100_000)));
    allowShortRetention(fx);
  }

  /** Lowers the default policy's floor (30 days as shipped) to 1, as an administrator may. */
  static void allowShortRetention(ServerFixture fx) {
    var r = fx.send(java.net.http.HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/admin/retention-policies"))
        .header("Content-Type", "application/json")
        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"retention_days\":2555,\"minimum_days\":1}")));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private LifecycleSettings lifecycle(long maxEventsPerRun) {
    return new LifecycleSettings(signingKey, List.of(), Duration.ZERO, maxEventsPerRun);
  }

  @AfterEach
  void stop() {
    fx.close();
  }

  /** Stores {@code n} events of one chain, {@code daysAgo} old, keeping {@code retentionDays}; returns their ids. */
  private List<String> store(String correlationId, int n, int daysAgo, Integer retentionDays) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    List<String> ids = new ArrayList<>();
    Instant at = Instant.now().minus(daysAgo, ChronoUnit.DAYS);
    for (int i = 0; i < n; i++) {
      var event = EventJson.valid(correlationId, at.plusSeconds(i));
      if (retentionDays != null) {
        event.put("retention_days", retentionDays);
      }
      ids.add(event.get("event_id").asText());
      batch.add(event);
    }
    assertThat(fx.postJson("/api/v1/audit/events/batch", batch.toString()).status()).isEqualTo(201);
    return ids;
  }

  private JsonNode purge(boolean dryRun) {
    var r = fx.postJson("/api/v1/admin/purge", "{\"dry_run\":" + dryRun + "}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private long stored(String correlationId) {
    return Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_events WHERE correlation_id = '" + correlationId + "'");
  }

  private JsonNode verify(String correlationId) {
    return fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + correlationId + "\"}").json();
  }

  @Test
  void expiredEventsGoAndTheChainStillVerifiesAndGrows() {
    store("expired", 5, 40, 1);
    store("young", 3, 40, 2555);

    JsonNode report = purge(false);

    assertThat(report.get("events_purged").asLong()).isEqualTo(5);
    assertThat(report.get("chains_purged").asLong()).isEqualTo(1);
    assertThat(stored("expired")).isZero();
    assertThat(stored("young")).isEqualTo(3);
    assertThat(verify("expired").get("verified").asBoolean()).as("purged by policy is not tampering").isTrue();
    store("expired", 2, 0, null);
    assertThat(verify("expired").get("verified").asBoolean()).as("the chain goes on from the purged head").isTrue();
    assertThat(verify("young").get("verified").asBoolean()).isTrue();
  }

  @Test
  void purgedEventsStayLeavesOfTheLogProvableByTheirHash() throws Exception {
    List<String> ids = store("purged-logged", 3, 40, 1);
    LogRounds.integrateAll(fx.server());
    Checkpoint before = Checkpoint.verified(fx.get("/api/v1/log/checkpoint").body(),
        NoteKey.parse(fx.get("/api/v1/log/key").json().get("verifier_key").asText()));

    assertThat(purge(false).get("events_purged").asLong()).isEqualTo(3);
    assertThat(stored("purged-logged")).isZero();

    for (String id : ids) {
      JsonNode proof = fx.get("/api/v1/log/proof/inclusion?event_id=" + id + "&tree_size=" + before.size()).json();
      assertThat(proof.get("event").isNull()).as("the row is gone").isTrue();
      List<byte[]> path = new ArrayList<>();
      proof.get("inclusion_path").forEach(h -> path.add(Base64.getDecoder().decode(h.asText())));
      LogProofs.verifyInclusion(Base64.getDecoder().decode(proof.get("leaf_hash").asText()),
          proof.get("leaf_index").asLong(), before.size(), path, before.rootHash());
    }
  }

  @Test
  void aChainLosesOnlyItsExpiredPrefixAndTamperingWithTheRestIsCaught() {
    store("mixed", 3, 40, 1);
    store("mixed", 2, 1, 2555);

    assertThat(purge(false).get("events_purged").asLong()).isEqualTo(3);

    assertThat(stored("mixed")).isEqualTo(2);
    assertThat(verify("mixed").get("verified").asBoolean()).isTrue();
    Superuser.tamper(fx.jdbcUrl(), "UPDATE audit_events SET event_type = 'forged' WHERE correlation_id = 'mixed'"
        + " AND chain_position = 4");
    JsonNode broken = verify("mixed");
    assertThat(broken.get("verified").asBoolean()).isFalse();
    assertThat(broken.at("/first_break/reason").asText()).isEqualTo("modified_content");
    assertThat(broken.at("/first_break/position").asLong()).isEqualTo(4);
  }

  @Test
  void anExpiredEventBehindAYoungerOneInItsChainWaits() {
    store("blocked", 1, 40, 2555);
    store("blocked", 2, 39, 1);

    assertThat(purge(false).get("events_purged").asLong()).isZero();
    assertThat(stored("blocked")).isEqualTo(3);
    assertThat(verify("blocked").get("verified").asBoolean()).isTrue();
  }

  @Test
  void aDeletionWithoutAPurgeRecordIsStillTampering() {
    store("deleted", 4, 40, 1);
    Superuser.tamper(fx.jdbcUrl(), "DELETE FROM audit_events WHERE correlation_id = 'deleted' AND chain_position <= 2");
    JsonNode result = verify("deleted");
    assertThat(result.at("/first_break/reason").asText()).isEqualTo("missing_position");

    // ...and the purge does not paper over it: the chain's prefix is not intact, so it is left alone.
    assertThat(purge(false).get("events_purged").asLong()).isZero();
    assertThat(verify("deleted").at("/first_break/reason").asText()).isEqualTo("missing_position");
  }

  @Test
  void aForgedOrAlteredPurgeRecordIsCaught() throws Exception {
    store("recorded", 3, 40, 1);
    store("recorded", 1, 0, 2555);
    purge(false);
    assertThat(verify("recorded").get("verified").asBoolean()).isTrue();

    // The records are append-only...
    assertThatThrownBy(() -> Superuser.execute(fx.jdbcUrl(),
        "UPDATE audit_purge_records SET purged_through = 4 WHERE correlation_id = 'recorded'"))
        .hasMessageContaining("append-only");
    // ...and one changed behind the triggers' back no longer matches its signature.
    Superuser.tamper(fx.jdbcUrl(),
        "UPDATE audit_purge_records SET purged_at = purged_at + interval '1 second' WHERE correlation_id = 'recorded'");
    JsonNode result = verify("recorded");
    assertThat(result.at("/first_break/reason").asText()).isEqualTo("invalid_purge_record");
    assertThat(result.at("/first_break/detail").asText()).contains("does not match its signature");
  }

  @Test
  void heldEventsStayUntilTheHoldIsReleasedAndTheDatabaseItselfRefuses() throws Exception {
    store("held", 3, 40, 1);
    assertThat(fx.postJson("/api/v1/audit/legal-hold", "{\"correlation_id\":\"held\",\"reason\":\"case 7\"}").status())
        .isEqualTo(200);
    store("held", 1, 39, 1); // arrives after the hold: held too

    JsonNode report = purge(false);
    assertThat(report.get("events_purged").asLong()).isZero();
    assertThat(report.get("held_skipped").asLong()).isEqualTo(4);
    assertThat(stored("held")).isEqualTo(4);
    assertThatThrownBy(() -> Superuser.execute(fx.jdbcUrl(), "SELECT auditflow_purge_events('held', 1, 4)"))
        .hasMessageContaining("legal hold");

    var released = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/legal-hold/held"))
        .header("Content-Type", "application/json")
        .method("DELETE", HttpRequest.BodyPublishers.ofString("{\"release_reason\":\"case closed\"}")));
    assertThat(released.status()).isEqualTo(200);
    assertThat(purge(false).get("events_purged").asLong()).isEqualTo(4);
    assertThat(stored("held")).isZero();
    assertThat(verify("held").get("verified").asBoolean()).isTrue();
  }

  @Test
  void aMonthThatExpiredWholeIsDroppedAsAPartitionAndAMixedMonthIsPurgedRowByRow() {
    Instant old = Instant.now().minus(100, ChronoUnit.DAYS);
    String oldMonth = "audit_events_" + old.atOffset(ZoneOffset.UTC).getYear() + "_"
        + String.format("%02d", old.atOffset(ZoneOffset.UTC).getMonthValue());
    Instant older = Instant.now().minus(200, ChronoUnit.DAYS);
    String olderMonth = "audit_events_" + older.atOffset(ZoneOffset.UTC).getYear() + "_"
        + String.format("%02d", older.atOffset(ZoneOffset.UTC).getMonthValue());
    store("whole-a", 4, 100, 1);
    store("whole-b", 2, 100, 1);
    store("mixed-month-expired", 3, 200, 1);
    store("mixed-month-kept", 2, 200, 2555);

    JsonNode report = purge(false);

    assertThat(report.get("partitions_dropped").asLong()).isEqualTo(1);
    assertThat(report.get("events_purged").asLong()).isEqualTo(9);
    assertThat(partitionExists(oldMonth)).as(oldMonth + " dropped").isFalse();
    assertThat(partitionExists(olderMonth)).as(olderMonth + " kept: it still holds young events").isTrue();
    assertThat(stored("mixed-month-expired")).isZero();
    assertThat(stored("mixed-month-kept")).isEqualTo(2);
    assertThat(EventCountsCheck.disagreements(fx.jdbcUrl())).as("totals after a row delete and a partition drop")
        .isEmpty();
    for (String chain : List.of("whole-a", "whole-b", "mixed-month-expired", "mixed-month-kept")) {
      assertThat(verify(chain).get("verified").asBoolean()).as(chain).isTrue();
    }
    // A late event for the dropped month gets its partition back.
    ArrayNode late = AuditEventJson.mapper().createArrayNode().add(EventJson.valid("late", old));
    assertThat(fx.postJson("/api/v1/audit/events/batch", late.toString()).status()).isEqualTo(201);
  }

  private boolean partitionExists(String name) {
    return Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM pg_class WHERE relname = '" + name + "'") == 1;
  }

  @Test
  void aDryRunCountsExactlyAndChangesNothing() {
    store("dry-a", 4, 40, 1);
    store("dry-b", 2, 100, 1);

    JsonNode dry = purge(true);
    assertThat(dry.get("dry_run").asBoolean()).isTrue();
    assertThat(stored("dry-a") + stored("dry-b")).isEqualTo(6);
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_purge_records")).isZero();

    JsonNode real = purge(false);
    assertThat(dry.get("events_purged").asLong()).isEqualTo(real.get("events_purged").asLong()).isEqualTo(6);
    assertThat(dry.get("partitions_dropped").asLong()).isEqualTo(real.get("partitions_dropped").asLong());
  }

  @Test
  void aRunStopsAtItsBudgetAndTheNextResumes() {
    try (ServerFixture small = ServerFixture.onDatabase(fx.jdbcUrl(), b -> b.maxEventAge(Duration.ofDays(400))
        .lifecycle(lifecycle(4)))) {
      store("budget", 10, 40, 1);
      store("budget-anchor", 1, 40, 2555); // keeps the month's partition: the budget bounds row deletes
      List<Long> runs = new ArrayList<>();
      for (int i = 0; i < 5 && stored("budget") > 0; i++) {
        var r = small.postJson("/api/v1/admin/purge", "{}");
        assertThat(r.status()).isEqualTo(200);
        runs.add(r.json().get("events_purged").asLong());
      }
      assertThat(runs).containsExactly(4L, 4L, 2L);
      var last = small.postJson("/api/v1/admin/purge", "{}").json();
      assertThat(last.get("events_purged").asLong()).isZero();
      assertThat(last.get("complete").asBoolean()).isTrue();
      assertThat(verify("budget").get("verified").asBoolean()).isTrue();
    }
  }

  @Test
  void onePurgerAtATimeAcrossInstancesAndTogetherTheyPurgeEverythingOnce() throws Exception {
    for (int c = 0; c < 20; c++) {
      store("concurrent-" + c, 5, 40, 1);
    }
    // Someone else holds the purge lock: a purge asked for now is refused, not queued.
    try (Connection other = DriverManager.getConnection(fx.jdbcUrl()); Statement s = other.createStatement()) {
      s.execute("SELECT pg_advisory_lock(" + 0x6175647075726765L + ")");
      var refused = fx.postJson("/api/v1/admin/purge", "{}");
      assertThat(refused.status()).isEqualTo(409);
      assertThat(refused.json().get("detail").asText()).contains("already running");
    }
    ServerConfig second = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(fx.jdbcUrl()).poolSize(4)
        .maxEventAge(Duration.ofDays(400)).lifecycle(lifecycle(7)).build();
    try (AuditServer other = AuditServer.start(second)) {
      ExecutorService pool = Executors.newFixedThreadPool(2);
      List<Future<Long>> purgers = new ArrayList<>();
      for (URI base : List.of(fx.baseUri(), URI.create("http://127.0.0.1:" + other.port()))) {
        purgers.add(pool.submit(purgeUntilDone(base)));
      }
      long total = 0;
      for (Future<Long> f : purgers) {
        total += f.get();
      }
      pool.shutdown();
      assertThat(total).isEqualTo(100);
    }
    for (int c = 0; c < 20; c++) {
      assertThat(verify("concurrent-" + c).get("verified").asBoolean()).isTrue();
    }
  }

  /** Purges through {@code base} until nothing is left; 409s (the other instance busy) are retried. */
  private Callable<Long> purgeUntilDone(URI base) {
    return () -> {
      HttpClient http = HttpClient.newHttpClient();
      long purged = 0;
      while (Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM audit_events WHERE correlation_id LIKE 'concurrent-%'") > 0) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/admin/purge"))
            .header("Authorization", "Bearer " + fx.adminToken()).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 409);
        if (r.statusCode() == 200) {
          purged += AuditEventJson.mapper().readTree(r.body()).get("events_purged").asLong();
        }
      }
      return purged;
    };
  }

  @Test
  void eachPurgeIsItselfAnAuditEventAndCounted() {
    store("counted", 3, 40, 1);
    purge(false);

    JsonNode events = fx.get("/api/v1/audit/events?correlation_id=auditflow:purge").json().get("data");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("event_type").asText()).isEqualTo(ServerVocabulary.PURGED);
    assertThat(events.get(0).at("/event_data/events_purged").asLong()).isEqualTo(3);
    assertThat(fx.get("/metrics").body()).containsPattern("auditflow_purge_events_total(\\{[^}]*\\})? 3\\.0");
  }

  @Test
  void serveRunsThePurgeOnItsSchedule() throws Exception {
    try (ServerFixture scheduled = ServerFixture.onDatabase(fx.jdbcUrl(), b -> b.maxEventAge(Duration.ofDays(400))
        .lifecycle(new LifecycleSettings(signingKey, List.of(), Duration.ofMillis(200), 100_000)))) {
      store("scheduled", 3, 40, 1);
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> stored("scheduled") == 0);
      // The run's summary record is written once the run is over, just after the rows went (each
      // removal's own record commits with it): wait for it rather than race it.
      JsonNode record = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(
          () -> scheduled.get("/api/v1/audit/events?correlation_id=auditflow:purge").json().get("data").get(0),
          Objects::nonNull);
      assertThat(record.get("actor_id").asText()).as("the schedule, not a caller").isEqualTo("auditflow");
      assertThat(verify("scheduled").get("verified").asBoolean()).isTrue();
    }
  }
}
