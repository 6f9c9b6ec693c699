package dev.auditflow.server.kubernaut;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kubernaut's services against auditflow, unchanged: requests exactly as Kubernaut's ogen client
 * and readers build them ({@link KubernautEvent}), answers checked the way its decoders read
 * them ({@link OgenDecoder}). docs/KUBERNAUT.md lists what is covered and what differs.
 */
class KubernautCompatibilityTest {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(b -> b.maxBodyBytes(4L * 1024 * 1024));

  private final HttpClient http = HttpClient.newHttpClient();
  /** Kubernaut's client sends its service-account token as a bearer token; here an API token with both roles. */
  private static String token;

  @BeforeAll
  static void token() {
    token = fx.token(Role.WRITER, Role.READER);
  }

  /** A POST as Go's net/http sends it for ogen: JSON body, Content-Type application/json. */
  private HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(fx.baseUri().resolve(path)).header("Content-Type", "application/json")
        .header("User-Agent", "Go-http-client/1.1").header("Authorization", "Bearer " + token)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(HttpRequest.newBuilder(fx.baseUri().resolve(pathAndQuery)).header("Authorization", "Bearer " + token)
        .build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> batch(KubernautEvent... events) throws Exception {
    ArrayNode array = NODES.arrayNode();
    for (KubernautEvent e : events) {
      array.add(e.json());
    }
    return post("/api/v1/audit/events/batch", array.toString());
  }

  private static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private JsonNode events(String query) throws Exception {
    return OgenDecoder.queryAuditEvents(get("/api/v1/audit/events?" + query));
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS);
  }

