package dev.auditflow.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Hardening finding 9: two tokens could both be {@code token:auditor}. A live token's name is now
 * unique (V10), and V10 renames the later namesakes of a store written before it.
 */
class PrincipalNamesTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private ServerFixture.Response create(String name) {
    return fx.postJson("/api/v1/admin/tokens", "{\"name\":\"" + name + "\",\"roles\":[\"reader\"]}");
  }

  @Test
  void aLiveTokensNameIsItsOwn() {
    var first = create("auditor");
    assertThat(first.status()).isEqualTo(201);
    var second = create("auditor");
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.json().get("detail").asText()).contains("revoke it first");
    assertThat(fx.send(java.net.http.HttpRequest.newBuilder(fx.baseUri().resolve("/api/v1/admin/tokens/"
        + first.json().get("token_id").asText())).DELETE()).status()).isEqualTo(200);
    assertThat(create("auditor").status()).as("a revoked token's name may be given again").isEqualTo(201);
  }

  @Test
  void v10RenamesTheLaterNamesakesOfAnOlderStore() throws Exception {
    Superuser.execute(fx.jdbcUrl(), "DROP INDEX api_tokens_live_name_key",
        "DELETE FROM flyway_schema_history WHERE version = '10'");
    String older = create("twin").json().get("token_id").asText();
    String newer = create("twin").json().get("token_id").asText();

    Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();

    assertThat(Superuser.text(fx.jdbcUrl(), "SELECT name FROM api_tokens WHERE token_id = '" + older + "'"))
        .isEqualTo("twin");
    assertThat(Superuser.text(fx.jdbcUrl(), "SELECT name FROM api_tokens WHERE token_id = '" + newer + "'"))
        .isEqualTo("twin-" + newer.substring(0, 8));
    assertThat(create("twin").status()).isEqualTo(409);
  }
}
