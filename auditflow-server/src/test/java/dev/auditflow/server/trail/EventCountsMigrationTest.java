package dev.auditflow.server.trail;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.EarlierStores;
import dev.auditflow.server.testing.EventCountsCheck;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.MigratedStore;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V20 (counts per value for totals) on a store as V19 left it: the counts start as the
 * events already stored, every write after it keeps them exact, and the trail and its log go on.
 */
class EventCountsMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v20CountsWhatWasStoredAndKeepsCountingExactly() throws Exception {
    for (int i = 0; i < 4; i++) {
      var event = EventJson.valid("before-v20");
      event.put("event_category", i % 2 == 0 ? "gateway" : "workflow");
      assertThat(fx.postJson("/api/v1/audit/events", event.toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    String checkpointBefore = fx.get("/api/v1/log/checkpoint").body();
    EarlierStores.beforeV20(fx.jdbcUrl());
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM pg_class WHERE relname = 'audit_event_counts'"))
        .isZero();

    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();
    assertThat(result.migrationsExecuted).isEqualTo(1);

    assertThat(EventCountsCheck.disagreements(fx.jdbcUrl())).as("counted at the migration").isEmpty();
    assertThat(fx.get("/api/v1/audit/events/count?event_category=gateway").json().get("count").asLong()).isEqualTo(2);
    assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v20").toString()).status()).isEqualTo(201);
    assertThat(EventCountsCheck.disagreements(fx.jdbcUrl())).as("and counting on").isEmpty();
    MigratedStore.chainVerifiesAndLogGrowsOn(fx, "before-v20", 5, checkpointBefore);
  }
}