  @Test
  void aGatewayBatchWithAClusterScopedNodeAlertIsStoredWhole() throws Exception {
    String rr = unique("rr-node");
    KubernautEvent node = KubernautEvent.gatewayNodeAlert(rr, now()).set("actor_id", "").set("error_code", "")
        .set("error_message", "").set("resource_type", "");
    JsonNode answer = OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.gatewaySignalReceived(rr, now()), node,
        KubernautEvent.orchestratorStarted(rr, now().plusSeconds(1))));
    assertThat(answer.get("event_ids")).hasSize(3);
    assertThat(answer.get("message").asText()).contains("3 audit events created");
    JsonNode stored = events("correlation_id=" + rr + "&event_type=gateway.signal.received&resource_id=node-7");
    assertThat(stored.get("data")).hasSize(1);
    JsonNode e = stored.get("data").get(0);
    // Empty optional strings are none: stored as null (absent), no default put in their place.
    for (String field : new String[] {"namespace", "actor_id", "error_code", "error_message", "resource_type"}) {
      assertThat(e.has(field)).as(field + " is none").isFalse();
    }
    assertThat(e.get("event_data").get("namespace").asText()).as("event_data is kept as sent").isEmpty();
    assertThat(fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"" + rr + "\"}").json()
        .get("verified").asBoolean()).as("the chain verifies with the none values").isTrue();
  }

  @Test
  void aRetriedBatchWithoutEventIdsIsStoredOnce() throws Exception {
    String rr = unique("rr-retry");
    Instant at = now();
    KubernautEvent[] events = {KubernautEvent.gatewaySignalReceived(rr, at), KubernautEvent.orchestratorStarted(rr, at)};
    JsonNode first = OgenDecoder.createAuditEventsBatch(batch(events));
    // The answer was lost (a timeout, a proxy); Kubernaut's client sends the same batch again.
    JsonNode retry = OgenDecoder.createAuditEventsBatch(batch(events));
    assertThat(retry.get("event_ids")).isEqualTo(first.get("event_ids"));
    assertThat(retry.get("duplicates").asInt()).isEqualTo(2);
    assertThat(fx.get("/api/v1/audit/events/count?correlation_id=" + rr).json().get("count").asLong()).isEqualTo(2);
    // The single-event route: a repeat is still 201 (ogen's decoder accepts no 200), and the same event.
    KubernautEvent one = KubernautEvent.orchestratorStarted(rr, at.plusSeconds(5));
    JsonNode a = OgenDecoder.createAuditEvent(post("/api/v1/audit/events", one.json().toString()));
    JsonNode b = OgenDecoder.createAuditEvent(post("/api/v1/audit/events", one.json().toString()));
    assertThat(a.get("event_id")).isEqualTo(b.get("event_id"));
    assertThat(a.get("message").asText()).isEqualTo("audit event created");
    assertThat(b.get("duplicate").asBoolean()).isTrue();
    assertThat(fx.get("/api/v1/audit/events/count?correlation_id=" + rr).json().get("count").asLong()).isEqualTo(3);
  }

  @Test
  void identicalEventsInOneBatchAreEachStoredAndARetryOfTheBatchStoresNoMore() throws Exception {
    // Kubernaut's own tests send 75 or 100 identical events in one batch and expect them all.
    String rr = unique("rr-twins");
    Instant at = now();
    KubernautEvent[] twins = new KubernautEvent[5];
    Arrays.fill(twins, KubernautEvent.gatewaySignalReceived(rr, at));
    JsonNode first = OgenDecoder.createAuditEventsBatch(batch(twins));
    Set<String> ids = new HashSet<>();
    first.get("event_ids").forEach(id -> ids.add(id.asText()));
    assertThat(ids).hasSize(5);
    JsonNode retry = OgenDecoder.createAuditEventsBatch(batch(twins));
    assertThat(retry.get("event_ids")).isEqualTo(first.get("event_ids"));
    assertThat(retry.get("duplicates").asInt()).isEqualTo(5);
    assertThat(fx.get("/api/v1/audit/events/count?correlation_id=" + rr).json().get("count").asLong()).isEqualTo(5);
  }

  @Test
  void severityIsAnyShortTextInWritesAndFilters() throws Exception {
    String rr = unique("rr-sev");
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, now()).set("severity", "high"),
        KubernautEvent.orchestratorStarted(rr, now()).set("severity", "Sev1")));
    assertThat(events("correlation_id=" + rr + "&severity=high").get("data")).hasSize(1);
    OgenDecoder.problem(batch(KubernautEvent.orchestratorStarted(rr, now()).set("severity", "x".repeat(21))), 400);
  }

  @Test
  void timestampsUpToAnHourAheadAreAccepted() throws Exception {
    String rr = unique("rr-future");
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, now().plus(Duration.ofMinutes(59)))));
    JsonNode problem = OgenDecoder.problem(
        batch(KubernautEvent.orchestratorStarted(rr, now().plus(Duration.ofMinutes(61)))), 400);
    assertThat(problem.get("field_errors").get("[0].event_timestamp").asText()).contains("in the future");
  }

  @Test
  void eventDataUpTo256KiBAndTenLevelsIsAccepted() throws Exception {
    String rr = unique("rr-size");
    ObjectNode big = NODES.objectNode().put("event_type", "orchestrator.lifecycle.started")
        .put("blob", "x".repeat(250 * 1024));
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, now()).eventData(big)));
    ObjectNode tooBig = NODES.objectNode().put("event_type", "orchestrator.lifecycle.started")
        .put("blob", "x".repeat(257 * 1024));
    OgenDecoder.problem(batch(KubernautEvent.orchestratorStarted(rr, now()).eventData(tooBig)), 400);
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, now()).eventData(nested(10))));
    JsonNode deep = OgenDecoder.problem(batch(KubernautEvent.orchestratorStarted(rr, now()).eventData(nested(11))), 400);
    assertThat(deep.get("field_errors").get("[0].event_data").asText()).contains("at most 10 deep");
  }

  private static ObjectNode nested(int depth) {
    ObjectNode root = NODES.objectNode().put("event_type", "orchestrator.lifecycle.started");
    ObjectNode current = root;
    for (int level = 2; level <= depth; level++) {
      current = current.putObject("level" + level);
    }
    return root;
  }

  @Test
  void clusterIdActorIpAndParentEventDateAreStoredAndReturned() throws Exception {
    String rr = unique("rr-fields");
    Instant yesterday = now().minus(Duration.ofDays(1));
    JsonNode parentAnswer = OgenDecoder.createAuditEvent(post("/api/v1/audit/events",
        KubernautEvent.gatewaySignalReceived(rr, yesterday).json().toString()));
    String parentId = parentAnswer.get("event_id").asText();
    KubernautEvent child = KubernautEvent.orchestratorStarted(rr, now()).set("cluster_id", "fleet-eu-7")
        .set("actor_ip", "2001:db8:85a3::8a2e:370:7334").set("parent_event_id", parentId)
        .set("parent_event_date", "1999-01-01T00:00:00Z");
    OgenDecoder.createAuditEventsBatch(batch(child));
    JsonNode e = events("correlation_id=" + rr + "&event_type=orchestrator.lifecycle.started").get("data").get(0);
    assertThat(e.get("cluster_id").asText()).isEqualTo("fleet-eu-7");
    assertThat(e.get("cluster_name").asText()).as("still readable under the old name").isEqualTo("fleet-eu-7");
    assertThat(e.get("actor_ip").asText()).isEqualTo("2001:db8:85a3::8a2e:370:7334");
    assertThat(e.get("parent_event_id").asText()).isEqualTo(parentId);
    // Filled from the parent, whatever the producer sent.
    assertThat(e.get("parent_event_date").asText())
        .isEqualTo(yesterday.atOffset(ZoneOffset.UTC).toLocalDate() + "T00:00:00.000000Z");
  }

  @Test
  void aParentThatDoesNotExistIsRefusedNamingTheIndex() throws Exception {
    String rr = unique("rr-orphan");
    KubernautEvent orphan = KubernautEvent.orchestratorStarted(rr, now()).set("parent_event_id", UUID.randomUUID().toString());
    JsonNode problem = OgenDecoder.problem(batch(KubernautEvent.gatewaySignalReceived(rr, now()), orphan), 400);
    assertThat(problem.get("detail").asText()).isEqualTo("event at index 1: parent event does not exist");
    assertThat(problem.get("field_errors").get("[1].parent_event_id").asText()).contains("parent event does not exist");
    assertThat(fx.get("/api/v1/audit/events/count?correlation_id=" + rr).json().get("count").asLong())
        .as("the batch is atomic").isZero();
    // A parent in the same batch exists once the batch commits.
    KubernautEvent parent = KubernautEvent.gatewaySignalReceived(rr, now());
    String parentId = OgenDecoder.createAuditEventsBatch(batch(parent)).get("event_ids").get(0).asText();
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, now()).set("parent_event_id", parentId)));
  }

  @Test
  void offsetPagingHasKubernautsShapeWithExactTotals() throws Exception {
    String rr = unique("rr-page");
    List<KubernautEvent> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(KubernautEvent.orchestratorStarted(rr, now().minusSeconds(10 - i)).data("step", "s" + i));
    }
    OgenDecoder.createAuditEventsBatch(batch(five.toArray(KubernautEvent[]::new)));
    JsonNode page = events("correlation_id=" + rr + "&limit=2&offset=2");
    JsonNode p = page.get("pagination");
    assertThat(p.get("limit").asInt()).isEqualTo(2);
    assertThat(p.get("offset").asInt()).isEqualTo(2);
    assertThat(p.get("total").asInt()).isEqualTo(5);
    assertThat(p.get("has_more").asBoolean()).isTrue();
    // Newest first, as Kubernaut orders: offset 2 starts at the third newest.
    assertThat(page.get("data").get(0).get("event_data").get("step").asText()).isEqualTo("s2");
    JsonNode last = events("correlation_id=" + rr + "&limit=2&offset=4");
    assertThat(last.get("data")).hasSize(1);
    assertThat(last.get("pagination").get("has_more").asBoolean()).isFalse();
    // Without offset the answer still states its limit (auditflow's default, 100).
    assertThat(events("correlation_id=" + rr).get("pagination").get("limit").asInt()).isEqualTo(100);
    OgenDecoder.problem(get("/api/v1/audit/events?offset=1&cursor=abc"), 400);
  }

  @Test
  void untilIsInclusiveAndEveryKubernautTimeFormIsRead() throws Exception {
    String rr = unique("rr-time");
    Instant at = now().minus(Duration.ofHours(2));
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, at)));
    String exact = KubernautEvent.rfc3339(at);
    assertThat(events("correlation_id=" + rr + "&until=" + exact).get("data")).as("until is inclusive").hasSize(1);
    assertThat(events("correlation_id=" + rr + "&since=" + exact + "&until=" + exact).get("data")).hasSize(1);
    String noZone = at.atOffset(ZoneOffset.UTC).toLocalDateTime().toString();
    assertThat(events("correlation_id=" + rr + "&since=" + noZone).get("data")).hasSize(1);
    String day = at.atOffset(ZoneOffset.UTC).toLocalDate().toString();
    assertThat(events("correlation_id=" + rr + "&since=" + day).get("data")).hasSize(1);
    assertThat(events("correlation_id=" + rr + "&since=2h30m").get("data")).hasSize(1);
    assertThat(events("correlation_id=" + rr + "&since=1h30m").get("data")).isEmpty();
    assertThat(events("correlation_id=" + rr + "&since=7d&until=1h").get("data")).hasSize(1);
    OgenDecoder.problem(get("/api/v1/audit/events?since=yesterday"), 400);
  }

  @Test
  void detailKeyMatchesATopLevelEventDataFieldAndIsBounded() throws Exception {
    String rr = unique("rr-detail");
    OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.orchestratorStarted(rr, now()).data("task_id", "task-abc-123"),
        KubernautEvent.orchestratorStarted(rr, now()).data("task_id", "task-other")));
    assertThat(events("correlation_id=" + rr + "&detail_key=task_id&detail_value=task-abc-123").get("data")).hasSize(1);
    assertThat(events("since=1h&detail_key=task_id&detail_value=task-abc-123").get("data")).hasSize(1);
    // Without a correlation id the last 31 days are searched (Kubernaut's readers send detail_key alone)...
    assertThat(events("detail_key=task_id&detail_value=task-abc-123").get("data")).hasSize(1);
    // ...and a longer window is refused rather than scanned.
    JsonNode unbounded = OgenDecoder.problem(get("/api/v1/audit/events?since=40d&detail_key=task_id&detail_value=x"), 400);
    assertThat(unbounded.get("field_errors").get("detail_key").asText()).contains("31 days");
    OgenDecoder.problem(get("/api/v1/audit/events?correlation_id=" + rr + "&detail_key=task-id&detail_value=x"), 400);
    OgenDecoder.problem(get("/api/v1/audit/events?correlation_id=" + rr + "&detail_key=task_id"), 400);
  }

  @Test
  void everyParameterOfTheContractIsKnownAndOthersAreRefused() throws Exception {
    events("event_type=a&event_category=gateway&event_outcome=success&severity=critical&correlation_id=x&since=24h"
        + "&until=2099-12-18T23:59:59Z&limit=50&offset=0&detail_key=k&detail_value=v");
    JsonNode unknown = OgenDecoder.problem(get("/api/v1/audit/events?service=gateway"), 400);
    assertThat(unknown.get("field_errors").get("service").asText()).contains("unknown parameter");
  }

  @Test
  void verifyChainAnswersInKubernautsFormAndStillSays200WhenTampered() throws Exception {
    String rr = unique("rr-verify");
    JsonNode ids = OgenDecoder.createAuditEventsBatch(batch(KubernautEvent.gatewaySignalReceived(rr, now()),
        KubernautEvent.orchestratorStarted(rr, now()))).get("event_ids");
    JsonNode ok = OgenDecoder.verifyAuditChain(post("/api/v1/audit/verify-chain", "{\"correlation_id\":\"" + rr + "\"}"));
    assertThat(ok.get("is_valid").asBoolean()).isTrue();
    assertThat(ok.get("total_events").asInt()).isEqualTo(2);
    assertThat(ok.get("verified_events").asInt()).isEqualTo(2);
    try (Connection c = DriverManager.getConnection(fx.jdbcUrl()); Statement s = c.createStatement()) {
      s.execute("SET session_replication_role = replica");
      s.execute("UPDATE audit_events SET actor_id = 'someone-else' WHERE event_id = '" + ids.get(1).asText() + "'");
    }
    JsonNode bad = OgenDecoder.verifyAuditChain(post("/api/v1/audit/verify-chain", "{\"correlation_id\":\"" + rr + "\"}"));
    assertThat(bad.get("is_valid").asBoolean()).isFalse();
    assertThat(bad.get("verified_events").asInt()).isEqualTo(1);
    assertThat(bad.get("tampered_events")).hasSize(1);
    assertThat(bad.get("tampered_events").get(0).get("event_id").asText()).isEqualTo(ids.get(1).asText());
    assertThat(bad.get("message").asText()).contains("FAILED");
    JsonNode none = OgenDecoder.verifyAuditChain(post("/api/v1/audit/verify-chain", "{\"correlation_id\":\"nothing-here\"}"));
    assertThat(none.get("total_events").asInt()).isZero();
    OgenDecoder.problem(post("/api/v1/audit/verify-chain", "{}"), 400);
  }

  @Test
  void readinessEndpointsThatKubernautsChartGatesOn() throws Exception {
    HttpResponse<String> readyz = get("/readyz");
    assertThat(readyz.statusCode()).isEqualTo(200);
    assertThat(get("/health").statusCode()).isEqualTo(200);
  }

  @Test
  void theSingleEventRouteAnswersWhatItsDecoderRequires() throws Exception {
    String rr = unique("rr-single");
    JsonNode created = OgenDecoder.createAuditEvent(post("/api/v1/audit/events",
        KubernautEvent.gatewaySignalReceived(rr, now()).json().toString()));
    assertThat(created.get("message").asText()).isNotEmpty();
    JsonNode invalid = OgenDecoder.problem(post("/api/v1/audit/events",
        KubernautEvent.gatewaySignalReceived(rr, now()).outcome("maybe").json().toString()), 400);
    assertThat(invalid.get("field_errors").get("event_outcome").asText()).contains("success, failure, pending");
  }
}
