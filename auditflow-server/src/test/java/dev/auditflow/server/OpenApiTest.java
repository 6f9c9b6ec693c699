package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.TestDatabase;
import io.micrometer.core.instrument.Meter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The served OpenAPI document against the running server: every route it serves is described,
 * every status it answered during this test is described for that route, and every example
 * request in the document is accepted. The server's clock is pinned to the examples' day so the
 * examples' fixed timestamps stay inside the accepted window.
 */
class OpenApiTest {
  private static final Instant EXAMPLE_DAY = Instant.parse("2026-01-31T12:05:00Z");
  private static JsonNode doc;

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.maxBodyBytes(16 * 1024).maxBatchSize(5), Clock.fixed(EXAMPLE_DAY, ZoneOffset.UTC));

  @BeforeAll
  static void start() throws Exception {
    var served = fx.get("/openapi.yaml");
    assertThat(served.status()).isEqualTo(200);
    doc = new ObjectMapper(new YAMLFactory()).readTree(served.body());
  }

  private static JsonNode operation(String method, String path) {
    return doc.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
  }

  @Test
  void everyServedRouteIsDescribed() {
    List<String> routes = fx.server().routes();
    assertThat(routes).hasSizeGreaterThanOrEqualTo(9);
    for (String route : routes) {
      String[] parts = route.split(" ", 2);
      assertThat(operation(parts[0], parts[1]).isMissingNode()).as(route + " is in openapi.yaml").isFalse();
    }
  }

  @Test
  void everyExampleRequestIsAccepted() {
    // The legal-hold example holds an existing correlation.
    assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("remediation-123", EXAMPLE_DAY).toString()).status())
        .isEqualTo(201);
    int examples = 0;
    for (var path : iterable(doc.path("paths").fieldNames())) {
      JsonNode content = doc.path("paths").path(path).path("post").path("requestBody").path("content").path("application/json");
      for (JsonNode example : content.path("examples")) {
        var answer = fx.postJson(path, example.path("value").toString());
        if (path.equals("/api/v1/workflows")) {
          assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        }
        assertThat(answer.status()).as(path + " example: " + answer.body()).isIn(200, 201);
        examples++;
      }
    }
    assertThat(examples).isGreaterThanOrEqualTo(2);
  }

  @Test
  void everyStatusTheServerAnsweredIsDescribed() {
    exerciseEveryOutcome();
    List<String> undocumented = new ArrayList<>();
    int checked = 0;
    for (Meter meter : fx.server().registry().find("http.server.requests").meters()) {
      String uri = meter.getId().getTag("uri");
      if ("NOT_FOUND".equals(uri)) {
        continue; // not a route of ours
      }
      String method = meter.getId().getTag("method");
      String status = meter.getId().getTag("status");
      checked++;
      if (operation(method, uri).path("responses").path(status).isMissingNode()) {
        undocumented.add(method + " " + uri + " -> " + status);
      }
    }
    assertThat(checked).isGreaterThanOrEqualTo(20);
    assertThat(undocumented).isEmpty();
  }

  /** One request for each answer the routes can give, short of a database outage (DatabaseOutageTest). */
  private static void exerciseEveryOutcome() {
    var event = EventJson.valid("openapi", EXAMPLE_DAY);
    fx.postJson("/api/v1/audit/events", event.toString());                      // 201
    fx.postJson("/api/v1/audit/events", event.toString());                      // 201 duplicate
    fx.postJson("/api/v1/audit/events", "{}");                                  // 400
    fx.postJson("/api/v1/audit/events", "{\"x\":\"" + "y".repeat(20_000) + "\"}"); // 413
    fx.post("/api/v1/audit/events", "text/plain", "{}");                       // 415
    fx.postJson("/api/v1/audit/events/batch", EventJson.array(EventJson.valid("openapi", EXAMPLE_DAY)).toString()); // 201
    fx.postJson("/api/v1/audit/events/batch", "[]");                           // 400
    fx.postJson("/api/v1/audit/events/batch", "[{},{},{},{},{},{}]");          // 413
    fx.post("/api/v1/audit/events/batch", "text/plain", "[]");                 // 415
    fx.get("/api/v1/audit/events?correlation_id=openapi");                      // 200
    fx.get("/api/v1/audit/events?limit=0");                                     // 400
    fx.get("/api/v1/audit/events/count");                                       // 200
    fx.get("/api/v1/audit/events/count?nope=1");                                // 400
    fx.get("/api/v1/audit/events/" + event.get("event_id").asText());           // 200
    fx.get("/api/v1/audit/events/01890a5d-ac96-774b-bcce-b302099a8057");        // 404
    fx.get("/api/v1/audit/events/xyz");                                         // 400
    fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"openapi\"}");   // 200
    fx.postJson("/api/v1/audit/verify", "{}");                                  // 400
    fx.postJson("/api/v1/audit/verify-chain", "{\"correlation_id\":\"openapi\"}"); // 200
    fx.postJson("/api/v1/audit/verify-chain", "{}");                            // 400
    fx.get("/api/v1/audit/events?correlation_id=openapi&offset=0&detail_key=n&detail_value=1"); // 200
    String wf = fx.postJson("/api/v1/workflows", dev.auditflow.server.testing.WorkflowJson.valid("openapi-wf", "1").toString()).json()
        .get("workflow_id").asText();                                           // 201
    fx.postJson("/api/v1/workflows", dev.auditflow.server.testing.WorkflowJson.valid("openapi-wf", "1").toString()); // 409
    fx.postJson("/api/v1/workflows", "{}");                                     // 400
    fx.post("/api/v1/workflows", "text/plain", "{}");                          // 415
    fx.get("/api/v1/workflows");                                                // 200
    fx.get("/api/v1/workflows?latest_only=maybe");                              // 400
    fx.get("/api/v1/workflows/" + wf);                                          // 200
    fx.get("/api/v1/workflows/01890a5d-ac96-774b-bcce-b302099a8057");           // 404
    fx.get("/api/v1/workflows/nope");                                           // 400
    fx.get("/api/v1/workflows/by-name/openapi-wf/versions");                    // 200
    fx.get("/api/v1/workflows/by-name/none/versions");                          // 404
    patch("/api/v1/workflows/" + wf, "{\"status\":\"disabled\"}");             // 200
    patch("/api/v1/workflows/" + wf, "{\"content\":\"x\"}");                   // 400
    patch("/api/v1/workflows/01890a5d-ac96-774b-bcce-b302099a8057", "{\"status\":\"disabled\"}"); // 404
    fx.get("/health/live");
    fx.get("/health/ready");
    fx.get("/health");
    fx.get("/readyz");
    fx.get("/metrics");
    fx.get("/openapi.yaml");
  }

  private static void patch(String path, String body) {
    fx.send(java.net.http.HttpRequest.newBuilder(fx.baseUri().resolve(path)).header("Content-Type", "application/json")
        .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofString(body)));
  }

  private static <T> Iterable<T> iterable(java.util.Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  @Test
  void testsRunOnARealDatabase() {
    assertThat(TestDatabase.describe()).contains("PostgreSQL");
    assertThat(fx.get("/health/ready").status()).isEqualTo(200);
  }
}
