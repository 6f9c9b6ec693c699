package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V16 (Kafka mode's offsets and rejections, docs/SCALE.md) on a store as V15 left it:
 * its events read back and still verify, and the new tables start empty.
 */
class KafkaMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v16AddsItsTablesAndLeavesTheTrailAsItWas() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v16").toString()).status()).isEqualTo(201);
    }
    // The store as V15 left it.
    Superuser.execute(fx.jdbcUrl(), "DROP TABLE ingest_rejections", "DROP TABLE ingest_offsets",
        "DELETE FROM flyway_schema_history WHERE version = '16'");

    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();
    assertThat(result.migrationsExecuted).isEqualTo(1);

    assertThat(fx.get("/api/v1/audit/events?correlation_id=before-v16").json().get("data")).hasSize(3);
    var verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"before-v16\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM ingest_offsets")).isZero();
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM ingest_rejections")).isZero();
  }
}
