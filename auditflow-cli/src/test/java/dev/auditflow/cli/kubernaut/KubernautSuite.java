package dev.auditflow.cli.kubernaut;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.kubernaut.KubernautEvent;
import dev.auditflow.server.kubernaut.OgenDecoder;
import dev.auditflow.server.testing.KubernetesApiStandIn;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import dev.auditflow.server.testing.WorkflowJson;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kubernaut's own Data Storage tests, case by case, as black-box HTTP against the built jar
 * started as a Kubernaut operator would ({@code serve --compat kubernaut}, ServiceAccount tokens
 * checked by TokenReview and SubjectAccessReview), on either ingest path: {@link
 * KubernautSuiteIT} direct into PostgreSQL, {@link KubernautKafkaSuiteIT} through Kafka. Each
 * nested class is one of Kubernaut's test files (repository jordigilh/kubernaut, commit d5a4a870;
 * the workflow catalog's test at 6f31ff80c); each test names the case it ports. Where Kubernaut's test reads its database, this
 * one reads auditflow's (the columns it reads have the same names) or, where the storage differs,
 * the API that shows the same fact. A case whose expectation auditflow does not meet on purpose is
 * named "documented difference": it asserts what auditflow does instead, and docs/KUBERNAUT.md
 * gives the reason. Kubernaut's cases that exercise only its own code (Go helpers, its SQL builder,
 * its test's own values) are listed there too, as not portable.
 */
abstract class KubernautSuite {
  static final Duration START = Duration.ofMinutes(2);
  static final String NAMESPACE = "datastorage-e2e";
  static final String SA_TOKEN = "e2e-serviceaccount-token";
  static final String SA = "system:serviceaccount:" + NAMESPACE + ":datastorage-e2e-client";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** The jar under test's database, and Kubernaut's client pointed at that jar. */
  static String db;
  static KubernautApi ds;
  /** A second jar configured as Kubernaut's batch-size-limit test configures it: {@code --max-batch-size 5}. */
  static KubernautApi smallBatch;
  /** Whether events go through Kafka: written by a writer after the answer, which cannot say what it decides. */
  static boolean kafkaMode;

  private static KubernetesApiStandIn apiServer;
  private static String smallBatchDb;
  private static JarProcess server;
  private static JarProcess smallBatchServer;

  /** How the jars under test take events in: the options that say so, and what a reader waits for after a write. */
  interface IngestPath {
    /** Options for the jar called {@code name} ({@code main} or {@code small}, each with its own database). */
    List<String> options(String name);

    /** Run after every accepted write, before the test reads anything. */
    Runnable afterWrite(String name, String database);

    boolean kafka();
  }

  /**
   * Starts the two jars as a Kubernaut operator would ({@code serve --compat kubernaut}, the main
   * one checking ServiceAccount tokens with the API server stand-in), with {@code path}'s options.
   */
  static void deploy(IngestPath path) throws Exception {
    kafkaMode = path.kafka();
    apiServer = new KubernetesApiStandIn(NAMESPACE, Map.of(SA_TOKEN, SA),
        Map.of(SA, Set.of("create", "get", "list", "update")));
    db = TestDatabase.create();
    smallBatchDb = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    int smallPort = RedisServerProcess.freePort();
    List<String> main = new ArrayList<>(List.of("serve", "--compat", "kubernaut", "--host", "127.0.0.1", "--port",
        Integer.toString(port), "--database-url", db, "--k8s-api-url", apiServer.url().toString(),
        "--k8s-token-file", apiServer.serverTokenFile().toString(), "--k8s-namespace", NAMESPACE));
    main.addAll(path.options("main"));
    server = JarProcess.of(Files.createTempDirectory("auditflow-kubernaut"), main.toArray(String[]::new)).start();
    // Kubernaut's batch-size-limit integration test configures a maximum of 5.
    Path smallWork = Files.createTempDirectory("auditflow-kubernaut-small");
    List<String> small = new ArrayList<>(List.of("serve", "--compat", "kubernaut", "--max-batch-size", "5",
        "--host", "127.0.0.1", "--port", Integer.toString(smallPort), "--database-url", smallBatchDb));
    small.addAll(path.options("small"));
    smallBatchServer = JarProcess.of(smallWork, small.toArray(String[]::new)).start();
    URI base = URI.create("http://127.0.0.1:" + port);
    URI smallBase = URI.create("http://127.0.0.1:" + smallPort);
    CompletableFuture.allOf(CompletableFuture.runAsync(() -> server.awaitHttp200(base, "/readyz", START)),
        CompletableFuture.runAsync(() -> smallBatchServer.awaitHttp200(smallBase, "/readyz", START))).join();
    ds = new KubernautApi(base, SA_TOKEN, path.afterWrite("main", db));
    smallBatch = new KubernautApi(smallBase, Files.readString(smallWork.resolve("auditflow-data/admin.token")).trim(),
        path.afterWrite("small", smallBatchDb));
  }

  static void undeploy() throws Exception {
    for (JarProcess p : new JarProcess[] {server, smallBatchServer}) {
      if (p != null) {
        p.terminate(Duration.ofSeconds(60));
      }
    }
    TestDatabase.drop(db);
    TestDatabase.drop(smallBatchDb);
    apiServer.close();
  }

  // ---- What Kubernaut's tests build (test/e2e/datastorage/helpers_test.go) ----

