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
 * Token guessing over HTTP: after the configured number of failures an address gets 429 with
 * {@code Retry-After} — even for a good token, as it could be the guess that finally worked —
 * while other addresses carry on.
 */
class FailureLimitTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass(
      b -> b.auth(new AuthSettings(true, null, null, null, Set.of(), Set.of(), 5, Duration.ofMinutes(10))));

  private static FromAddress.Answer query(String source, String token) {
    return new FromAddress(source).get(fx.server().port(), "/api/v1/audit/events?correlation_id=x",
        Map.of("Authorization", "Bearer " + token));
  }

  @Test
  void anAddressThatKeepsFailingIsTurnedAwayAndOthersAreNot() {
    String guesser = "127.0.0.2";
    for (int i = 0; i < 5; i++) {
      assertThat(query(guesser, "af_guess" + i).status()).as("guess %d", i).isEqualTo(401);
    }

    FromAddress.Answer refused = query(guesser, fx.adminToken());
    assertThat(refused.status()).isEqualTo(429);
    assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(500L, 600L);
    assertThat(refused.body()).contains("too many failed authentications");

    assertThat(query("127.0.0.4", fx.adminToken()).status()).isEqualTo(200);
    assertThat(fx.get("/metrics").body()).containsPattern("auditflow_auth_rate_limited_total(\\{[^}]*\\})? [1-9]")
        .containsPattern("auditflow_auth_failures_total\\{[^}]*reason=\"unknown\"[^}]*\\} 5\\.0");
  }
}
