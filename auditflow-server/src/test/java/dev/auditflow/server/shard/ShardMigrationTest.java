package dev.auditflow.server.shard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.testing.EarlierStores;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.LogRounds;
import dev.auditflow.server.testing.MigratedStore;
import dev.auditflow.server.testing.ServerFixture;
import java.sql.Connection;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V19 (the catalog's placement of partitions on shards) on a store as V18 left it: the
 * trail reads back and verifies, its log grows on, and the new table starts empty — the store
 * stays one database until partitions are placed.
 */
class ShardMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v19AddsThePlacementAndLeavesTheTrailAsItWas() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v19").toString()).status()).isEqualTo(201);
    }
    LogRounds.integrateAll(fx.server());
    String checkpointBefore = fx.get("/api/v1/log/checkpoint").body();
    EarlierStores.beforeV19(fx.jdbcUrl());

    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();
    assertThat(result.migrationsExecuted).as("V19, and V20 after it").isEqualTo(2);

    try (Connection c = fx.server().database().connection()) {
      assertThat(ShardCatalog.load(c, "auditflow.events")).isEmpty();
      assertThat(ShardCatalog.assign(c, "auditflow.events", 3, List.of("home", "a")).shardOfPartition())
          .containsExactly("home", "a", "home");
    }
    assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v19").toString()).status()).isEqualTo(201);
    MigratedStore.chainVerifiesAndLogGrowsOn(fx, "before-v19", 4, checkpointBefore);
  }
}
