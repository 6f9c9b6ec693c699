package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.cli.jar.PostgresProcess;
import dev.auditflow.server.shard.Placement;
import dev.auditflow.server.testing.Attacker;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The trail over a catalog and two shard databases, through the built jar as an operator runs it:
 * {@code shards init} places the partitions (once; a different placement is refused), {@code serve}
 * takes the shards from the environment, events land on their correlation's shard, queries page
 * over both exactly, a chain verifies, {@code log prove} proves an event through its shard's log to
 * the root online and offline, {@code log verify} witnesses the root, an export of both shards'
 * chains passes {@code verify-export} with every event proven, and {@code purge} runs over every
 * shard. Shard b is a PostgreSQL server of its own; it then crashes (its postmaster SIGKILLed): the
 * node says which shard is down, keeps storing and answering what needs only shard a, refuses what
 * needs b with 503 naming it, and answers everything again once b is restarted on its data. Then
 * tampering: an event rewritten with its chain on shard a is named by {@code log verify --shard a
 * --audit}, an event changed on shard b by {@code verify}. No shard password reaches any output.
 */
class JarShardIT {
  private static final String PASSWORD = "shard-secret-7f3a";
  private static final Duration START = Duration.ofMinutes(2);

  /** The database's URL with a password parameter: trust authentication ignores it, the logs must not show it. */
  private static String withPassword(String url) {
    return url + (url.contains("?") ? "&" : "?") + "password=" + PASSWORD;
  }

  private static int run(JarProcess p) throws Exception {
    return p.run(Duration.ofMinutes(2));
  }

  @Test
  void shardsInitServeQueryVerifyAndProveAcrossTwoShards() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-shards");
    String catalog = TestDatabase.create();
    String a = TestDatabase.create();
    PostgresProcess clusterB = new PostgresProcess(work.resolve("shard-b-pgdata"), RedisServerProcess.freePort()).start();
    String b = clusterB.createDatabase("shard_b");
    List<JarProcess> started = new ArrayList<>();
    try {
      String shardA = "a=" + withPassword(a);
      String shardB = "b=" + withPassword(b);
      JarProcess init = JarProcess.of(work, "shards", "init", "--database-url", catalog, "--shard", shardA,
          "--shard", shardB, "--partitions", "4");
      assertThat(run(init)).as(init.output()).isZero();
      assertThat(init.output()).contains("placed topic auditflow.events: partitions [0, 2] on a,"
          + " partitions [1, 3] on b");
      JarProcess again = JarProcess.of(work, "shards", "init", "--database-url", catalog, "--shard", shardA + "," + shardB,
          "--partitions", "4");
      assertThat(run(again)).as(again.output()).isZero();
      assertThat(again.output()).contains("topic auditflow.events is placed as asked");
      JarProcess otherwise = JarProcess.of(work, "shards", "init", "--database-url", catalog, "--shard", shardA,
          "--partitions", "4");
      assertThat(run(otherwise)).as(otherwise.output()).isEqualTo(1);
      assertThat(otherwise.output()).contains("is already placed otherwise");

      int port = RedisServerProcess.freePort();
      // The shards from the environment, both in one value, as a deployment's secret would hold them.
      JarProcess serve = JarProcess.of(work, Map.of("AUDITFLOW_SHARD", shardA + "," + shardB), "serve", "--host",
          "127.0.0.1", "--port", Integer.toString(port), "--database-url", catalog, "--signing-key-file",
          work.resolve("keys/signing.key").toString()).start();
      started.add(serve);
      URI base = URI.create("http://127.0.0.1:" + port);
      serve.awaitHttp200(base, "/health/ready", START);
      String token = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
      JarApi api = new JarApi(base, token);

      Placement placement = new Placement("auditflow.events", List.of("a", "b", "a", "b"));
      Map<String, List<String>> idsByShard = Map.of("a", new ArrayList<>(), "b", new ArrayList<>());
      Set<String> all = new HashSet<>();
      for (int c = 0; c < 10; c++) {
        String correlation = "jar-shard-" + c;
        ArrayNode events = AuditEventJson.mapper().createArrayNode();
        for (int i = 0; i < 10; i++) {
          ObjectNode event = EventJson.valid(correlation);
          events.add(event);
          idsByShard.get(placement.writtenTo(correlation)).add(event.get("event_id").asText());
          all.add(event.get("event_id").asText());
        }
        HttpResponse<String> stored = api.call("POST", "/api/v1/audit/events/batch", events.toString());
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
      }
      assertThat(idsByShard.get("a")).isNotEmpty();
      assertThat(idsByShard.get("b")).isNotEmpty();
      assertThat(json(api, "/api/v1/audit/events/count?event_category=test").get("count").asLong()).isEqualTo(100);
      for (String order : List.of("asc", "desc")) {
        assertThat(pageAll(api, order)).as(order).containsExactlyInAnyOrderElementsOf(all);
      }
      String onB = idsByShard.get("b").get(0);
      assertThat(json(api, "/api/v1/audit/events/" + onB).get("shard").asText()).isEqualTo("b");

      JarProcess verify = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "verify", "--url", base.toString(),
          "--correlation-id", "jar-shard-3");
      assertThat(run(verify)).as(verify.output()).isZero();

