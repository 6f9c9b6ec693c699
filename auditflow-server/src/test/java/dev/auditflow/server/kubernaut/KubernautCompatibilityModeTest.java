package dev.auditflow.server.kubernaut;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.Compatibility;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.WorkflowJson;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code serve --compat kubernaut}: Kubernaut Data Storage's defaults and problem vocabulary, each
 * answer as its handlers word it (its tests match types, titles and detail phrases). The default
 * mode keeps auditflow's, which {@link #theDefaultModeKeepsAuditflowsOwn} holds on a second server.
 */
class KubernautCompatibilityModeTest {
  private static final String KUBERNAUT = "https://kubernaut.ai/problems/";

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.compatibility(Compatibility.KUBERNAUT));

  private static JsonNode problem(ServerFixture.Response r, int status) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/problem+json");
    return r.json();
  }

  private static ArrayNode batchOf(int n, String correlation) {
    ArrayNode batch = AuditEventJson.mapper().createArrayNode();
    for (int i = 0; i < n; i++) {
      batch.add(EventJson.valid(correlation).put("version", "1.0"));
    }
    return batch;
  }

  @Test
  void aBatchOver500IsKubernautsBatchSizeExceeded() {
    JsonNode p = problem(fx.postJson("/api/v1/audit/events/batch", batchOf(501, "over-500").toString()), 400);
    assertThat(p.get("type").asText()).isEqualTo(KUBERNAUT + "batch-size-exceeded");
    assertThat(p.get("title").asText()).isEqualTo("Batch Size Exceeded");
    assertThat(p.get("detail").asText()).contains("batch size 501 exceeds maximum allowed batch size of 500");
    assertThat(fx.postJson("/api/v1/audit/events/batch", batchOf(500, "at-500").toString()).status()).isEqualTo(201);
  }

  @Test
  void batchBodiesAreRefusedInKubernautsWords() {
    JsonNode object = problem(fx.postJson("/api/v1/audit/events/batch", EventJson.valid("one").toString()), 400);
    assertThat(object.get("type").asText()).isEqualTo(KUBERNAUT + "invalid_request");
    assertThat(object.get("detail").asText()).contains("must be a JSON array, not a single object");
    JsonNode notJson = problem(fx.postJson("/api/v1/audit/events/batch", "not json"), 400);
    assertThat(notJson.get("type").asText()).isEqualTo(KUBERNAUT + "invalid_request");
    assertThat(notJson.get("title").asText()).isEqualTo("Invalid Request");
    assertThat(notJson.get("detail").asText()).contains("valid JSON array");
    JsonNode empty = problem(fx.postJson("/api/v1/audit/events/batch", "[]"), 400);
    assertThat(empty.get("type").asText()).isEqualTo(KUBERNAUT + "validation-error");
    assertThat(empty.get("title").asText()).isEqualTo("Validation Error");
    assertThat(empty.get("detail").asText()).isEqualTo("batch cannot be empty");
  }

  @Test
  void versionIsRequired() {
    ObjectNode event = EventJson.valid("no-version");
    event.remove("version");
    JsonNode p = problem(fx.postJson("/api/v1/audit/events", event.toString()), 400);
    assertThat(p.get("type").asText()).isEqualTo(KUBERNAUT + "validation-error");
    assertThat(p.get("field_errors").get("version").asText()).isEqualTo("is required");
    event.put("version", "1.0");
    assertThat(fx.postJson("/api/v1/audit/events", event.toString()).status()).isEqualTo(201);
  }

  @Test
  void pagesHold50UnlessAskedAndAlwaysCarryTheirTotal() {
    assertThat(fx.postJson("/api/v1/audit/events/batch", batchOf(60, "sixty").toString()).status()).isEqualTo(201);
    JsonNode page = fx.get("/api/v1/audit/events?correlation_id=sixty").json();
    assertThat(page.get("data")).hasSize(50);
    assertThat(page.get("pagination").get("limit").asInt()).isEqualTo(50);
    assertThat(page.get("pagination").get("offset").asInt()).isZero();
    assertThat(page.get("pagination").get("total").asLong()).isEqualTo(60);
    assertThat(page.get("pagination").get("has_more").asBoolean()).isTrue();
  }

  @Test
  void verifyChainRefusalsAreKubernauts() {
    assertThat(problem(fx.postJson("/api/v1/audit/verify-chain", "{"), 400).get("type").asText())
        .isEqualTo(KUBERNAUT + "invalid-request-body");
    JsonNode missing = problem(fx.postJson("/api/v1/audit/verify-chain", "{}"), 400);
    assertThat(missing.get("type").asText()).isEqualTo(KUBERNAUT + "missing-correlation-id");
    assertThat(missing.get("title").asText()).isEqualTo("Missing Required Field");
    assertThat(problem(fx.postJson("/api/v1/audit/verify-chain", "{\"correlation_id\":\"" + "x".repeat(257) + "\"}"), 400)
        .get("type").asText()).isEqualTo(KUBERNAUT + "invalid-correlation-id");
    assertThat(problem(fx.get("/api/v1/audit/verify-chain"), 405).get("type").asText())
        .isEqualTo(KUBERNAUT + "method-not-allowed");
  }

  @Test
  void exportRefusalsAreKubernauts() {
    JsonNode tooMany = problem(fx.get("/api/v1/audit/export?limit=10001"), 413);
    assertThat(tooMany.get("type").asText()).isEqualTo(KUBERNAUT + "export/limit-exceeded");
    JsonNode badTime = problem(fx.get("/api/v1/audit/export?start_time=not-rfc3339"), 400);
    assertThat(badTime.get("type").asText()).isEqualTo(KUBERNAUT + "export/invalid-parameters");
    assertThat(badTime.get("detail").asText()).contains("invalid query parameters");
    assertThat(problem(fx.get("/api/v1/audit/export?offset=-5"), 400).get("type").asText())
        .isEqualTo(KUBERNAUT + "export/invalid-parameters");
  }

  @Test
  void legalHoldRefusalsAreKubernauts() {
    assertThat(problem(fx.postJson("/api/v1/audit/legal-hold", "{\"reason\":\"r\"}"), 400).get("type").asText())
        .isEqualTo(KUBERNAUT + "missing-correlation-id");
    assertThat(problem(fx.postJson("/api/v1/audit/legal-hold", "{\"correlation_id\":\"c\"}"), 400).get("type").asText())
        .isEqualTo(KUBERNAUT + "missing-reason");
    var release = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/legal-hold/c"))
        .header("Content-Type", "application/json").method("DELETE", HttpRequest.BodyPublishers.ofString("{}")));
    assertThat(problem(release, 400).get("type").asText()).isEqualTo(KUBERNAUT + "missing-release-reason");
  }

  @Test
  void aDuplicateWorkflowAlreadyExists() {
    String body = WorkflowJson.kubernaut("compat-duplicate", "1.0.0").toString();
    assertThat(fx.postJson("/api/v1/workflows", body).status()).isEqualTo(201);
    JsonNode p = problem(fx.postJson("/api/v1/workflows", body), 409);
    assertThat(p.get("type").asText()).isEqualTo(KUBERNAUT + "conflict");
    assertThat(p.get("title").asText()).contains("Already Exists");
    assertThat(p.get("detail").asText()).contains("compat-duplicate").contains("1.0.0");
  }

  @Test
  void routesThatAreNotKubernautsKeepAuditflowsWords() {
    JsonNode p = problem(fx.get("/api/v1/log/proof/consistency?first=x"), 400);
    assertThat(p.get("type").asText()).startsWith("https://auditflow.dev/problems/");
  }

  @Test
  void theDefaultModeKeepsAuditflowsOwn() {
    try (ServerFixture own = ServerFixture.start()) {
      JsonNode p = own.postJson("/api/v1/audit/events/batch", "[]").json();
      assertThat(p.get("type").asText()).isEqualTo("https://auditflow.dev/problems/validation-error");
      assertThat(p.get("title").asText()).isEqualTo("Validation failed");
      ObjectNode event = EventJson.valid("own-version");
      event.remove("version");
      assertThat(own.postJson("/api/v1/audit/events", event.toString()).status()).isEqualTo(201);
      assertThat(own.get("/api/v1/audit/events?correlation_id=own-version").json().get("pagination").get("limit")
          .asInt()).isEqualTo(100);
    }
  }
}
