package dev.auditflow.server.trail;

import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.ShardedStores;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The trail contract on three shards (docs/SCALE.md, "Shards"): the server's {@code ShardedTrail}
 * over a catalog and shards a, b and c, each a database of its own — the storage interface
 * implemented a second time, held to the same tests as the one database.
 */
class ShardedTrailContractTest extends AuditTrailContract {
  private static ShardedStores stores;
  private static ServerFixture fx;

  @BeforeAll
  static void start() {
    stores = ShardedStores.create(12, "a", "b", "c");
    fx = ServerFixture.onDatabase(stores.catalog(), b -> b.shards(stores.shards()));
  }

  @AfterAll
  static void stop() {
    // The server first, then its databases (closed in reverse order; a null one is skipped).
    try (ShardedStores databases = stores; ServerFixture server = fx) {
      // nothing else to do
    }
  }

  @Override
  protected AuditTrail trail() {
    return fx.server().trail();
  }
}
