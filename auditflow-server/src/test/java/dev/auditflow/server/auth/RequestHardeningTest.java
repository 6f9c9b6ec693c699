package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** How the HTTP edge treats requests shaped to confuse it (hardening findings 10 and 11). */
class RequestHardeningTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private ServerFixture.Response head(String path, String token) {
    return fx.send(HttpRequest.newBuilder(fx.baseUri().resolve(path)).method("HEAD", HttpRequest.BodyPublishers.noBody()),
        token);
  }

  @Test
  void headIsAnsweredLikeGetWithoutABody() {
    var health = head("/health/ready", null);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.body()).isEmpty();
    var events = head("/api/v1/audit/events?limit=1", fx.adminToken());
    assertThat(events.status()).isEqualTo(200);
    assertThat(events.body()).isEmpty();
    assertThat(head("/api/v1/audit/events", null).status()).as("and authenticated like GET").isEqualTo(401);
    assertThat(head("/api/v1/audit/events", fx.token(Role.WRITER)).status()).isEqualTo(403);
  }

  @Test
  void aCredentialHeaderSentTwiceIsRefused() {
    String reader = fx.token(Role.READER);
    var twice = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events?limit=1"))
        .header("Authorization", "Bearer " + reader), fx.adminToken());
    assertThat(twice.status()).isEqualTo(400);
    assertThat(twice.json().get("errors").get(0).get("field").asText()).isEqualTo("Authorization");
    var proxied = fx.send(HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/audit/events?limit=1"))
        .header("X-Auth-Request-User", "alice").header("X-Auth-Request-User", "admin"), fx.adminToken());
    assertThat(proxied.status()).isEqualTo(400);
    assertThat(proxied.json().get("errors").get(0).get("field").asText()).isEqualTo("X-Auth-Request-User");
  }
}
