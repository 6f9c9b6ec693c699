package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.FromAddress;
import dev.auditflow.server.testing.ServerFixture;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Token guessing over HTTP: after the configured number of failures a client gets 429 with {@code
 * Retry-After} for every further failure, while other clients carry on. Hardening finding 5: the
 * limit counted requests without credentials and was keyed on the socket address, so behind a
 * proxy ten anonymous requests locked out every user of that proxy, valid writers included; now
 * only failed credentials count, a trusted proxy's {@code X-Forwarded-For} names the client, and a
 * request that authenticates is never refused.
 */
class FailureLimitTest {
  private static final String PROXY = "127.0.0.9";

  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(
      b -> b.auth(new AuthSettings(true, null, null, null, Set.of(PROXY), Set.of(), 5, Duration.ofMinutes(10))));

  private static FromAddress.Answer query(String source, String token) {
    return new FromAddress(source).get(fx.server().port(), "/api/v1/audit/events?correlation_id=x",
        Map.of("Authorization", "Bearer " + token));
  }

  private static FromAddress.Answer viaProxy(String client, String token) {
    return new FromAddress(PROXY).get(fx.server().port(), "/api/v1/audit/events?correlation_id=x",
        token == null ? Map.of("X-Forwarded-For", client) : Map.of("Authorization", "Bearer " + token,
            "X-Forwarded-For", "203.0.113.99, " + client));
  }

  @Test
  void anAddressThatKeepsFailingIsTurnedAwayAndOthersAreNot() {
    String guesser = "127.0.0.2";
    for (int i = 0; i < 5; i++) {
      assertThat(query(guesser, "af_guess" + i).status()).as("guess %d", i).isEqualTo(401);
    }

    FromAddress.Answer refused = query(guesser, "af_guess6");
    assertThat(refused.status()).isEqualTo(429);
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(500L, 600L);
    assertThat(refused.body()).contains("too many failed authentications");
    assertThat(query(guesser, fx.adminToken()).status()).as("a request that authenticates is never refused")
        .isEqualTo(200);

    assertThat(query("127.0.0.4", fx.adminToken()).status()).isEqualTo(200);
    assertThat(fx.get("/metrics").body()).containsPattern("auditflow_auth_rate_limited_total(\\{[^}]*\\})? [1-9]")
        .containsPattern("auditflow_auth_failures_total\\{[^}]*reason=\"unknown\"[^}]*\\} [6-9]\\.0");
  }

  @Test
  void requestsWithoutCredentialsAreNotCounted() {
    String anonymous = "127.0.0.5";
    for (int i = 0; i < 20; i++) {
      assertThat(new FromAddress(anonymous).get(fx.server().port(), "/api/v1/audit/events", Map.of()).status())
          .isEqualTo(401);
    }
    assertThat(query(anonymous, "af_first-guess").status()).isEqualTo(401);
  }

  @Test
  void behindATrustedProxyEachClientIsCountedOnItsOwn() {
    for (int i = 0; i < 5; i++) {
      assertThat(viaProxy("198.51.100.7", "af_guess" + i).status()).isEqualTo(401);
    }
    assertThat(viaProxy("198.51.100.7", "af_guess5").status()).isEqualTo(429);
    assertThat(viaProxy("198.51.100.8", "af_other").status()).as("another client of the same proxy").isEqualTo(401);
    assertThat(viaProxy("198.51.100.8", fx.adminToken()).status()).isEqualTo(200);
    // The left part of X-Forwarded-For is the client's to write: a guesser cannot pose as another client.
    for (int i = 0; i < 3; i++) {
      assertThat(new FromAddress(PROXY).get(fx.server().port(), "/api/v1/audit/events", Map.of("Authorization",
          "Bearer af_spoof" + i, "X-Forwarded-For", "198.51.100.8, 198.51.100.7")).status()).isEqualTo(429);
    }
  }
}
