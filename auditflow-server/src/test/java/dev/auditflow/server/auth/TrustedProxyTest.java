package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.FromAddress;
import dev.auditflow.server.testing.ServerFixture;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An authenticating proxy (oauth2-proxy, as Kubernaut deploys) names the user in {@code
 * X-Auth-Request-User}. The header is believed only from the configured proxy address — here
 * 127.0.0.3; the same header from 127.0.0.2 is an unauthenticated request.
 */
class TrustedProxyTest {
  private static final String PROXY = "127.0.0.3";

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(
      b -> b.auth(new AuthSettings(true, null, null, null, Set.of(PROXY), Set.of(Role.READER), 1_000, null)));

  private FromAddress.Answer query(String source, Map<String, String> headers) {
    return new FromAddress(source).get(fx.server().port(), "/api/v1/audit/events?correlation_id=x", headers);
  }

  @Test
  void theProxysUserIsBelievedFromTheProxyAddressOnly() {
    Map<String, String> alice = Map.of("X-Auth-Request-User", "alice@example.com");

    assertThat(query(PROXY, alice).status()).isEqualTo(200);
    FromAddress.Answer impostor = query("127.0.0.2", alice);
    assertThat(impostor.status()).isEqualTo(401);
    assertThat(impostor.header("WWW-Authenticate")).startsWith("Bearer");
  }

  @Test
  void theProxysUserHoldsTheConfiguredRolesOnly() {
    // configured as reader only: the proxy's user may query (above) but not ingest
    FromAddress.Answer ingest = new FromAddress(PROXY).send(fx.server().port(), "POST", "/api/v1/audit/events",
        Map.of("X-Auth-Request-User", "alice"), EventJson.valid(UUID.randomUUID().toString()).toString());
    assertThat(ingest.status()).isEqualTo(403);
    assertThat(ingest.body()).contains("writer");
  }

  @Test
  void aProxyUserNameCannotPassForAnotherMethodsPrincipal() {
    FromAddress.Answer answer = query(PROXY, Map.of("X-Auth-Request-User", "token:admin"));
    assertThat(answer.status()).isEqualTo(200);
    // what it read is recorded under the proxy's name space, not as the token "admin"
    String access = fx.get("/api/v1/audit/events?correlation_id=access:proxy:token:admin").body();
    assertThat(access).contains("\"actor_id\":\"proxy:token:admin\"");
  }

  @Test
  void anOverlongProxyUserIsRefused() {
    assertThat(query(PROXY, Map.of("X-Auth-Request-User", "a".repeat(257))).status()).isEqualTo(401);
  }

  @Test
  void aBearerTokenStillWorksFromTheProxyAddress() {
    assertThat(query(PROXY, Map.of("Authorization", "Bearer " + fx.adminToken())).status()).isEqualTo(200);
  }
}
