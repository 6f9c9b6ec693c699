package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.KubernetesApiStandIn;
import dev.auditflow.server.testing.ServerFixture;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
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
  private static KubernetesApiStandIn apiServer;
  private static ServerFixture fx;

  @BeforeAll
  static void start() throws Exception {
    apiServer = new KubernetesApiStandIn("kubernaut", USERS, RBAC);
    KubernetesSettings k8s = new KubernetesSettings(apiServer.url(), null, apiServer.serverTokenFile(), "kubernaut",
        null, null, null, null, Duration.ofSeconds(30));
    fx = ServerFixture.start(b -> b.auth(new AuthSettings(true, null, null, k8s, Set.of(), Set.of(), 1_000_000, null)));
  }

  @AfterAll
  static void stop() throws Exception {
    fx.close();
    apiServer.close();
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
    int reviews = apiServer.tokenReviews();
    int access = apiServer.accessReviews();
    for (int i = 0; i < 5; i++) {
      assertThat(post("sa-gateway").status()).isEqualTo(201);
    }
    assertThat(apiServer.tokenReviews()).as("TokenReviews for five more requests").isEqualTo(reviews);
    assertThat(apiServer.accessReviews()).as("SubjectAccessReviews for five more requests").isEqualTo(access);
  }

  @Test
  void anUnreachableApiServerIsA503NotA401() throws Exception {
    KubernetesSettings dead = new KubernetesSettings(URI.create("http://127.0.0.1:1"), null,
        apiServer.serverTokenFile(), "kubernaut", null, null, null, null, null);
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
