package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Kubernaut's mode: TokenReview says whose token it is, SubjectAccessReview whether that user may
 * use a role's verb on {@code services/data-storage-service}. The API server is a stand-in that
 * answers the two endpoints as the Kubernetes API documents them ({@code authentication.k8s.io/v1}
 * TokenReview and {@code authorization.k8s.io/v1} SubjectAccessReview, both POSTed with the
 * server's own bearer token and answered with {@code status}), with a fixed table of tokens and
 * RBAC rules.
 */
class KubernetesAuthenticationTest {
  private static final String SERVER_TOKEN = "the-servers-own-sa-token";
  private static final Map<String, String> USERS = Map.of(
      "sa-gateway", "system:serviceaccount:kubernaut:gateway",
      "sa-reader", "system:serviceaccount:kubernaut:effectiveness-monitor",
      "sa-impostor", "token:admin",
      "sa-newline", "alice\nlevel=ERROR forged=line");
  /** user → verbs allowed on services/data-storage-service in namespace kubernaut. */
  private static final Map<String, Set<String>> RBAC = Map.of(
      "system:serviceaccount:kubernaut:gateway", Set.of("create"),
      "system:serviceaccount:kubernaut:effectiveness-monitor", Set.of("get"),
      "token:admin", Set.of("create", "get"),
      "alice\nlevel=ERROR forged=line", Set.of("create", "get"));
  private static final AtomicInteger tokenReviews = new AtomicInteger();
  private static final AtomicInteger accessReviews = new AtomicInteger();
  private static HttpServer apiServer;
  private static ServerFixture fx;

  @BeforeAll
  static void start() throws Exception {
    apiServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    apiServer.createContext("/apis/authentication.k8s.io/v1/tokenreviews", e -> answer(e, KubernetesAuthenticationTest::tokenReview));
    apiServer.createContext("/apis/authorization.k8s.io/v1/subjectaccessreviews",
        e -> answer(e, KubernetesAuthenticationTest::accessReview));
    apiServer.start();
    Path tokenFile = Files.createTempFile("sa", ".token");
    Files.writeString(tokenFile, SERVER_TOKEN + "\n");
    KubernetesSettings k8s = new KubernetesSettings(URI.create("http://127.0.0.1:" + apiServer.getAddress().getPort()),
        null, tokenFile, "kubernaut", null, null, null, null, Duration.ofSeconds(30));
    fx = ServerFixture.start(b -> b.auth(new AuthSettings(true, null, null, k8s, Set.of(), Set.of(), 1_000_000, null)));
  }

  @AfterAll
  static void stop() {
    fx.close();
    apiServer.stop(0);
  }

  private interface Review {
    ObjectNode status(JsonNode spec);
  }

  private static void answer(HttpExchange exchange, Review review) throws IOException {
    if (!("Bearer " + SERVER_TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))
        || !"POST".equals(exchange.getRequestMethod())) {
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
      return;
    }
    JsonNode request = AuditEventJson.mapper().readTree(exchange.getRequestBody().readAllBytes());
    ObjectNode body = AuditEventJson.mapper().createObjectNode();
    body.put("apiVersion", request.path("apiVersion").asText()).put("kind", request.path("kind").asText());
    body.set("status", review.status(request.path("spec")));
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(201, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private static ObjectNode tokenReview(JsonNode spec) {
    tokenReviews.incrementAndGet();
    ObjectNode status = AuditEventJson.mapper().createObjectNode();
    String user = USERS.get(spec.path("token").asText());
    status.put("authenticated", user != null);
    if (user != null) {
      ObjectNode u = status.putObject("user").put("username", user).put("uid", "uid-" + user.hashCode());
      u.putArray("groups").add("system:serviceaccounts").add("system:serviceaccounts:kubernaut").add("system:authenticated");
    } else {
      status.put("error", "token not found");
    }
    return status;
  }

  private static ObjectNode accessReview(JsonNode spec) {
    accessReviews.incrementAndGet();
    JsonNode resource = spec.path("resourceAttributes");
    boolean allowed = "kubernaut".equals(resource.path("namespace").asText())
        && "services".equals(resource.path("resource").asText())
        && "data-storage-service".equals(resource.path("name").asText())
        && spec.path("groups").isArray()
        && RBAC.getOrDefault(spec.path("user").asText(), Set.of()).contains(resource.path("verb").asText());
    return AuditEventJson.mapper().createObjectNode().put("allowed", allowed);
  }

  private static ServerFixture.Response post(String token) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(EventJson.valid("k8s").toString())), token);
  }

  private static ServerFixture.Response query(String token) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events?correlation_id=k8s")), token);
  }

  @Test
  void rbacDecidesTheRolesAndTheServiceAccountIsWhoIngested() {
    assertThat(post("sa-gateway").status()).isEqualTo(201);
    assertThat(query("sa-gateway").status()).as("create, not get").isEqualTo(403);
    var page = query("sa-reader");
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.json().get("data").get(0).get("ingested_by").asText())
        .isEqualTo("kubernetes:system:serviceaccount:kubernaut:gateway");
    assertThat(post("sa-reader").status()).isEqualTo(403);
    var unknown = query("not-a-known-token");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.json().get("detail").asText()).contains("did not authenticate");
  }

  @Test
  void answersAreCachedBriefly() {
    post("sa-gateway");
    int reviews = tokenReviews.get();
    int access = accessReviews.get();
    for (int i = 0; i < 5; i++) {
      assertThat(post("sa-gateway").status()).isEqualTo(201);
    }
    assertThat(tokenReviews.get()).as("TokenReviews for five more requests").isEqualTo(reviews);
    assertThat(accessReviews.get()).as("SubjectAccessReviews for five more requests").isEqualTo(access);
  }

  @Test
  void anUnreachableApiServerIsA503NotA401() throws Exception {
    KubernetesSettings dead = new KubernetesSettings(URI.create("http://127.0.0.1:1"), null,
        Files.writeString(Files.createTempFile("sa", ".token"), SERVER_TOKEN), "kubernaut", null, null, null, null, null);
    try (ServerFixture down = ServerFixture.start(
        b -> b.auth(new AuthSettings(true, null, null, dead, Set.of(), Set.of(), 1_000_000, null)))) {
      var r = down.send(HttpRequest.newBuilder(down.baseUri().resolve("/api/v1/audit/events?correlation_id=x")),
          "sa-reader");
      assertThat(r.status()).isEqualTo(503);
      assertThat(r.header("Retry-After")).isNotNull();
      // API tokens still work: they need no API server.
      assertThat(down.get("/api/v1/audit/events?correlation_id=x").status()).isEqualTo(200);
    }
  }

  /**
   * Hardening finding 9: a cluster user named {@code token:admin} passed as that API token in
   * {@code ingested_by}, and a user name may carry a newline into log lines.
   */
  @Test
  void aKubernetesUserCannotPassForAnotherMethodsPrincipal() {
    assertThat(post("sa-impostor").status()).isEqualTo(201);
    var page = query("sa-impostor");
    assertThat(page.json().get("data").findValuesAsText("ingested_by")).contains("kubernetes:token:admin")
        .doesNotContain("token:admin");
    var newline = query("sa-newline");
    assertThat(newline.status()).isEqualTo(401);
    assertThat(newline.json().get("detail").asText()).contains("without control characters");
  }
}