      String key = json(api, "/api/v1/log/key").get("verifier_key").asText();
      String onA = idsByShard.get("a").get(idsByShard.get("a").size() - 1);
      Path proof = work.resolve("proof.json");
      awaitProvable(api, onA);
      JarProcess prove = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "log", "prove", "--url", base.toString(),
          "--event-id", onA, "--key", key, "--out", proof.toString());
      assertThat(run(prove)).as(prove.output()).isZero();
      assertThat(prove.output()).containsPattern("PROVEN: event " + onA + " is leaf \\d+ of shard a's \\d+-leaf log,"
          + " whose checkpoint is in the \\d+-leaf root log signed in its checkpoint");
      JarProcess offline = JarProcess.of(work, "log", "prove", "--check", proof.toString(), "--key", key);
      assertThat(run(offline)).as(offline.output()).isZero();
      ObjectNode forged = (ObjectNode) AuditEventJson.mapper().readTree(proof.toFile());
      ((ObjectNode) forged.get("event")).put("event_outcome", "failure");
      Files.writeString(work.resolve("forged.json"), forged.toString());
      JarProcess caught = JarProcess.of(work, "log", "prove", "--check", work.resolve("forged.json").toString(), "--key",
          key);
      assertThat(run(caught)).as(caught.output()).isEqualTo(1);
      assertThat(caught.output()).contains("NOT PROVEN").contains("changed after it was logged");

      Path kept = work.resolve("witness/checkpoint");
      Files.createDirectories(kept.getParent());
      JarProcess witness = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "log", "verify", "--url",
          base.toString(), "--checkpoint", kept.toString(), "--key", key);
      assertThat(run(witness)).as(witness.output()).isZero();
      // A witness of shard a's own log, under the shard's key.
      String shardKey = json(api, "/api/v1/log/shards/a/key").get("verifier_key").asText();
      Path keptShard = work.resolve("witness/shard-a");
      JarProcess shardWitness = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "log", "verify", "--url",
          base.toString(), "--shard", "a", "--checkpoint", keptShard.toString(), "--key", shardKey);
      assertThat(run(shardWitness)).as(shardWitness.output()).isZero();
      assertThat(shardWitness.output()).contains("TRUSTED: first checkpoint kept");
      String moreOnA = firstCorrelationOn(placement, "a");
      ArrayNode more = AuditEventJson.mapper().createArrayNode();
      for (int i = 0; i < 5; i++) {
        more.add(EventJson.valid(moreOnA));
      }
      assertThat(api.call("POST", "/api/v1/audit/events/batch", more.toString()).statusCode()).isEqualTo(201);
      awaitProvable(api, more.get(4).get("event_id").asText());
      // Again, auditing every leaf of shard a's log against its event as stored now.
      JarProcess shardWitnessAgain = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "log", "verify", "--url",
          base.toString(), "--shard", "a", "--checkpoint", keptShard.toString(), "--key", shardKey, "--audit");
      assertThat(run(shardWitnessAgain)).as(shardWitnessAgain.output()).isZero();
      assertThat(shardWitnessAgain.output())
          .containsPattern("CONSISTENT: .* grew from \\d+ to \\d+ leaves; every leaf matches its event");

      // An export streams both shards' chains in one order, every event proven through its shard's checkpoint.
      Path exported = work.resolve("export.ndjson");
      JarProcess export = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "export", "--url", base.toString(),
          "--out", exported.toString(), "--event-category", "test");
      assertThat(run(export)).as(export.output()).isZero();
      assertThat(export.output()).contains("exported 105 events in 11 chains");
      Path publicKey = Files.writeString(work.resolve("auditflow.pub.pem"),
          api.call("GET", "/api/v1/audit/signing-key?format=pem", null).body());
      JarProcess verifyExport = JarProcess.of(work, "verify-export", exported.toString(), "--public-key",
          publicKey.toString());
      assertThat(run(verifyExport)).as(verifyExport.output()).isZero();
      assertThat(verifyExport.output()).contains("VALID: 105 events in 11 chains")
          .containsPattern("105 proven in the log's checkpoint of \\d+ leaves");

      JarProcess purge = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "purge", "--url", base.toString(),
          "--dry-run");
      assertThat(run(purge)).as(purge.output()).isZero();
      assertThat(purge.output()).contains("would purge 0 events");

      assertThat(serve.output()).doesNotContain(" ERROR ");
      shardBCrashesAndComesBack(api, clusterB, placement, base);

      JarProcess partialAccounts = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "log", "verify", "--url",
          base.toString(), "--shard", "a", "--checkpoint", keptShard.toString(), "--key", shardKey, "--audit",
          "--completeness");
      assertThat(run(partialAccounts)).as(partialAccounts.output()).isEqualTo(2);
      assertThat(partialAccounts.output()).contains("cannot check: --completeness recomputes a producer's accounts,"
          + " whose events span every shard; run it without --shard");
      // The superuser of shard a's server rewrites an event and its chain: the shard's log audit names it.
      String victim = idsByShard.get("a").get(3);
      Attacker.rewriteEventAndChain(a, UUID.fromString(victim), "{\"rewritten\":true}");
      JarProcess caughtAudit = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "log", "verify", "--url",
          base.toString(), "--shard", "a", "--checkpoint", keptShard.toString(), "--key", shardKey, "--audit");
      assertThat(run(caughtAudit)).as(caughtAudit.output()).isEqualTo(1);
      assertThat(caughtAudit.output()).contains("NOT CONSISTENT: leaf ").contains("(event " + victim + ")")
          .contains("changed after it was logged");
      // An event on shard b's server changed without its chain: verify names the break.
      String changed = idsByShard.get("b").get(0);
      String changedChain = json(api, "/api/v1/audit/events/" + changed).get("correlation_id").asText();
      try (Connection c = DriverManager.getConnection(b); Statement st = c.createStatement()) {
        st.execute("SET session_replication_role = replica"); // past the append-only trigger, as a superuser can
        st.execute("UPDATE audit_events SET event_type = 'rewritten' WHERE event_id = '" + changed + "'");
      }
      JarProcess brokenChain = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", token), "verify", "--url",
          base.toString(), "--correlation-id", changedChain);
      assertThat(run(brokenChain)).as(brokenChain.output()).isEqualTo(1);
      assertThat(brokenChain.output()).contains("NOT VERIFIED: modified_content in chain " + changedChain);

      assertThat(serve.terminate(Duration.ofSeconds(30))).as(serve.output()).isIn(0, 143);
      assertThat(serve.output()).doesNotContain("has been already registered");
      for (JarProcess p : List.of(init, again, otherwise, serve, verify, prove, offline, caught, witness, shardWitness,
          shardWitnessAgain, export, verifyExport, purge, caughtAudit, brokenChain)) {
        assertThat(p.output()).as("a shard's password in the output").doesNotContain(PASSWORD);
      }
    } finally {
      for (JarProcess p : started) {
        p.close();
      }
      for (String db : List.of(catalog, a)) {
        TestDatabase.drop(db);
      }
      clusterB.close();
    }
  }

  /** Shard b's server crashes; what needs only a keeps working, what needs b is refused naming it, until b is back. */
  private static void shardBCrashesAndComesBack(JarApi api, PostgresProcess clusterB, Placement placement, URI base)
      throws Exception {
    long before = json(api, "/api/v1/audit/events/count?event_category=test").get("count").asLong();
    clusterB.kill();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      HttpResponse<String> ready = api.call("GET", "/health/ready", null);
      JsonNode health = AuditEventJson.mapper().readTree(ready.body());
      assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
      assertThat(health.get("status").asText()).as(ready.body()).isEqualTo("DEGRADED");
      assertThat(health.get("shards").get("a").asText()).isEqualTo("up");
      assertThat(health.get("shards").get("b").asText()).isEqualTo("down");
    });
    HttpResponse<String> counted = api.call("GET", "/api/v1/audit/events/count?event_category=test", null);
    assertThat(counted.statusCode()).as("a count over a missing shard is an error, not a smaller number: " + counted.body())
        .isEqualTo(503);
    assertThat(AuditEventJson.mapper().readTree(counted.body()).get("detail").asText()).startsWith("shard b is unavailable");

    String onA = firstCorrelationOn(placement, "a");
    String onB = firstCorrelationOn(placement, "b");
    ArrayNode toA = AuditEventJson.mapper().createArrayNode().add(EventJson.valid(onA)).add(EventJson.valid(onA));
    HttpResponse<String> storedOnA = api.call("POST", "/api/v1/audit/events/batch", toA.toString());
    assertThat(storedOnA.statusCode()).as(storedOnA.body()).isEqualTo(201);
    assertThat(json(api, "/api/v1/audit/events?correlation_id=" + onA).get("data")).hasSize(7);
    HttpResponse<String> refusedOnB = api.call("POST", "/api/v1/audit/events/batch",
        AuditEventJson.mapper().createArrayNode().add(EventJson.valid(onB)).toString());
    assertThat(refusedOnB.statusCode()).as(refusedOnB.body()).isEqualTo(503);
    assertThat(refusedOnB.headers().firstValue("Retry-After")).isPresent();

    clusterB.start();
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      HttpResponse<String> recounted = api.call("GET", "/api/v1/audit/events/count?event_category=test", null);
      assertThat(recounted.statusCode()).as(recounted.body()).isEqualTo(200);
      assertThat(AuditEventJson.mapper().readTree(recounted.body()).get("count").asLong()).isEqualTo(before + 2);
    });
    await().atMost(Duration.ofSeconds(30)).until(
        () -> json(api, "/health/ready").get("status").asText().equals("UP"));
    JarProcess verify = JarProcess.of(Files.createTempDirectory("auditflow-jar-shards-verify"),
        Map.of("AUDITFLOW_TOKEN", api.token()), "verify", "--url", base.toString(), "--correlation-id", "jar-shard-1");
    assertThat(run(verify)).as(verify.output()).isZero();
  }

  private static String firstCorrelationOn(Placement placement, String shard) {
    for (int i = 0; ; i++) {
      if (placement.writtenTo("jar-shard-more-" + i).equals(shard)) {
        return "jar-shard-more-" + i;
      }
    }
  }

  private static JsonNode json(JarApi api, String path) throws Exception {
    HttpResponse<String> answer = api.call("GET", path, null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return AuditEventJson.mapper().readTree(answer.body());
  }

  /** Every test event, seven a page by cursor. */
  private static List<String> pageAll(JarApi api, String order) throws Exception {
    List<String> ids = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = json(api, "/api/v1/audit/events?event_category=test&limit=7&order=" + order
          + (cursor == null ? "" : "&cursor=" + cursor));
      page.get("data").forEach(e -> ids.add(e.get("event_id").asText()));
      JsonNode next = page.path("pagination").path("next_cursor");
      cursor = next.isMissingNode() || next.isNull() ? null : next.asText();
    } while (cursor != null);
    return ids;
  }

  /** The integrator runs by itself in serve: the event's shard checkpoint reaches the root within seconds. */
  private static void awaitProvable(JarApi api, String eventId) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    while (api.call("GET", "/api/v1/log/proof/inclusion?event_id=" + eventId, null).statusCode() != 200) {
      assertThat(Instant.now()).as("provable within 30 s").isBefore(deadline);
      Thread.sleep(100);
    }
  }
}