  private static String testId(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private static ObjectNode gatewayPayload(String signalName) {
    return NODES.objectNode().put("event_type", "gateway.signal.received").put("signal_type", "alert")
        .put("signal_name", signalName).put("namespace", "default").put("fingerprint", "test-fingerprint");
  }

  private static ObjectNode aiAnalysisPayload(String analysisName) {
    return NODES.objectNode().put("event_type", "aianalysis.analysis.completed").put("analysis_name", analysisName)
        .put("namespace", "default").put("phase", "Completed").put("approval_required", false);
  }

  private static ObjectNode workflowPayload(String workflowId) {
    return NODES.objectNode().put("event_type", "workflowexecution.execution.started").put("workflow_id", workflowId)
        .put("workflow_version", "1.0.0").put("target_resource", "test-resource").put("phase", "Running");
  }

  private static ObjectNode genericPayload() {
    ObjectNode p = NODES.objectNode().put("event_type", "workflow.catalog.actions_listed");
    p.putObject("query").put("top_k", 10);
    p.putObject("results").put("total_found", 0).put("returned", 0).putArray("workflows");
    p.putObject("search_metadata").put("duration_ms", 100);
    return p;
  }

  private static KubernautEvent event(String type, String category, String action, String correlationId, Instant at,
      ObjectNode data) {
    return KubernautEvent.of(type, category, action, correlationId, at).eventData(data);
  }

  private static Instant now() {
    return Instant.now();
  }

  // ---- Kubernaut's tests read its database; these read auditflow's ----

  private static long count(String sql, Object... params) {
    try (Connection c = DriverManager.getConnection(db); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    } catch (Exception e) {
      throw new AssertionError(sql, e);
    }
  }

  private static Map<String, Object> row(String sql, Object... params) {
    try (Connection c = DriverManager.getConnection(db); PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).as(sql).isTrue();
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
          row.put(rs.getMetaData().getColumnName(i), rs.getObject(i));
        }
        return row;
      }
    } catch (Exception e) {
      throw new AssertionError(sql, e);
    }
  }

  /**
   * Kubernaut's tests change rows with a plain UPDATE; auditflow's rows are immutable (a trigger
   * refuses it), so what they do here is what only a database superuser could: with the triggers
   * off for the session.
   */
  private static void tamper(String sql, Object... params) {
    try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        for (int i = 0; i < params.length; i++) {
          ps.setObject(i + 1, params[i]);
        }
        assertThat(ps.executeUpdate()).as(sql).isEqualTo(1);
      }
    } catch (Exception e) {
      throw new AssertionError(sql, e);
    }
  }

  private static void assertUuid(String id) {
    assertThat(id).matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
  }

  private static void assertDescending(List<JsonNode> events) {
    for (int i = 0; i + 1 < events.size(); i++) {
      assertThat(Instant.parse(events.get(i).get("event_timestamp").asText()))
          .isAfterOrEqualTo(Instant.parse(events.get(i + 1).get("event_timestamp").asText()));
    }
  }

  private static List<JsonNode> list(JsonNode array) {
    List<JsonNode> out = new ArrayList<>();
    array.forEach(out::add);
    return out;
  }

  @Nested
  @DisplayName("e2e 01_happy_path")
  class HappyPath {
    @Test
    @DisplayName("should create complete audit trail across all services")
    void completeAuditTrail() {
      String rr = testId("remediation");
      ds.createAuditEvent(event("gateway.signal.received", "gateway", "signal_processing", rr, now(),
          gatewayPayload("PodCrashLooping")));
      ds.createAuditEvent(event("aianalysis.analysis.completed", "analysis", "rca_generation", rr, now(),
          aiAnalysisPayload("analysis-" + rr)));
      ds.createAuditEvent(event("workflow.execution.started", "workflow", "remediation_execution", rr, now(),
          workflowPayload("workflow-" + rr)));
      ds.createAuditEvent(event("workflow.search.executed", "orchestration", "orchestration", rr, now(),
          genericPayload()));
      ds.createAuditEvent(event("workflow.search.executed", "analysis", "effectiveness_assessment", rr, now(),
          genericPayload()));
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isGreaterThanOrEqualTo(5);
      List<JsonNode> all = ds.queryAll("correlation_id=" + rr);
      assertThat(all).hasSizeGreaterThanOrEqualTo(5);
      assertDescending(all);
    }
  }

  @Nested
  @DisplayName("e2e 03_query_api_timeline")
  class QueryTimeline {
    @Test
    @DisplayName("should support multi-dimensional filtering and pagination")
    void multiDimensionalFilteringAndPagination() {
      String rr = testId("query-test");
      Instant start = now().minus(Duration.ofMinutes(15));
      Instant base = now().minus(Duration.ofMinutes(10));
      for (int i = 1; i <= 4; i++) {
        ds.createAuditEvent(event("gateway.signal.received", "gateway", "gateway_op_" + i, rr, base.plusSeconds(i),
            gatewayPayload("Alert-" + i)));
      }
      for (int i = 1; i <= 3; i++) {
        ds.createAuditEvent(event("analysis.analysis.completed", "analysis", "ai_op_" + i, rr, base.plusSeconds(4 + i),
            aiAnalysisPayload("analysis-" + i)));
      }
      for (int i = 1; i <= 3; i++) {
        ds.createAuditEvent(event("workflow.workflow.completed", "workflow", "workflow_op_" + i, rr,
            base.plusSeconds(7 + i), workflowPayload("workflow-" + i)));
      }
      assertThat(ds.queryAll("correlation_id=" + rr)).hasSizeGreaterThanOrEqualTo(10);
      List<JsonNode> gateway = ds.queryAll("correlation_id=" + rr + "&event_category=gateway");
      assertThat(gateway).hasSize(4).allSatisfy(e -> assertThat(e.get("event_category").asText()).isEqualTo("gateway"));
      List<JsonNode> analysis = ds.queryAll("correlation_id=" + rr + "&event_type=analysis.analysis.completed");
      assertThat(analysis).hasSize(3);
      String since = KubernautEvent.rfc3339(start);
      String until = KubernautEvent.rfc3339(now());
      assertThat(ds.queryAll("correlation_id=" + rr + "&since=" + since + "&until=" + until))
          .hasSizeGreaterThanOrEqualTo(10);
      JsonNode first = ds.queryAuditEvents("correlation_id=" + rr + "&limit=5&offset=0").get("data");
      JsonNode second = ds.queryAuditEvents("correlation_id=" + rr + "&limit=5&offset=5").get("data");
      assertThat(first).hasSize(5);
      assertThat(second).hasSize(5);
      assertThat(second.get(0).get("event_id")).isNotEqualTo(first.get(0).get("event_id"));
      assertDescending(ds.queryAll("correlation_id=" + rr));
    }
  }

  /** e2e 05: createTestAuditEvents — one event per second from ten minutes ago. */
  private static List<String> soc2Events(String correlationId, int count) {
    Instant base = now().minus(Duration.ofMinutes(10));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(ds.createAuditEvent(event("soc2_compliance_test", "gateway", "soc2_test_action", correlationId,
          base.plusSeconds(i), gatewayPayload("soc2-compliance"))));
    }
    return ids;
  }

  private static JsonNode placeHold(String correlationId, String reason) {
    ObjectNode body = NODES.objectNode().put("correlation_id", correlationId).put("reason", reason);
    HttpResponse<String> r = ds.post("/api/v1/audit/legal-hold", body.toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return KubernautApi.json(r);
  }

  private static JsonNode releaseHold(String correlationId, String reason) {
    HttpResponse<String> r = ds.send("DELETE", "/api/v1/audit/legal-hold/" + correlationId,
        NODES.objectNode().put("release_reason", reason).toString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return KubernautApi.json(r);
  }

  private static JsonNode activeHolds() {
    HttpResponse<String> r = ds.get("/api/v1/audit/legal-hold");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return KubernautApi.json(r).get("holds");
  }

  @Nested
  @DisplayName("e2e 05_soc2_compliance")
  class Soc2Compliance {
    /**
     * Kubernaut signs exports with the X.509 certificate cert-manager issues it (SHA256withRSA);
     * auditflow with its Ed25519 key (docs/COMPLIANCE.md), fingerprint the key id.
     */
    private void assertSigned(JsonNode metadata) {
      assertThat(metadata.get("signature").asText()).isNotEmpty();
      assertThat(Base64.getDecoder().decode(metadata.get("signature").asText())).hasSize(64);
      assertThat(metadata.get("signature_algorithm").asText()).isEqualTo("Ed25519");
      assertThat(metadata.get("certificate_fingerprint").asText()).startsWith("ed25519:");
    }

    @Test
    @DisplayName("should export audit events with digital signature (documented difference: Ed25519, not SHA256withRSA)")
    void exportWithDigitalSignature() {
      String rr = testId("soc2-e2e");
      assertThat(soc2Events(rr, 5)).hasSize(5);
      JsonNode metadata = ds.exportAuditEvents("correlation_id=" + rr).get("export_metadata");
      assertThat(metadata.get("total_events").asInt()).isEqualTo(5);
      assertSigned(metadata);
      assertThat(metadata.get("exported_by").asText()).isEqualTo("kubernetes:" + SA);
    }

    @Test
    @DisplayName("should include export timestamp and metadata")
    void exportTimestampAndMetadata() {
      String rr = testId("soc2-e2e");
      soc2Events(rr, 3);
      JsonNode metadata = ds.exportAuditEvents("correlation_id=" + rr + "&limit=10&offset=0").get("export_metadata");
      assertThat(metadata.get("query_filters").get("correlation_id").asText()).isEqualTo(rr);
      assertThat(metadata.get("query_filters").get("limit").asInt()).isEqualTo(10);
      assertThat(metadata.get("export_format").asText()).isEqualTo("json");
      assertThat(OffsetDateTime.parse(metadata.get("export_timestamp").asText())).isNotNull();
    }

    @Test
    @DisplayName("should verify hash chains on export")
    void verifyHashChainsOnExport() {
      String rr = testId("soc2-e2e");
      soc2Events(rr, 5);
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      JsonNode v = export.get("hash_chain_verification");
      assertThat(v.get("total_events_verified").asInt()).isEqualTo(5);
      assertThat(v.get("valid_chain_events").asInt()).isEqualTo(5);
      assertThat(v.get("broken_chain_events").asInt()).isZero();
      assertThat(v.get("chain_integrity_percentage").asDouble()).isEqualTo(100.0);
      assertThat(v.get("tampered_event_ids")).isEmpty();
      export.get("events").forEach(e -> assertThat(e.get("hash_chain_valid").asBoolean()).isTrue());
    }

    @Test
    @DisplayName("should detect tampered hash chains")
    void detectTamperedHashChains() {
      String rr = testId("soc2-e2e");
      List<String> ids = soc2Events(rr, 3);
      tamper("UPDATE audit_events SET event_hash = ? WHERE event_id = ?::uuid",
          "TAMPERED_HASH_0000000000000000000000000000000000000000000000000000000000", ids.get(1));
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      JsonNode v = export.get("hash_chain_verification");
      assertThat(v.get("total_events_verified").asInt()).isEqualTo(3);
      assertThat(v.get("broken_chain_events").asInt()).isPositive();
      assertThat(v.get("chain_integrity_percentage").asDouble()).isLessThan(100.0);
      assertThat(v.get("tampered_event_ids")).isNotEmpty();
      JsonNode tampered = list(export.get("events")).stream()
          .filter(e -> e.get("event_id").asText().equals(ids.get(1))).findFirst().orElseThrow();
      assertThat(tampered.get("hash_chain_valid").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("should place legal hold and reflect in exports")
    void placeLegalHoldReflectedInExports() {
      String rr = testId("soc2-e2e");
      soc2Events(rr, 3);
      String reason = "SOC2 E2E Test - Legal Hold Validation";
      placeHold(rr, reason);
      JsonNode events = ds.exportAuditEvents("correlation_id=" + rr).get("events");
      assertThat(events).hasSize(3);
      events.forEach(e -> assertThat(e.get("legal_hold").asBoolean()).isTrue());
      JsonNode hold = list(activeHolds()).stream().filter(h -> h.get("correlation_id").asText().equals(rr))
          .findFirst().orElseThrow();
      assertThat(hold.get("reason").asText()).isEqualTo(reason);
      assertThat(hold.has("placed_at")).isTrue();
    }

    @Test
    @DisplayName("should release legal hold and reflect in exports")
    void releaseLegalHoldReflectedInExports() {
      String rr = testId("soc2-e2e");
      soc2Events(rr, 2);
      placeHold(rr, "SOC2 E2E Test - Release Validation");
      releaseHold(rr, "E2E test completed - case closed");
      ds.exportAuditEvents("correlation_id=" + rr).get("events")
          .forEach(e -> assertThat(e.get("legal_hold").asBoolean()).isFalse());
      assertThat(activeHolds().findValuesAsText("correlation_id")).doesNotContain(rr);
    }

    @Test
    @DisplayName("should support end-to-end SOC2 audit export workflow (documented difference: Ed25519)")
    void endToEndSoc2Workflow() {
      String rr = testId("soc2-e2e");
      assertThat(soc2Events(rr, 10)).hasSize(10);
      placeHold(rr, "SOC2 Compliance Audit - Complete Workflow Test");
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      assertSigned(export.get("export_metadata"));
      JsonNode v = export.get("hash_chain_verification");
      assertThat(v.get("total_events_verified").asInt()).isEqualTo(10);
      assertThat(v.get("valid_chain_events").asInt()).isEqualTo(10);
      assertThat(v.get("broken_chain_events").asInt()).isZero();
      assertThat(v.get("chain_integrity_percentage").asDouble()).isEqualTo(100.0);
      export.get("events").forEach(e -> {
        assertThat(e.get("legal_hold").asBoolean()).isTrue();
        assertThat(e.get("hash_chain_valid").asBoolean()).isTrue();
      });
      assertThat(export.get("export_metadata").get("exported_by").asText()).isNotEmpty();
      assertThat(export.get("export_metadata").get("total_events").asInt()).isEqualTo(10);
      assertThat(export.get("export_metadata").get("export_format").asText()).isEqualTo("json");
    }

    @Test
    @DisplayName("should support certificate rotation (infrastructure validated)")
    void certificateRotation() {
      String rr = testId("soc2-e2e");
      soc2Events(rr, 2);
      JsonNode metadata = ds.exportAuditEvents("correlation_id=" + rr).get("export_metadata");
      assertThat(metadata.get("signature").asText()).isNotEmpty();
      assertThat(metadata.get("certificate_fingerprint").asText()).isNotEmpty();
    }
  }

  /** e2e 09's catalog: each event type, its category and action, and the event_data fields it queries. */
  static Stream<Arguments> eventTypeCatalog() throws Exception {
    try (InputStream in = KubernautSuite.class.getResourceAsStream("/kubernaut/e2e-09-event-types.json")) {
      List<Arguments> cases = new ArrayList<>();
      AuditEventJson.mapper().readTree(in).forEach(c -> cases.add(Arguments.of(c.get("event_type").asText(), c,
          difference(c.get("event_type").asText()))));
      return cases.stream();
    }
  }

  static Stream<Arguments> jsonbQueries() throws Exception {
    List<Arguments> cases = new ArrayList<>();
    eventTypeCatalog().forEach(a -> {
      JsonNode c = (JsonNode) a.get()[1];
      c.get("queries").forEach(q -> cases.add(Arguments.of(c.get("event_type").asText(),
          String.join("->", AuditEventJson.mapper().convertValue(q.get("path"), String[].class)), c, q,
          difference(c.get("event_type").asText()))));
    });
    return cases.stream();
  }

  /** The event of a catalog case: its own correlation, event_data holding the fields its queries read. */
  private static KubernautEvent catalogEvent(JsonNode c) {
    ObjectNode data = NODES.objectNode().put("event_type", c.get("event_type").asText());
    for (JsonNode q : c.get("queries")) {
      ObjectNode at = data;
      JsonNode path = q.get("path");
      for (int i = 0; i < path.size() - 1; i++) {
        at = at.has(path.get(i).asText()) ? (ObjectNode) at.get(path.get(i).asText()) : at.putObject(path.get(i).asText());
      }
      String value = q.get("value").asText();
      String leaf = path.get(path.size() - 1).asText();
      if (value.matches("\\d+")) {
        at.put(leaf, Long.parseLong(value));
      } else {
        at.put(leaf, value);
      }
    }
    String correlation = testId("test-gap-1.1-" + c.get("service").asText());
    return event(c.get("event_type").asText(), c.get("event_category").asText(), c.get("event_action").asText(),
        correlation, now(), data).outcome(c.get("event_outcome").asText());
  }

  /** Types only the server writes (its workflow catalog's records): a writer may not forge them. */
  private static boolean reserved(String eventType) {
    return eventType.startsWith("datastorage.workflow.");
  }

  private static String difference(String eventType) {
    return reserved(eventType) ? " (documented difference: reserved for the server's own catalog records)" : "";
  }

  private static void assertReservedRefused(HttpResponse<String> r) {
    JsonNode problem = OgenDecoder.problem(r, 400);
    assertThat(problem.get("field_errors").get("event_type").asText()).contains("reserved");
  }

  @Nested
  @DisplayName("e2e 09_event_type_jsonb_comprehensive")
  class EventTypeJsonb {
    @Test
    @DisplayName("should validate all 36 event types from OpenAPI schema are documented")
    void catalogCoverage() throws Exception {
      List<JsonNode> catalog = eventTypeCatalog().map(a -> (JsonNode) a.get()[1]).toList();
      assertThat(catalog).hasSize(36);
      Map<String, Long> byService = new java.util.TreeMap<>();
      catalog.forEach(c -> byService.merge(c.get("service").asText(), 1L, Long::sum));
      assertThat(byService).containsExactlyInAnyOrderEntriesOf(Map.of("gateway", 4L, "remediation-orchestrator", 8L,
          "signalprocessing", 6L, "aianalysis", 5L, "workflowexecution", 5L, "webhooks", 5L, "workflow", 1L,
          "datastorage", 2L));
    }

    @ParameterizedTest(name = "Event Type: {0}: should accept event type via OpenAPI client and persist to database{2}")
    @MethodSource("dev.auditflow.cli.kubernaut.KubernautSuite#eventTypeCatalog")
    void accepted(String eventType, JsonNode c, String difference) {
      KubernautEvent event = catalogEvent(c);
      HttpResponse<String> r = ds.post("/api/v1/audit/events", event.json().toString());
      if (reserved(eventType)) {
        // Documented difference: the server's own catalog records, not a writer's.
        assertReservedRefused(r);
        return;
      }
      OgenDecoder.createAuditEvent(r);
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ? AND event_type = ?",
          event.json().get("correlation_id").asText(), eventType)).isEqualTo(1);
    }

    @ParameterizedTest(name = "Event Type: {0}: should support JSONB query: event_data {1}{4}")
    @MethodSource("dev.auditflow.cli.kubernaut.KubernautSuite#jsonbQueries")
    void jsonbQuery(String eventType, String path, JsonNode c, JsonNode q, String difference) {
      KubernautEvent event = catalogEvent(c);
      HttpResponse<String> r = ds.post("/api/v1/audit/events", event.json().toString());
      if (reserved(eventType)) {
        assertReservedRefused(r);
        return;
      }
      OgenDecoder.createAuditEvent(r);
      StringBuilder expression = new StringBuilder("event_data");
      JsonNode keys = q.get("path");
      for (int i = 0; i < keys.size(); i++) {
        expression.append(i == keys.size() - 1 ? "->>" : "->").append('\'').append(keys.get(i).asText()).append('\'');
      }
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ? AND " + expression + " = ?",
          event.json().get("correlation_id").asText(), q.get("value").asText())).isEqualTo(q.get("rows").asLong());
    }
  }

  @Nested
  @DisplayName("e2e 12_audit_write_api")
  class AuditWriteApi {
    @Test
    @DisplayName("Gateway service writes a signal received event: should create audit event and return 201 Created")
    void gatewaySignalReceived() {
      String rr = testId("test");
      ObjectNode data = gatewayPayload("PodOOMKilled").put("namespace", "production").put("fingerprint", "sha256:abc123");
      KubernautEvent e = event("gateway.signal.received", "gateway", "signal_received", rr, now().minusSeconds(5), data)
          .set("resource_type", "pod").set("resource_id", "api-server-xyz-123").set("namespace", "production")
          .set("severity", "critical");
      String id = ds.createAuditEvent(e);
      assertUuid(id);
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE event_id = ?::uuid", id)).isEqualTo(1);
      Map<String, Object> row = row("SELECT event_type, event_category, event_action, event_outcome, actor_id,"
          + " actor_type, correlation_id, resource_type, resource_id, event_data::text AS event_data"
          + " FROM audit_events WHERE event_id = ?::uuid", id);
      assertThat(row).containsEntry("event_type", "gateway.signal.received").containsEntry("event_category", "gateway")
          .containsEntry("event_action", "signal_received").containsEntry("event_outcome", "success")
          .containsEntry("actor_id", "gateway-service").containsEntry("actor_type", "service")
          .containsEntry("correlation_id", rr).containsEntry("resource_type", "pod")
          .containsEntry("resource_id", "api-server-xyz-123");
      assertThat((String) row.get("event_data")).contains("alert").contains("PodOOMKilled");
    }

    @Test
    @DisplayName("AI Analysis service writes an analysis completed event: should create audit event with AI-specific data")
    void aiAnalysisCompleted() {
      String rr = testId("test");
      String id = ds.createAuditEvent(event("aianalysis.analysis.completed", "analysis", "analysis", rr,
          now().minusSeconds(5), NODES.objectNode().put("event_type", "aianalysis.analysis.completed")
              .put("analysis_name", "analysis-2025-001").put("phase", "Completed")));
      Map<String, Object> row = row("SELECT event_type, event_category, event_action, event_outcome, correlation_id,"
          + " event_data::text AS event_data FROM audit_events WHERE event_id = ?::uuid", id);
      assertThat(row).containsEntry("event_type", "aianalysis.analysis.completed").containsEntry("event_category",
          "analysis").containsEntry("event_action", "analysis").containsEntry("event_outcome", "success")
          .containsEntry("correlation_id", rr);
      assertThat((String) row.get("event_data")).contains("analysis-2025-001");
    }

    @Test
    @DisplayName("Workflow service writes a workflow completed event: should create audit event with workflow-specific data")
    void workflowCompleted() {
      String rr = testId("test");
      ObjectNode data = NODES.objectNode().put("event_type", "workflowexecution.workflow.completed")
          .put("workflow_id", "workflow-increase-memory").put("workflow_version", "v1")
          .put("target_resource", "Pod/test-pod").put("phase", "Completed")
          .put("container_image", "gcr.io/tekton-releases/tekton:v0.1.0").put("execution_name", "exec-increase-memory-001");
      String id = ds.createAuditEvent(event("workflowexecution.workflow.completed", "workflow", "workflow_execution", rr,
          now().minusSeconds(5), data));
      assertUuid(id);
      Map<String, Object> row = row("SELECT event_category, event_action, event_data::text AS event_data"
          + " FROM audit_events WHERE event_id = ?::uuid", id);
      assertThat(row).containsEntry("event_category", "workflow").containsEntry("event_action", "workflow_execution");
      assertThat((String) row.get("event_data")).contains("workflow-increase-memory");
    }

    @Test
    @DisplayName("multiple events are written with same correlation_id: should create all events and link them")
    void sameCorrelation() {
      String rr = testId("test");
      Instant at = now().minusSeconds(5);
      ds.createAuditEvent(event("gateway.signal.received", "gateway", "signal_received", rr, at,
          gatewayPayload("TestAlert")));
      ds.createAuditEvent(event("aianalysis.analysis.completed", "analysis", "analysis", rr, at,
          aiAnalysisPayload("analysis-001")));
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isEqualTo(2);
    }

    @Test
    @DisplayName("event references non-existent parent_event_id: should reject with 400 Bad Request"
        + " (in Kafka mode, documented difference: accepted, then rejected by the writer as parent_not_found)")
    void missingParent() {
      String rr = testId("test");
      KubernautEvent child = event("gateway.signal.received", "gateway", "signal_received", rr, now().minusSeconds(5),
          gatewayPayload("ChildEvent")).set("parent_event_id", "00000000-0000-0000-0000-000000000001")
          .set("resource_type", "pod").set("resource_id", "child-pod-123").set("namespace", "production")
          .set("severity", "info");
      HttpResponse<String> answer = ds.post("/api/v1/audit/events", child.json().toString());
      if (kafkaMode) {
        // Whether the parent exists is known when a writer stores the event; the writer has caught up by now.
        JsonNode accepted = OgenDecoder.createAuditEvent(answer);
        assertThat(answer.statusCode()).isEqualTo(202);
        assertThat(accepted.get("status").asText()).isEqualTo("accepted");
        assertThat(count("SELECT COUNT(*) FROM ingest_rejections WHERE event_id = ?::uuid AND reason = 'parent_not_found'",
            accepted.get("event_id").asText())).isEqualTo(1);
      } else {
        JsonNode problem = OgenDecoder.problem(answer, 400);
        assertThat(problem.get("detail").asText()).isNotEmpty().contains("parent");
      }
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isZero();
    }
  }

  @Nested
  @DisplayName("e2e 13_audit_query_api")
  class AuditQueryApi {
    @Test
    @DisplayName("Query by correlation_id: should return all events for a remediation in chronological order")
    void byCorrelation() {
      String rr = testId("test");
      Instant base = now().minusSeconds(5);
      ds.createAuditEvent(event("gateway.signal.received", "gateway", "test", rr, base, gatewayPayload("TestAlert0")));
      ds.createAuditEvent(event("aianalysis.analysis.completed", "analysis", "test", rr, base.plusSeconds(1),
          aiAnalysisPayload("test-analysis-1")));
      ds.createAuditEvent(event("workflowexecution.workflow.started", "workflow", "test", rr, base.plusSeconds(2),
          workflowPayload("test-workflow-2")));
      ds.createAuditEvent(event("workflowexecution.workflow.completed", "workflow", "test", rr, base.plusSeconds(3),
          workflowPayload("test-workflow-3")));
      JsonNode page = ds.queryAuditEvents("correlation_id=" + rr);
      assertThat(page.get("data")).hasSize(4);
      assertDescending(list(page.get("data")));
      JsonNode p = page.get("pagination");
      assertThat(p.get("limit").asInt()).isEqualTo(50);
      assertThat(p.get("offset").asInt()).isZero();
      assertThat(p.get("total").asInt()).isEqualTo(4);
      assertThat(p.get("has_more").asBoolean()).isFalse();
    }

    /**
     * Kubernaut's cases that send events identical in every field, to the second, in separate
     * requests: auditflow derives an event's id from its content, so a resend is the same event —
     * which is what makes Kubernaut's retries safe — and these twins are one event.
     */
    private void sendSingly(KubernautEvent e, int times) {
      for (int i = 0; i < times; i++) {
        ds.createAuditEvent(e);
      }
    }

    @Test
    @DisplayName("Query by event_type: should return only events matching the event_type filter (documented difference: twins are one event)")
    void byEventType() {
      String rr = testId("test");
      Instant at = now().minusSeconds(5);
      sendSingly(event("gateway.signal.received", "gateway", "test", rr, at, gatewayPayload("TestAlert-Gateway")), 3);
      sendSingly(event("aianalysis.analysis.completed", "analysis", "test", rr, at, aiAnalysisPayload("test-analysis")), 2);
      sendSingly(event("workflowexecution.workflow.completed", "workflow", "test", rr, at, workflowPayload("test-workflow")), 1);
      JsonNode data = ds.queryAuditEvents("correlation_id=" + rr + "&event_type=gateway.signal.received").get("data");
      assertThat(data).hasSize(1);
      data.forEach(e -> assertThat(e.get("event_type").asText()).isEqualTo("gateway.signal.received"));
    }

    @Test
    @DisplayName("Query by service: should return only events from the specified service (documented difference: twins are one event)")
    void byService() {
      String rr = testId("test");
      Instant at = now().minusSeconds(5);
      sendSingly(event("gateway.signal.received", "gateway", "test", rr, at, gatewayPayload("test-signal")), 2);
      sendSingly(event("aianalysis.analysis.completed", "analysis", "test", rr, at, aiAnalysisPayload("test-analysis")), 3);
      sendSingly(event("workflowexecution.workflow.started", "workflow", "test", rr, at, workflowPayload("test")), 1);
      JsonNode data = ds.queryAuditEvents("correlation_id=" + rr + "&event_category=analysis").get("data");
      assertThat(data).hasSize(1);
      data.forEach(e -> assertThat(e.get("event_category").asText()).isEqualTo("analysis"));
    }

    @Test
    @DisplayName("Query by time range: should return events within the specified time range using relative time (since=24h) (documented difference: twins are one event)")
    void since24h() {
      String rr = testId("test");
      sendSingly(event("signal.received", "gateway", "test", rr, now().minusSeconds(5), gatewayPayload("test")), 5);
      JsonNode data = ds.queryAuditEvents("correlation_id=" + rr + "&since=24h").get("data");
      assertThat(data).hasSize(1);
      data.forEach(e -> assertThat(Duration.between(Instant.parse(e.get("event_timestamp").asText()), now()))
          .isLessThan(Duration.ofHours(24)));
    }

    @Test
    @DisplayName("Query by time range: should return events within absolute time range (since/until) (documented difference: twins are one event)")
    void absoluteRange() {
      String rr = testId("test");
      sendSingly(event("signal.received", "gateway", "test", rr, now().minusSeconds(5), gatewayPayload("test")), 3);
      String since = KubernautEvent.rfc3339(now().minus(Duration.ofHours(1)));
      String until = KubernautEvent.rfc3339(now().plus(Duration.ofHours(1)));
      assertThat(ds.queryAuditEvents("correlation_id=" + rr + "&since=" + since + "&until=" + until).get("data"))
          .hasSize(1);
    }

    @Test
    @DisplayName("Query with multiple filters: should return events matching all filters (documented difference: twins are one event)")
    void multipleFilters() {
      String rr = testId("test");
      Instant at = now().minusSeconds(5);
      for (String outcome : List.of("success", "failure", "success", "failure")) {
        ds.createAuditEvent(event("gateway.signal.received", "gateway", "test", rr, at, gatewayPayload("TestAlert"))
            .outcome(outcome));
      }
      JsonNode data = ds.queryAuditEvents("correlation_id=" + rr + "&event_category=gateway&event_outcome=failure")
          .get("data");
      assertThat(data).hasSize(1);
      data.forEach(e -> {
        assertThat(e.get("event_category").asText()).isEqualTo("gateway");
        assertThat(e.get("event_outcome").asText()).isEqualTo("failure");
      });
    }

    @Test
    @DisplayName("Pagination: should return correct subset with limit and offset")
    void limitAndOffset() {
      String rr = testId("test");
      Instant at = now().minusSeconds(5);
      List<KubernautEvent> batch = new ArrayList<>();
      for (int i = 0; i < 75; i++) {
        batch.add(event("gateway.signal.received", "gateway", "test", rr, at, gatewayPayload("TestAlert")));
      }
      assertThat(ds.createAuditEventsBatch(batch)).hasSize(75);
      String filter = "correlation_id=" + rr + "&event_category=gateway&event_type=gateway.signal.received";
      JsonNode first = ds.queryAuditEvents(filter + "&limit=50&offset=0");
      assertThat(first.get("data")).hasSize(50);
      assertThat(first.get("pagination").get("limit").asInt()).isEqualTo(50);
      assertThat(first.get("pagination").get("offset").asInt()).isZero();
      assertThat(first.get("pagination").get("total").asInt()).isGreaterThanOrEqualTo(75);
      assertThat(first.get("pagination").get("has_more").asBoolean()).isTrue();
      JsonNode second = ds.queryAuditEvents(filter + "&limit=50&offset=50");
      assertThat(second.get("data")).hasSize(25);
      assertThat(second.get("pagination").get("offset").asInt()).isEqualTo(50);
      assertThat(second.get("pagination").get("total").asInt()).isGreaterThanOrEqualTo(75);
      assertThat(second.get("pagination").get("has_more").asBoolean()).isFalse();
      Set<String> ids = new HashSet<>(first.get("data").findValuesAsText("event_id"));
      ids.addAll(second.get("data").findValuesAsText("event_id"));
      assertThat(ids).hasSize(75);
    }

    @Test
    @DisplayName("Empty result set: should return empty data array with pagination metadata")
    void emptyResult() {
      JsonNode page = ds.queryAuditEvents("correlation_id=rr-9999-999");
      assertThat(page.get("data")).isEmpty();
      assertThat(page.get("pagination").get("total").asInt()).isZero();
      assertThat(page.get("pagination").get("has_more").asBoolean()).isFalse();
    }
  }

  @Nested
  @DisplayName("e2e 14_audit_batch_write_api")
  class BatchWriteApi {
    @Test
    @DisplayName("should accept batch of 3 events and return 201 with all event_ids")
    void batchOfThree() {
      String id = testId("test");
      Instant at = now().minusSeconds(5);
      List<String> ids = ds.createAuditEventsBatch(List.of(
          event("gateway.signal.received", "gateway", "signal_received", id + "-1", at, gatewayPayload("BatchTest1")
              .put("fingerprint", "test-fingerprint-1")),
          event("gateway.crd.created", "gateway", "crd_created", id + "-2", at, gatewayPayload("BatchTest2")
              .put("event_type", "gateway.crd.created").put("fingerprint", "test-fingerprint-2")),
          event("gateway.signal.received", "gateway", "signal_received", id + "-3", at, gatewayPayload("BatchTest3")
              .put("fingerprint", "test-fingerprint-3"))));
      assertThat(ids).hasSize(3).allSatisfy(KubernautSuite::assertUuid);
      ids.forEach(e -> assertThat(count("SELECT COUNT(*) FROM audit_events WHERE event_id = ?::uuid", e)).isEqualTo(1));
      assertThat(row("SELECT event_type, correlation_id FROM audit_events WHERE event_id = ?::uuid", ids.get(0)))
          .containsEntry("event_type", "gateway.signal.received").containsEntry("correlation_id", id + "-1");
    }

    @Test
    @DisplayName("batch contains 100 events: should persist all events efficiently")
    void batchOfHundred() {
      String rr = testId("test") + "-large";
      Instant at = now().minusSeconds(5);
      List<KubernautEvent> batch = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        batch.add(event("gateway.signal.received", "gateway", "signal_received", rr, at,
            gatewayPayload("LargeBatchTest").put("fingerprint", "test-fingerprint-large")));
      }
      long started = System.nanoTime();
      assertThat(ds.createAuditEventsBatch(batch)).hasSize(100);
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(8));
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isEqualTo(100);
    }
  }

  @Nested
  @DisplayName("e2e 18_workflow_duplicate_api (6f31ff80c)")
  class WorkflowDuplicateApi {
    @Test
    @DisplayName("should return 409 Conflict when creating duplicate workflow (RFC 9110 compliance)")
    void duplicateIsConflict() {
      String name = "test-workflow-duplicate-" + System.nanoTime();
      String body = WorkflowJson.kubernaut(name, "1.0.0").toString();
      HttpResponse<String> created = ds.post("/api/v1/workflows", body);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(KubernautApi.json(created).get("workflow_id").asText()).isNotEmpty();
      JsonNode conflict = OgenDecoder.problem(ds.post("/api/v1/workflows", body), 409);
      assertThat(conflict.get("title").asText()).contains("Already Exists");
      assertThat(conflict.get("detail").asText()).contains(name).contains("1.0.0");
      assertThat(conflict.get("status").asInt()).isEqualTo(409);
      JsonNode workflows = KubernautApi.json(ds.get("/api/v1/workflows")).get("workflows");
      assertThat(workflows.findValuesAsText("workflow_name").stream().filter(name::equals)).hasSize(1);
    }

    @Test
    @DisplayName("should return 500 for other database errors (not duplicate-related)")
    void otherErrorsAreNotConflicts() {
      String body = WorkflowJson.kubernaut("\u0000".repeat(1000), "1.0.0").toString();
      HttpResponse<String> r = ds.post("/api/v1/workflows", body);
      assertThat(r.statusCode()).isIn(400, 500).isNotEqualTo(409);
    }
  }

  @Nested
  @DisplayName("e2e 20_legal_hold_api")
  class LegalHoldApi {
    private List<String> events(String correlationId, int n) {
      List<KubernautEvent> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(event("test.legal_hold.event_" + i, "gateway", "test_action", correlationId, now(),
            NODES.objectNode().put("event_type", "test.legal_hold.event_" + i).put("test", "data"))
            .set("resource_type", "test_resource").set("resource_id", "test-" + i).set("namespace", "default")
            .set("cluster_id", "test-cluster").set("actor_id", "test-actor").set("actor_type", "user")
            .set("severity", "info").set("retention_days", 2555));
      }
      return ds.createAuditEventsBatch(batch);
    }

    @Test
    @DisplayName("Database-Level Trigger Enforcement: should prevent deletion of events with legal hold")
    void heldEventsCannotBeDeleted() {
      String rr = "legal-hold-test-" + UUID.randomUUID();
      events(rr, 1);
      placeHold(rr, "Litigation: Case #2026-GAP8-001");
      try (Connection c = DriverManager.getConnection(db)) {
        c.setAutoCommit(false);
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM audit_events WHERE correlation_id = ?")) {
          ps.setString(1, rr);
          assertThatThrownBy(ps::executeUpdate).hasMessageContaining("audit events are immutable");
          c.rollback();
          // Even as the retention purge deletes (the only deleter there is), a hold stops it, by name.
          try (Statement s = c.createStatement()) {
            s.execute("SET LOCAL auditflow.retention_purge = 'on'");
          }
          assertThatThrownBy(ps::executeUpdate).hasMessageContaining("under a legal hold").hasMessageContaining(rr);
          c.rollback();
        }
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isEqualTo(1);
    }

    @Test
    @DisplayName("Database-Level Trigger Enforcement: should allow deletion after legal hold release (documented difference: only the purge deletes, and only expired events)")
    void releasedEventsStayUntilTheyExpire() {
      String rr = "legal-hold-test-" + UUID.randomUUID();
      events(rr, 1);
      placeHold(rr, "Litigation");
      releaseHold(rr, "Released");
      try (Connection c = DriverManager.getConnection(db);
          PreparedStatement ps = c.prepareStatement("DELETE FROM audit_events WHERE correlation_id = ?")) {
        ps.setString(1, rr);
        assertThatThrownBy(ps::executeUpdate).hasMessageContaining("audit events are immutable");
      } catch (java.sql.SQLException e) {
        throw new AssertionError(e);
      }
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isEqualTo(1);
    }

    @Test
    @DisplayName("POST /api/v1/audit/legal-hold: should place legal hold on all events with correlation_id")
    void place() {
      String rr = "legal-hold-test-" + UUID.randomUUID();
      events(rr, 5);
      JsonNode answer = placeHold(rr, "Litigation: Case #2026-GAP8-002");
      assertThat(answer.get("correlation_id").asText()).isEqualTo(rr);
      assertThat(answer.get("events_affected").asInt()).isEqualTo(5);
      assertThat(answer.get("placed_by").asText()).contains("system:serviceaccount:datastorage-e2e:");
      JsonNode events = ds.exportAuditEvents("correlation_id=" + rr).get("events");
      assertThat(events).hasSize(5);
      events.forEach(e -> assertThat(e.get("legal_hold").asBoolean()).isTrue());
      JsonNode hold = list(activeHolds()).stream().filter(h -> h.get("correlation_id").asText().equals(rr))
          .findFirst().orElseThrow();
      assertThat(hold.get("placed_by").asText()).contains("system:serviceaccount:datastorage-e2e:");
      assertThat(hold.get("reason").asText()).isEqualTo("Litigation: Case #2026-GAP8-002");
    }

    @Test
    @DisplayName("POST /api/v1/audit/legal-hold: should return 400 if correlation_id not found")
    void unknownCorrelation() {
      HttpResponse<String> r = ds.post("/api/v1/audit/legal-hold",
          NODES.objectNode().put("correlation_id", "non-existent-correlation-id").put("reason", "Test: Non-existent")
              .toString());
      assertThat(r.statusCode()).as(r.body()).isIn(400, 404);
    }

    @Test
    @DisplayName("POST /api/v1/audit/legal-hold: should capture X-Auth-Request-User in placed_by field")
    void placedByIsTheCaller() {
      String rr = "legal-hold-test-" + UUID.randomUUID();
      events(rr, 1);
      assertThat(placeHold(rr, "Test: User ID Capture").get("placed_by").asText())
          .contains("system:serviceaccount:datastorage-e2e:");
    }

    @Test
    @DisplayName("DELETE /api/v1/audit/legal-hold/{correlation_id}: should release legal hold on all events")
    void release() {
      String rr = "legal-hold-test-" + UUID.randomUUID();
      events(rr, 3);
      placeHold(rr, "Case pending");
      JsonNode answer = releaseHold(rr, "Case settled");
      assertThat(answer.get("correlation_id").asText()).isEqualTo(rr);
      assertThat(answer.get("events_released").asInt()).isEqualTo(3);
      assertThat(answer.get("released_by").asText()).contains("system:serviceaccount:datastorage-e2e:");
      JsonNode events = ds.exportAuditEvents("correlation_id=" + rr).get("events");
      assertThat(events).hasSize(3);
      events.forEach(e -> assertThat(e.get("legal_hold").asBoolean()).isFalse());
    }

    @Test
    @DisplayName("GET /api/v1/audit/legal-hold: should list all active legal holds (documented difference: placed_by is whoever placed it)")
    void listActive() {
      List<String> rrs = List.of("legal-hold-list-1-" + UUID.randomUUID(), "legal-hold-list-2-" + UUID.randomUUID(),
          "legal-hold-list-3-" + UUID.randomUUID());
      for (String rr : rrs) {
        events(rr, 1);
        placeHold(rr, "Litigation: Case #" + rr);
      }
      List<JsonNode> holds = list(activeHolds());
      assertThat(holds).hasSizeGreaterThanOrEqualTo(3);
      List<JsonNode> ours = holds.stream().filter(h -> rrs.contains(h.get("correlation_id").asText())).toList();
      assertThat(ours).hasSize(3)
          .allSatisfy(h -> assertThat(h.get("placed_by").asText()).isEqualTo("kubernetes:" + SA));
    }
  }

  @Nested
  @DisplayName("e2e 22_audit_validation_helper")
  class ValidationHelper {
    @Test
    @DisplayName("should validate audit event response using testutil helper")
    void validateAuditEvent() {
      String rr = testId("test");
      assertUuid(ds.createAuditEvent(event("gateway.signal.received", "gateway", "test_action", rr,
          now().minusSeconds(5), gatewayPayload("ValidationTest"))));
      List<JsonNode> all = ds.queryAll("correlation_id=" + rr);
      assertThat(all).hasSize(1);
      JsonNode e = all.get(0);
      assertThat(e.get("event_type").asText()).isEqualTo("gateway.signal.received");
      assertThat(e.get("event_category").asText()).isEqualTo("gateway");
      assertThat(e.get("event_action").asText()).isEqualTo("test_action");
      assertThat(e.get("event_outcome").asText()).isEqualTo("success");
      assertThat(e.get("correlation_id").asText()).isEqualTo(rr);
    }
  }

  @Nested
  @DisplayName("e2e 30_lifecycle_e2e")
  class Lifecycle {
    private final String rr = testId("lifecycle-1088");

    private List<String> ingest() {
      Instant base = now().minus(Duration.ofMinutes(10));
      List<KubernautEvent> batch = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        batch.add(event("lifecycle.phase9.gateway.signal", "gateway", "lifecycle_batch_ingest", rr, base.plusSeconds(i),
            gatewayPayload("lifecycle-phase9")));
      }
      return ds.createAuditEventsBatch(batch);
    }

    @Test
    @DisplayName("ET-DS-1088-LC-001: should expose a reachable dedicated health endpoint after startup")
    void healthz() {
      HttpResponse<String> health = ds.get("/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      JsonNode body = KubernautApi.json(health);
      assertThat(body.get("status").asText().strip().toLowerCase(java.util.Locale.ROOT)).isEqualTo("healthy");
      assertThat(OffsetDateTime.parse(body.get("timestamp").asText(), DateTimeFormatter.ISO_OFFSET_DATE_TIME)).isNotNull();
      HttpResponse<String> ready = ds.get("/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(ready.body()).contains("ready");
    }

    @Test
    @DisplayName("ET-DS-1088-LC-002..005: batched ingest, query with totals, verify-chain, export with hash-chain metadata")
    void ingestQueryVerifyExport() {
      List<String> ids = ingest();
      assertThat(ids).hasSize(5).allSatisfy(KubernautSuite::assertUuid);
      // LC-003
      JsonNode page = ds.queryAuditEvents("correlation_id=" + rr + "&limit=100&offset=0");
      assertThat(page.get("data")).hasSize(5);
      page.get("data").forEach(e -> {
        assertThat(e.get("correlation_id").asText()).isEqualTo(rr);
        assertThat(e.get("event_type").asText()).isEqualTo("lifecycle.phase9.gateway.signal");
      });
      assertThat(page.get("pagination").get("total").asInt()).isGreaterThanOrEqualTo(5);
      assertDescending(list(page.get("data")));
      // LC-004
      JsonNode verified = ds.verifyAuditChain(rr);
      assertThat(verified.get("correlation_id").asText()).isEqualTo(rr);
      assertThat(verified.get("is_valid").asBoolean()).isTrue();
      assertThat(verified.get("total_events").asInt()).isEqualTo(5);
      assertThat(verified.get("verified_events").asInt()).isEqualTo(5);
      assertThat(verified.get("tampered_events")).isEmpty();
      assertThat(verified.get("message").asText().strip()).isNotEmpty();
      // LC-005
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      assertThat(export.get("events")).hasSize(5);
      JsonNode v = export.get("hash_chain_verification");
      assertThat(v.get("total_events_verified").asInt()).isEqualTo(5);
      assertThat(v.get("valid_chain_events").asInt()).isEqualTo(5);
      assertThat(v.get("broken_chain_events").asInt()).isZero();
      assertThat(v.get("chain_integrity_percentage").asDouble()).isEqualTo(100.0);
      List<JsonNode> events = list(export.get("events"));
      for (int i = 0; i < events.size(); i++) {
        JsonNode e = events.get(i);
        assertThat(e.get("event_hash").asText().strip()).hasSize(64);
        assertThat(e.has("previous_event_hash")).isTrue();
        if (i > 0) {
          assertThat(e.get("previous_event_hash").asText().strip()).isNotEmpty();
        }
        assertThat(e.get("hash_chain_valid").asBoolean()).isTrue();
      }
    }
  }

  // ---- test/integration/datastorage ----

  private static KubernautEvent apiFrontendEvent(String correlationId, String eventType, String taskId, String rrName,
      String rrNamespace) {
    ObjectNode data = NODES.objectNode().put("event_type", eventType).put("session_id", "sess-correlation-test")
        .put("task_id", taskId);
    if (rrName != null) {
      data.put("rr_name", rrName);
    }
    if (rrNamespace != null) {
      data.put("rr_namespace", rrNamespace);
    }
    return event(eventType, "apifrontend", "completed", correlationId, now(), data).set("resource_type", "a2a_task")
        .set("resource_id", taskId).set("actor_type", "service").set("actor_id", "apifrontend");
  }

  @Nested
  @DisplayName("integration audit_correlation (#1199)")
  class AuditCorrelation {
    @Test
    @DisplayName("IT-DS-1199-010: query by detail_key=task_id returns event with rr_name")
    void byTaskId() {
      String task = testId("task");
      ds.createAuditEvent(apiFrontendEvent(testId("corr-1199"), "apifrontend.a2a.task_completed", task, "rr-oom-web",
          "production"));
      JsonNode page = ds.queryAuditEvents("detail_key=task_id&detail_value=" + task);
      assertThat(page.get("pagination").get("total").asInt()).isGreaterThanOrEqualTo(1);
      assertThat(page.get("data")).hasSize(1);
      assertThat(page.get("data").get(0).get("event_data").get("rr_name").asText()).isEqualTo("rr-oom-web");
      assertThat(page.get("data").get(0).get("event_data").get("task_id").asText()).isEqualTo(task);
    }

    @Test
    @DisplayName("IT-DS-1199-011: query by detail_key=rr_name returns event with task_id (reverse direction)")
    void byRrName() {
      String task = testId("task");
      String rrName = testId("rr");
      ds.createAuditEvent(apiFrontendEvent(testId("corr-1199"), "apifrontend.a2a.task_completed", task, rrName, "staging"));
      JsonNode page = ds.queryAuditEvents("detail_key=rr_name&detail_value=" + rrName);
      assertThat(page.get("data")).hasSize(1);
      assertThat(page.get("data").get(0).get("event_data").get("task_id").asText()).isEqualTo(task);
    }

    @Test
    @DisplayName("IT-DS-1199-013: query with non-existent detail_value returns empty result")
    void noMatch() {
      JsonNode page = ds.queryAuditEvents("detail_key=task_id&detail_value=nonexistent-task-id-" + UUID.randomUUID());
      assertThat(page.get("data")).isEmpty();
      assertThat(page.get("pagination").get("total").asInt()).isZero();
    }

    @Test
    @DisplayName("IT-DS-1199-014: query combining detail_key + event_type returns only matching events")
    void withEventType() {
      String task = testId("task");
      String corr = testId("corr-1199");
      ds.createAuditEvent(apiFrontendEvent(corr, "apifrontend.a2a.task_completed", task, "rr-web", "default"));
      ds.createAuditEvent(apiFrontendEvent(corr, "apifrontend.a2a.task_failed", task, "rr-web", "default"));
      JsonNode page = ds.queryAuditEvents("event_type=apifrontend.a2a.task_completed&detail_key=task_id&detail_value="
          + task);
      assertThat(page.get("pagination").get("total").asInt()).isEqualTo(1);
      assertThat(page.get("data")).hasSize(1);
      assertThat(page.get("data").get(0).get("event_type").asText()).isEqualTo("apifrontend.a2a.task_completed");
    }

    @Test
    @DisplayName("IT-DS-1199-015/016 (and UT-DS-1199-020/020b): one of detail_key and detail_value alone returns 400")
    void halfAFilter() {
      for (String half : List.of("detail_key=task_id", "detail_value=task-abc")) {
        JsonNode problem = OgenDecoder.problem(ds.get("/api/v1/audit/events?" + half), 400);
        assertThat(problem.get("field_errors").toString()).contains("detail_key and detail_value must both be provided");
      }
    }

    @Test
    @DisplayName("IT-DS-1199-017: invalid detail_key with special characters returns 400")
    void specialCharacters() {
      OgenDecoder.problem(ds.get("/api/v1/audit/events?detail_key=task_id%27%3B+DROP+TABLE--&detail_value=val"), 400);
    }
  }

  /** An export's events of one chain, oldest first, and the export itself. */
  private static List<JsonNode> chainOf(JsonNode export) {
    List<JsonNode> events = new ArrayList<>(list(export.get("events")));
    events.sort(java.util.Comparator.comparingLong(e -> e.get("chain_position").asLong()));
    return events;
  }

  private static KubernautEvent repositoryEvent(String type, String category, String action, String correlationId,
      String resourceType, String resourceId, String actorId, String actorType, ObjectNode data) {
    return event(type, category, action, correlationId, now(), data.put("event_type", type))
        .set("resource_type", resourceType).set("resource_id", resourceId).set("actor_id", actorId)
        .set("actor_type", actorType);
  }

  @Nested
  @DisplayName("integration audit_export_integration")
  class AuditExportIntegration {
    private List<String> chain(String correlationId, int n, String type, String category) {
      List<KubernautEvent> batch = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        batch.add(repositoryEvent(type, category, "op-" + i, correlationId, "resource", "r-" + i, "system",
            "service_account", NODES.objectNode().put("index", i)));
      }
      return ds.createAuditEventsBatch(batch);
    }

    @Test
    @DisplayName("Hash Chain Insertion: should calculate and store correct hash chain linkage")
    void linkage() {
      String rr = testId("soc2-export") + "-chain-insert";
      chain(rr, 3, "workflow.created", "workflow");
      List<JsonNode> links = chainOf(ds.exportAuditEvents("correlation_id=" + rr));
      assertThat(links).hasSize(3);
      assertThat(links.get(0).get("previous_event_hash").asText()).isEmpty();
      assertThat(links.get(1).get("previous_event_hash").asText()).isEqualTo(links.get(0).get("event_hash").asText());
      assertThat(links.get(2).get("previous_event_hash").asText()).isEqualTo(links.get(1).get("event_hash").asText());
    }

    @Test
    @DisplayName("Hash Chain Verification: should verify hash chain integrity correctly")
    void valid() {
      String rr = testId("soc2-export") + "-verify-valid";
      chain(rr, 5, "workflow.executed", "workflow");
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      assertThat(export.get("events")).hasSize(5);
      JsonNode v = export.get("hash_chain_verification");
      assertThat(v.get("total_events_verified").asInt()).isEqualTo(5);
      assertThat(v.get("valid_chain_events").asInt()).isEqualTo(5);
      assertThat(v.get("broken_chain_events").asInt()).isZero();
      assertThat(v.get("chain_integrity_percentage").asDouble()).isEqualTo(100.0);
      export.get("events").forEach(e -> assertThat(e.get("hash_chain_valid").asBoolean()).isTrue());
    }

    @Test
    @DisplayName("Hash Chain Verification: should detect hash chain tampering")
    void tamperedHash() {
      String rr = testId("soc2-export") + "-verify-tampered";
      List<String> ids = chain(rr, 3, "data.modified", "data");
      tamper("UPDATE audit_events SET event_hash = 'TAMPERED_HASH_VALUE' WHERE event_id = ?::uuid", ids.get(1));
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      JsonNode v = export.get("hash_chain_verification");
      assertThat(v.get("valid_chain_events").asInt()).isLessThan(3);
      assertThat(v.get("broken_chain_events").asInt()).isPositive();
      assertThat(v.get("chain_integrity_percentage").asDouble()).isLessThan(100.0);
      assertThat(list(export.get("events")).stream().filter(e -> e.get("event_id").asText().equals(ids.get(1)))
          .findFirst().orElseThrow().get("hash_chain_valid").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("Hash Chain Verification: should detect broken chain linkage")
    void brokenLink() {
      String rr = testId("soc2-export") + "-verify-broken";
      List<String> ids = chain(rr, 3, "system.operation", "system");
      tamper("UPDATE audit_events SET previous_event_hash = 'INVALID_HASH_BREAKS_CHAIN' WHERE event_id = ?::uuid",
          ids.get(2));
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      assertThat(export.get("hash_chain_verification").get("broken_chain_events").asInt()).isPositive();
      assertThat(list(export.get("events")).stream().filter(e -> e.get("event_id").asText().equals(ids.get(2)))
          .findFirst().orElseThrow().get("hash_chain_valid").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("Export Metadata: should include correct export metadata")
    void metadata() {
      String rr = testId("soc2-export") + "-metadata";
      chain(rr, 3, "test.event", "test");
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      assertThat(export.get("hash_chain_verification").get("total_events_verified").asInt()).isEqualTo(3);
      assertThat(OffsetDateTime.parse(export.get("hash_chain_verification").get("verification_timestamp").asText()))
          .isNotNull();
      assertThat(export.get("hash_chain_verification").get("chain_integrity_percentage").asDouble())
          .isGreaterThanOrEqualTo(0.0);
    }

    @Test
    @DisplayName("Hash Calculation Algorithm: consistent hash / previous hash in the calculation (documented difference: auditflow's canonical form)")
    void hashAlgorithm() {
      // Kubernaut's tests recompute its own algorithm (Go's json.Marshal of its struct); auditflow's
      // is H(previous_event_hash ‖ canonical form), docs/CHAIN.md, checked here by the offline
      // verifier of a signed export made of the same two events.
      String rr = testId("soc2-export") + "-hash-chain-calc";
      ds.createAuditEventsBatch(List.of(
          repositoryEvent("test.chain", "test", "first", rr, "test", "chain-test", "tester", "user",
              NODES.objectNode().put("order", 1)),
          repositoryEvent("test.chain", "test", "second", rr, "test", "chain-test", "tester", "user",
              NODES.objectNode().put("order", 2))));
      List<JsonNode> links = chainOf(ds.exportAuditEvents("correlation_id=" + rr));
      assertThat(links.get(1).get("previous_event_hash").asText()).isEqualTo(links.get(0).get("event_hash").asText());
      assertThat(ds.verifyAuditChain(rr).get("is_valid").asBoolean()).isTrue();
    }
  }

  private static ArrayNode limitBatch(String testId, int count) {
    ArrayNode events = NODES.arrayNode();
    for (int i = 0; i < count; i++) {
      ObjectNode e = events.addObject().put("event_id", UUID.randomUUID().toString())
          .put("event_type", "gateway.signal.received").put("version", "1.0")
          .put("event_timestamp", KubernautEvent.rfc3339(now())).put("event_category", "gateway")
          .put("event_action", "received").put("event_outcome", "success")
          .put("correlation_id", "batch-limit-" + testId + "-" + i).put("resource_type", "Signal")
          .put("resource_id", "fp-" + i).put("actor_id", "gateway-service").put("actor_type", "service")
          .put("retention_days", 30);
      e.putObject("event_data").put("event_type", "gateway.signal.received").put("signal_name", "test-signal-" + i)
          .put("signal_type", "alert").put("fingerprint", "fp-batch-" + testId + "-" + i)
          .put("resource_kind", "Deployment").put("resource_name", "test-deploy-" + i).put("namespace", "default");
    }
    return events;
  }

  @Nested
  @DisplayName("integration batch_size_limit (BR-STORAGE-043)")
  class BatchSizeLimit {
    @Test
    @DisplayName("IT-DS-043-001: batch API returns 400 RFC7807 when payload exceeds configured maximum")
    void overConfigured() {
      JsonNode problem = OgenDecoder.problem(smallBatch.post("/api/v1/audit/events/batch",
          limitBatch(testId("t"), 6).toString()), 400);
      assertThat(problem.has("type")).isTrue();
      assertThat(problem.get("detail").asText()).contains("batch size");
    }

    @Test
    @DisplayName("IT-DS-043-002: batch API accepts and persists payload at exactly the configured maximum")
    void atConfigured() {
      assertThat(smallBatch.post("/api/v1/audit/events/batch", limitBatch(testId("t"), 5).toString()).statusCode())
          .isEqualTo(201);
    }

    @Test
    @DisplayName("IT-DS-043-003: batch API with no configured maximum uses the default (500) and enforces it")
    void overDefault() {
      JsonNode problem = OgenDecoder.problem(ds.post("/api/v1/audit/events/batch", limitBatch(testId("t"), 501)
          .toString()), 400);
      assertThat(problem.get("type").asText()).isEqualTo("https://kubernaut.ai/problems/batch-size-exceeded");
    }
  }

  @Nested
  @DisplayName("integration create_batch_hash_verification")
  class CreateBatchHashVerification {
    private KubernautEvent testEvent(String type, String correlationId, ObjectNode data) {
      return repositoryEvent(type, "test", "verify", correlationId, "test-resource", "test-id", "test-actor", "user",
          data).set("retention_days", 2555);
    }

    /** Sent with its own timestamp (KubernautEvent writes whole seconds). */
    private String sendWithTimestamp(KubernautEvent e, String timestamp) {
      ObjectNode json = e.json().put("event_timestamp", timestamp);
      return OgenDecoder.createAuditEventsBatch(ds.post("/api/v1/audit/events/batch",
          NODES.arrayNode().add(json).toString())).get("event_ids").get(0).asText();
    }

    @Test
    @DisplayName("should produce identical hash for batch-inserted events with integer EventData (documented difference: auditflow's canonical form)")
    void integerEventData() {
      String rr = testId("batch-hash") + "-int";
      ds.createAuditEventsBatch(List.of(testEvent("test.batch.hash", rr,
          NODES.objectNode().put("step", 1).put("count", 42))));
      JsonNode export = ds.exportAuditEvents("correlation_id=" + rr);
      assertThat(export.get("events")).hasSize(1);
      assertThat(export.get("events").get(0).get("hash_chain_valid").asBoolean()).isTrue();
      assertThat(export.get("events").get(0).get("event_data").get("count").isIntegralNumber()).isTrue();
    }

    @Test
    @DisplayName("should preserve event_version in batch-inserted events")
    void version() {
      String rr = testId("batch-hash") + "-ver";
      String id = ds.createAuditEventsBatch(List.of(testEvent("test.batch.version", rr, NODES.objectNode())))
          .get(0);
      assertThat(row("SELECT version FROM audit_events WHERE event_id = ?::uuid", id)).containsEntry("version", "1.0");
    }

    @Test
    @DisplayName("should NOT overwrite EventTimestamp after batch insert")
    void timestampKept() {
      String rr = testId("batch-hash") + "-ts";
      Instant original = now().truncatedTo(ChronoUnit.MICROS);
      String id = sendWithTimestamp(testEvent("test.batch.timestamp", rr, NODES.objectNode()), original.toString());
      assertThat(Instant.parse(KubernautApi.json(ds.get("/api/v1/audit/events/" + id)).get("event_timestamp").asText()))
          .isEqualTo(original);
    }

    @Test
    @DisplayName("should produce valid hash when caller provides non-UTC timestamp")
    void nonUtcBatch() {
      String rr = testId("batch-hash") + "-utc";
      OffsetDateTime est = OffsetDateTime.now(ZoneOffset.ofHours(-5)).truncatedTo(ChronoUnit.MICROS);
      String id = sendWithTimestamp(testEvent("test.batch.utc", rr,
          NODES.objectNode().put("timezone_test", true)), est.toString());
      String stored = KubernautApi.json(ds.get("/api/v1/audit/events/" + id)).get("event_timestamp").asText();
      assertThat(stored).endsWith("Z");
      assertThat(Instant.parse(stored)).isEqualTo(est.toInstant());
      assertThat(ds.exportAuditEvents("correlation_id=" + rr).get("events").get(0).get("hash_chain_valid").asBoolean())
          .isTrue();
    }

    @Test
    @DisplayName("should produce valid hash when Create() receives non-UTC timestamp")
    void nonUtcSingle() {
      String rr = testId("batch-hash") + "-create-utc";
      OffsetDateTime cet = OffsetDateTime.now(ZoneOffset.ofHours(1)).truncatedTo(ChronoUnit.MICROS);
      ObjectNode json = testEvent("test.create.utc", rr, NODES.objectNode().put("timezone_test", true)).json()
          .put("event_timestamp", cet.toString());
      String id = OgenDecoder.createAuditEvent(ds.post("/api/v1/audit/events", json.toString())).get("event_id").asText();
      assertThat(KubernautApi.json(ds.get("/api/v1/audit/events/" + id)).get("event_timestamp").asText()).endsWith("Z");
      assertThat(ds.exportAuditEvents("correlation_id=" + rr).get("events").get(0).get("hash_chain_valid").asBoolean())
          .isTrue();
    }

    @Test
    @DisplayName("should maintain hash chain across batch with same correlation_id")
    void chainAcrossBatch() {
      String rr = testId("batch-hash") + "-chain";
      List<KubernautEvent> batch = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        batch.add(repositoryEvent("test.batch.chain", "test", "verify", rr, "test-resource", "test-id-" + i,
            "test-actor", "user", NODES.objectNode().put("step", i)));
      }
      assertThat(ds.createAuditEventsBatch(batch)).hasSize(3);
      List<JsonNode> links = chainOf(ds.exportAuditEvents("correlation_id=" + rr));
      assertThat(links).hasSize(3).allSatisfy(e -> assertThat(e.get("hash_chain_valid").asBoolean()).isTrue());
      assertThat(links.get(0).get("previous_event_hash").asText()).isEqualTo("");
      assertThat(links.get(1).get("previous_event_hash").asText()).isEqualTo(links.get(0).get("event_hash").asText());
      assertThat(links.get(2).get("previous_event_hash").asText()).isEqualTo(links.get(1).get("event_hash").asText());
    }
  }

  // ---- pkg/datastorage and pkg/datastorage/server handler tests, over HTTP ----

  private static ObjectNode characterizationEvent(String correlationId) {
    ObjectNode e = NODES.objectNode().put("version", "1.0").put("event_type", "gateway.signal.received")
        .put("event_category", "gateway").put("event_action", "signal_received").put("event_outcome", "success")
        .put("event_timestamp", now().toString()).put("correlation_id", correlationId);
    e.putObject("event_data").put("event_type", "gateway.signal.received").put("signal_name", "test-signal")
        .put("signal_type", "alert").put("fingerprint", "fp-" + correlationId).put("resource_kind", "Deployment")
        .put("resource_name", "test-deploy").put("namespace", "default");
    return e;
  }

  @Nested
  @DisplayName("pkg/datastorage/server handleCreateAuditEventsBatch (characterization)")
  class BatchHandlerCharacterization {
    @Test
    @DisplayName("returns 400 when the payload is a single object instead of a JSON array")
    void singleObject() {
      HttpResponse<String> r = ds.post("/api/v1/audit/events/batch", characterizationEvent(testId("single-object")).toString());
      OgenDecoder.problem(r, 400);
      assertThat(r.body()).contains("must be a JSON array");
    }

    @Test
    @DisplayName("returns 400 when the payload is not valid JSON")
    void notJson() {
      HttpResponse<String> r = ds.post("/api/v1/audit/events/batch", "not json");
      OgenDecoder.problem(r, 400);
      assertThat(r.body()).contains("valid JSON array");
    }

    @Test
    @DisplayName("returns 400 when the batch is an empty array")
    void empty() {
      HttpResponse<String> r = ds.post("/api/v1/audit/events/batch", "[]");
      OgenDecoder.problem(r, 400);
      assertThat(r.body()).contains("batch cannot be empty");
    }

    @Test
    @DisplayName("returns 400 when the batch exceeds maxBatchSize")
    void overMax() {
      ArrayNode batch = NODES.arrayNode();
      for (int i = 0; i < 6; i++) {
        batch.add(characterizationEvent(testId("over-limit")));
      }
      HttpResponse<String> r = smallBatch.post("/api/v1/audit/events/batch", batch.toString());
      OgenDecoder.problem(r, 400);
      assertThat(r.body()).contains("batch-size-exceeded");
    }

    @Test
    @DisplayName("returns 400 without touching the database when an event has an invalid timestamp")
    void invalidTimestamp() {
      String rr = testId("bad-timestamp");
      ObjectNode bad = characterizationEvent(rr).put("event_timestamp", "not-a-timestamp");
      OgenDecoder.problem(ds.post("/api/v1/audit/events/batch", NODES.arrayNode().add(characterizationEvent(rr))
          .add(bad).toString()), 400);
      assertThat(count("SELECT COUNT(*) FROM audit_events WHERE correlation_id = ?", rr)).isZero();
    }

    @Test
    @DisplayName("returns 201 with one event_id per created event")
    void created() {
      HttpResponse<String> r = ds.post("/api/v1/audit/events/batch",
          NODES.arrayNode().add(characterizationEvent(testId("batch-success"))).toString());
      assertThat(OgenDecoder.createAuditEventsBatch(r).get("event_ids")).hasSize(1);
    }
  }

  @Nested
  @DisplayName("pkg/datastorage batch_scalar_guard (TP-1088-P1)")
  class BatchScalarGuard {
    @Test
    @DisplayName("UT-DS-1088-P6-040/041: a string or number scalar is a 400 invalid_request")
    void scalars() {
      for (String scalar : List.of("\"hello\"", "42")) {
        HttpResponse<String> r = ds.post("/api/v1/audit/events/batch", scalar);
        JsonNode problem = OgenDecoder.problem(r, 400);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(problem.get("type").asText()).isEqualTo("https://kubernaut.ai/problems/invalid_request");
        assertThat(problem.get("detail").asText()).contains("must be a JSON array");
      }
    }

    @Test
    @DisplayName("UT-DS-1088-P6-042: null is no events: a 400 validation-error, batch cannot be empty")
    void nullBody() {
      JsonNode problem = OgenDecoder.problem(ds.post("/api/v1/audit/events/batch", "null"), 400);
      assertThat(problem.get("type").asText()).isEqualTo("https://kubernaut.ai/problems/validation-error");
      assertThat(problem.get("detail").asText()).isEqualTo("batch cannot be empty");
    }
  }

  @Nested
  @DisplayName("pkg/datastorage server audit events handler (#1199)")
  class AuditEventsHandler {
    @Test
    @DisplayName("UT-DS-1199-018/019/021: detail_key and detail_value both, or neither, query; the pair matches event_data")
    void detailFilters() {
      String task = testId("task-abc");
      ds.createAuditEvent(apiFrontendEvent(testId("corr-1199"), "apifrontend.a2a.task_completed", task, "rr-oom-web",
          "production"));
      assertThat(ds.queryAuditEvents("detail_key=task_id&detail_value=" + task).get("data")).hasSize(1);
      assertThat(ds.get("/api/v1/audit/events?event_type=apifrontend.a2a.task_completed").statusCode()).isEqualTo(200);
      assertThat(ds.queryAuditEvents("detail_key=rr_name&detail_value=rr-oom-web&event_type="
          + "apifrontend.a2a.task_completed").get("data").findValuesAsText("correlation_id")).isNotEmpty();
    }
  }

  @Nested
  @DisplayName("pkg/datastorage verify_chain_handler (UT-DS-1088-P9)")
  class VerifyChainHandler {
    @Test
    @DisplayName("UT-DS-1088-P9-001: POST with empty body returns 400")
    void emptyBody() {
      assertThat(OgenDecoder.problem(ds.post("/api/v1/audit/verify-chain", ""), 400).get("type").asText())
          .contains("invalid-request-body");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-002: POST with missing correlation_id returns 400 with missing-correlation-id")
    void missingCorrelation() {
      assertThat(OgenDecoder.problem(ds.post("/api/v1/audit/verify-chain", "{}"), 400).get("type").asText())
          .contains("missing-correlation-id");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-003: POST with oversized correlation_id (257 chars) returns 400 with invalid-correlation-id")
    void oversizedCorrelation() {
      assertThat(OgenDecoder.problem(ds.post("/api/v1/audit/verify-chain",
          "{\"correlation_id\":\"" + "x".repeat(257) + "\"}"), 400).get("type").asText())
          .contains("invalid-correlation-id");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-004: GET returns 405 Method Not Allowed")
    void getVerifyChain() {
      assertThat(OgenDecoder.problem(ds.get("/api/v1/audit/verify-chain"), 405).get("type").asText())
          .contains("method-not-allowed");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-010: GET export without credentials returns 401")
    void exportUnauthenticated() {
      assertThat(OgenDecoder.problem(ds.anonymous().get("/api/v1/audit/export"), 401)
          .get("type").asText()).contains("export/unauthorized");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-011: POST export returns 405 Method Not Allowed")
    void postExport() {
      assertThat(OgenDecoder.problem(ds.post("/api/v1/audit/export", "{}"), 405).get("type").asText())
          .contains("method-not-allowed");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-012: GET export with limit > 10000 returns 413")
    void exportOverLimit() {
      assertThat(OgenDecoder.problem(ds.get("/api/v1/audit/export?limit=10001"), 413).get("type").asText())
          .contains("export/limit-exceeded");
    }

    @Test
    @DisplayName("UT-DS-1088-P9-013/014: GET export with invalid start_time or negative offset returns 400")
    void exportBadParameters() {
      for (String query : List.of("start_time=not-rfc3339", "offset=-5")) {
        HttpResponse<String> r = ds.get("/api/v1/audit/export?" + query);
        assertThat(OgenDecoder.problem(r, 400).get("type").asText()).contains("export/invalid-parameters");
        assertThat(r.body()).contains("invalid query parameters");
      }
    }

    @Test
    @DisplayName("UT-DS-1088-P9-015: export query filters are decoded and echoed; exported_by is the caller (documented difference: the authenticated principal)")
    void exportFiltersEchoed() {
      JsonNode metadata = ds.exportAuditEvents("start_time=2026-01-08T01:02:03Z&end_time=2026-01-09T09:09:09Z"
          + "&correlation_id=chain-corr&event_category=security&limit=99&offset=15&redact_pii=true")
          .get("export_metadata");
      JsonNode filters = metadata.get("query_filters");
      assertThat(filters.get("limit").asInt()).isEqualTo(99);
      assertThat(filters.get("offset").asInt()).isEqualTo(15);
      assertThat(filters.get("correlation_id").asText()).isEqualTo("chain-corr");
      assertThat(filters.get("event_category").asText()).isEqualTo("security");
      assertThat(filters.get("start_time").asText()).contains("2026-01-08T01:02:03");
      assertThat(filters.get("end_time").asText()).contains("2026-01-09T09:09:09");
      assertThat(metadata.get("exported_by").asText()).isEqualTo("kubernetes:" + SA);
      assertThat(metadata.get("signature").asText().length()).isGreaterThan(32);
    }
  }

  @Nested
  @DisplayName("pkg/datastorage rfc7807_consistency (UT-DS-1088-P8)")
  class Rfc7807Consistency {
    @Test
    @DisplayName("UT-DS-1088-P8-002/003/004: kubernaut.ai types, application/problem+json, type/title/status/detail on every refusal")
    void everyRefusal() {
      for (HttpResponse<String> r : List.of(ds.post("/api/v1/audit/events/batch", "[]"),
          ds.post("/api/v1/audit/events", "{}"), ds.get("/api/v1/audit/export?limit=10001"),
          ds.post("/api/v1/audit/verify-chain", "{}"), ds.get("/api/v1/audit/events/not-a-uuid"))) {
        assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
        JsonNode problem = KubernautApi.json(r);
        assertThat(problem.get("type").asText()).as(r.body()).startsWith("https://kubernaut.ai/problems/")
            .doesNotContain("problems/https:");
        assertThat(problem.get("title").asText()).isNotEmpty();
        assertThat(problem.get("status").asInt()).isEqualTo(r.statusCode());
        assertThat(problem.get("detail").asText()).isNotEmpty();
      }
    }
  }

  @Nested
  @DisplayName("request ids (Kubernaut echoes X-Request-ID)")
  class RequestIds {
    @Test
    @DisplayName("a sent X-Request-ID comes back, on problems too")
    void echoed() throws Exception {
      var request = java.net.http.HttpRequest.newBuilder(ds.base().resolve("/api/v1/audit/events?limit=0"))
          .header("Authorization", "Bearer " + SA_TOKEN).header("X-Request-ID", "kubernaut-e2e-42").build();
      HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(request,
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("X-Request-ID")).contains("kubernaut-e2e-42");
    }
  }
}
