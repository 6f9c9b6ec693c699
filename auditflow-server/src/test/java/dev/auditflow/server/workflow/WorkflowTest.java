package dev.auditflow.server.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.WorkflowJson;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** The workflow catalog against a real server and PostgreSQL; DS-BUG-001 is the first test. */
class WorkflowTest {

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static long rows(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test
  void twentyConcurrentCreatesOfOneVersionGiveOne201AndNineteen409() throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(WorkflowService.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    Logger errors = (Logger) LoggerFactory.getLogger("dev.auditflow.server.http.ErrorHandling");
    ListAppender<ILoggingEvent> errorLogs = new ListAppender<>();
    errorLogs.start();
    errors.addAppender(errorLogs);
    try {
      String body = WorkflowJson.valid("race", "1.0.0").toString();
      ExecutorService pool = Executors.newFixedThreadPool(20);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<String>>> answers = new ArrayList<>();
      HttpClient http = HttpClient.newHttpClient();
      for (int i = 0; i < 20; i++) {
        answers.add(pool.submit(() -> {
          go.await();
          return http.send(HttpRequest.newBuilder(URI.create(fx.baseUri() + "/api/v1/workflows"))
              .header("Content-Type", "application/json").header("Authorization", "Bearer " + fx.adminToken())
              .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString());
        }));
      }
      go.countDown();
      int created = 0;
      int conflicts = 0;
      for (var a : answers) {
        HttpResponse<String> r = a.get(60, TimeUnit.SECONDS);
        if (r.statusCode() == 201) {
          created++;
        } else {
          assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
          assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
          JsonNode problem = AuditEventJson.mapper().readTree(r.body());
          assertThat(problem.get("type").asText()).isEqualTo("https://auditflow.dev/problems/conflict");
          assertThat(problem.get("detail").asText()).contains("race").contains("1.0.0");
          conflicts++;
        }
      }
      pool.shutdown();
      assertThat(created).isEqualTo(1);
      assertThat(conflicts).isEqualTo(19);
      assertThat(rows("SELECT count(*) FROM workflows WHERE workflow_name = 'race'")).isEqualTo(1);
      assertThat(logs.list).filteredOn(e -> e.getFormattedMessage().contains("already exists"))
          .hasSize(19).allSatisfy(e -> assertThat(e.getLevel()).isEqualTo(Level.INFO));
      assertThat(errorLogs.list).noneMatch(e -> e.getLevel() == Level.ERROR);
    } finally {
      logger.detachAppender(logs);
      errors.detachAppender(errorLogs);
    }
  }

  @Test
  void createReturnsTheStoredWorkflowAndRecordsAnAuditEvent() throws Exception {
    var r = fx.postJson("/api/v1/workflows", WorkflowJson.valid("audited", "1").toString());
    assertThat(r.status()).isEqualTo(201);
    JsonNode w = r.json();
    assertThat(w.get("workflow_id").asText()).hasSize(36);
    assertThat(w.get("is_latest_version").asBoolean()).isTrue();
    assertThat(w.get("status").asText()).isEqualTo("active");
    assertThat(w.get("created_at").asText()).endsWith("Z");
    assertThat(fx.get("/api/v1/workflows/" + w.get("workflow_id").asText()).json()).isEqualTo(w);
    String correlation = "workflow-" + w.get("workflow_id").asText();
    JsonNode events = fx.get("/api/v1/audit/events?correlation_id=" + correlation).json().get("data");
    assertThat(events).hasSize(1);
    assertThat(events.get(0).get("event_type").asText()).isEqualTo("datastorage.workflow.created");
    assertThat(events.get(0).get("resource_id").asText()).isEqualTo(w.get("workflow_id").asText());
    assertThat(events.get(0).get("event_data").get("version").asText()).isEqualTo("1");

    var patched = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/workflows/" + w.get("workflow_id").asText()))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":\"disabled\",\"status_reason\":\"flaky\",\"updated_by\":\"bob\"}")));
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    assertThat(patched.json().get("status").asText()).isEqualTo("disabled");
    JsonNode after = fx.get("/api/v1/audit/events?correlation_id=" + correlation + "&order=asc").json().get("data");
    assertThat(after).hasSize(2);
    assertThat(after.get(1).get("event_type").asText()).isEqualTo("datastorage.workflow.status_changed");
    assertThat(after.get(1).get("actor_id").asText()).isEqualTo("bob");
    assertThat(after.get(1).get("event_data").get("to_status").asText()).isEqualTo("disabled");
    var verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + correlation + "\"}").json();
    assertThat(verified.get("verified").asBoolean()).isTrue();
  }

  @Test
  void aNewVersionBecomesTheOnlyLatest() throws Exception {
    for (String v : List.of("1.0", "1.1", "2.0")) {
      assertThat(fx.postJson("/api/v1/workflows", WorkflowJson.valid("versioned", v).toString()).status()).isEqualTo(201);
    }
    JsonNode versions = fx.get("/api/v1/workflows/by-name/versioned/versions").json().get("data");
    assertThat(versions).hasSize(3);
    assertThat(versions.get(0).get("version").asText()).isEqualTo("1.0");
    assertThat(versions.findValues("is_latest_version").stream().map(JsonNode::asBoolean).toList())
        .containsExactly(false, false, true);
    JsonNode latest = fx.get("/api/v1/workflows?workflow_name=versioned&latest_only=true").json().get("workflows");
    assertThat(latest).hasSize(1);
    assertThat(latest.get(0).get("version").asText()).isEqualTo("2.0");
    assertThat(fx.get("/api/v1/workflows/by-name/nothing-like-it/versions").status()).isEqualTo(404);
  }

  @Test
  void listFiltersAndPages() {
    for (int i = 0; i < 5; i++) {
      ObjectNode w = WorkflowJson.valid("listed-" + i, "1");
      ((ObjectNode) w.get("labels")).put("priority", "P" + (i % 4)).putArray("environment")
          .add(i % 2 == 0 ? "staging" : "production");
      assertThat(fx.postJson("/api/v1/workflows", w.toString()).status()).isEqualTo(201);
    }
    assertThat(fx.get("/api/v1/workflows?environment=staging&component=k8s").json().get("workflows").findValuesAsText("workflow_name"))
        .contains("listed-0", "listed-2", "listed-4").doesNotContain("listed-1");
    assertThat(fx.get("/api/v1/workflows?priority=P3").json().get("workflows").findValuesAsText("workflow_name")).contains("listed-3");
    List<String> seen = new ArrayList<>();
    String cursor = null;
    do {
      JsonNode page = fx.get("/api/v1/workflows?limit=2&order=asc" + (cursor == null ? "" : "&cursor=" + cursor)).json();
      page.get("workflows").forEach(x -> seen.add(x.get("workflow_id").asText()));
      cursor = page.get("pagination").get("has_more").asBoolean() ? page.get("pagination").get("next_cursor").asText() : null;
    } while (cursor != null);
    assertThat(seen).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(5);
    assertThat(fx.get("/api/v1/workflows?priority=P9&colour=red").json().get("errors").findValuesAsText("field"))
        .containsExactlyInAnyOrder("priority", "colour");
  }

  @Test
  void everyValidationErrorIsReported() {
    ObjectNode bad = WorkflowJson.valid("bad", "1");
    bad.put("content_hash", "0".repeat(63)).put("status", "retired").put("version", "v".repeat(51)).remove("name");
    bad.put("parameters", "not-an-object");
    ((ObjectNode) bad.get("labels")).put("severity", "catastrophic").put("priority", "P7").put("colour", "red").remove("component");
    var r = fx.postJson("/api/v1/workflows", bad.toString());
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder(
        "content_hash", "status", "version", "name", "parameters", "labels.severity", "labels.priority",
        "labels.colour", "labels.component");
    assertThat(fx.postJson("/api/v1/workflows", "{}").json().get("errors").findValuesAsText("field")).contains(
        "workflow_name", "version", "name", "description", "content", "content_hash", "labels", "execution_engine");
  }

  @Test
  void patchMayChangeOnlyTheStatus() {
    String id = fx.postJson("/api/v1/workflows", WorkflowJson.valid("immutable", "1").toString()).json().get("workflow_id").asText();
    var r = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/workflows/" + id))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":\"archived\",\"content\":\"x\",\"version\":\"2\"}")));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().get("errors").findValuesAsText("field")).containsExactlyInAnyOrder("content", "version");
    assertThat(fx.get("/api/v1/workflows/" + id).json().get("status").asText()).isEqualTo("active");
    var missing = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/workflows/01890a5d-ac96-774b-bcce-b302099a8057"))
        .header("Content-Type", "application/json").method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":\"archived\"}")));
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("detail").asText()).as("the service's own reason, not a generic 404")
        .isEqualTo("no workflow with id 01890a5d-ac96-774b-bcce-b302099a8057");
    assertThat(fx.get("/api/v1/workflows/01890a5d-ac96-774b-bcce-b302099a8057").json().get("detail").asText())
        .isEqualTo("no workflow with id 01890a5d-ac96-774b-bcce-b302099a8057");
    assertThat(fx.get("/api/v1/workflows/not-a-uuid").status()).isEqualTo(400);
  }

  @Test
  void kubernautsOwnBodyIsStoredAndAnsweredAsItsContractSays() {
    var created = fx.postJson("/api/v1/workflows", WorkflowJson.kubernaut("kubernaut-body", "1.0.0").toString());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    JsonNode w = created.json();
    assertThat(w.get("content_hash").asText()).isEqualTo("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assertThat(w.get("labels").get("environment")).hasSize(1);
    assertThat(w.get("labels").get("environment").get(0).asText()).isEqualTo("test");
    assertThat(w.get("custom_labels").get("team").get(0).asText()).isEqualTo("name=payments");
    assertThat(w.get("detected_labels").get("gitOpsTool").asText()).isEqualTo("argocd");
    assertThat(w.get("container_digest").asText()).endsWith("01");
    JsonNode read = fx.get("/api/v1/workflows/" + w.get("workflow_id").asText()).json();
    assertThat(read).isEqualTo(w);
    // One environment as a string, as this catalog took it before, is a list of one.
    ObjectNode legacy = WorkflowJson.valid("legacy-environment", "1");
    ((ObjectNode) legacy.get("labels")).put("environment", "staging");
    JsonNode stored = fx.postJson("/api/v1/workflows", legacy.toString()).json();
    assertThat(stored.get("labels").get("environment").get(0).asText()).isEqualTo("staging");
    // An environment outside the contract's list is refused, naming the label.
    ((ObjectNode) legacy.get("labels")).putArray("environment").add("prod");
    legacy.put("version", "2");
    assertThat(fx.postJson("/api/v1/workflows", legacy.toString()).json().get("errors").findValuesAsText("field"))
        .containsExactly("labels.environment");
  }

  @Test
  void aWorkflowForEveryEnvironmentIsFoundUnderEach() {
    ObjectNode any = WorkflowJson.valid("any-environment", "1");
    ((ObjectNode) any.get("labels")).put("component", "anywhere").putArray("environment").add("*");
    assertThat(fx.postJson("/api/v1/workflows", any.toString()).status()).isEqualTo(201);
    for (String environment : List.of("production", "test")) {
      assertThat(fx.get("/api/v1/workflows?component=anywhere&environment=" + environment).json().get("workflows")
          .findValuesAsText("workflow_name")).containsExactly("any-environment");
    }
  }

  @Test
  void kubernautsPagingHasLimitOffsetAndTotal() {
    for (int i = 0; i < 3; i++) {
      assertThat(fx.postJson("/api/v1/workflows", WorkflowJson.valid("paged-" + i, "1").toString()).status()).isEqualTo(201);
    }
    JsonNode first = fx.get("/api/v1/workflows?component=k8s&workflow_name=paged-1").json();
    assertThat(first.get("limit").asInt()).isEqualTo(100);
    assertThat(first.get("offset").asInt()).isZero();
    assertThat(first.get("total").asLong()).isEqualTo(1);
    JsonNode all = fx.get("/api/v1/workflows?limit=1000").json();
    long total = all.get("total").asLong();
    JsonNode second = fx.get("/api/v1/workflows?limit=1&offset=1&order=asc").json();
    assertThat(second.get("workflows")).hasSize(1);
    assertThat(second.get("total").asLong()).isEqualTo(total);
    assertThat(second.get("workflows").get(0).get("workflow_id"))
        .isEqualTo(fx.get("/api/v1/workflows?limit=2&order=asc").json().get("workflows").get(1).get("workflow_id"));
    assertThat(fx.get("/api/v1/workflows?offset=-1").status()).isEqualTo(400);
  }

  @Test
  void kubernautsDisableRouteAndFieldNames() {
    String id = fx.postJson("/api/v1/workflows", WorkflowJson.valid("disabled-one", "1").toString()).json().get("workflow_id").asText();
    var disabled = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/workflows/" + id + "/disable"))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"reason\":\"flaky\",\"updated_by\":\"sre@example.com\"}")));
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(disabled.json().get("status").asText()).isEqualTo("disabled");
    assertThat(disabled.json().get("disabled_reason").asText()).isEqualTo("flaky");
    assertThat(disabled.json().get("disabled_by").asText()).isEqualTo("sre@example.com");
    assertThat(disabled.json().has("disabled_at")).isTrue();
    var reenabled = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/workflows/" + id))
        .header("Content-Type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"status\":\"active\",\"disabled_by\":\"sre\"}")));
    assertThat(reenabled.status()).as(reenabled.body()).isEqualTo(200);
    assertThat(reenabled.json().get("updated_by").asText()).isEqualTo("sre");
    assertThat(reenabled.json().has("disabled_at")).isFalse();
    var noBody = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/workflows/" + id + "/disable"))
        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    assertThat(noBody.status()).as(noBody.body()).isEqualTo(200);
  }
}
