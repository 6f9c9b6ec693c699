package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.CompactRange;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.api.log.Tile;
import dev.auditflow.server.testing.EarlierStores;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * Migration V18 (a request's leaves as one {@code log_batches} row) on a store as V17 left it —
 * leaves integrated as {@code log_leaves} rows, a request still queued — and that store written
 * on: one tree, whose checkpoint before the upgrade is consistent with the one after; every event
 * provable by its id wherever its leaf is stored; entries and tiles read across both storages.
 */
class LogBatchesMigrationTest {
  private static final LogSettings MANUAL_ROUNDS = new LogSettings(true, Duration.ofHours(1), 20_000);

  @Test
  void v18KeepsTheTreeAndItsProofsAndStoresNewRequestsAsBatches() throws Exception {
    try (ServerFixture before = ServerFixture.start(b -> b.log(MANUAL_ROUNDS))) {
      LogFixture v17 = new LogFixture(before);
      List<String> integrated = v17.store("before-v18-integrated", 300);
      v17.integrate();
      Checkpoint old = v17.checkpoint();
      List<String> queued = v17.store("before-v18-queued", 5);
      EarlierStores.beforeV18(before.jdbcUrl());
      assertThat(Superuser.number(before.jdbcUrl(), "SELECT count(*) FROM log_leaves")).isEqualTo(old.size());
      assertThat(Superuser.number(before.jdbcUrl(), "SELECT sum(cardinality(event_ids)) FROM log_queue"))
          .isGreaterThanOrEqualTo(5);

      var result = Flyway.configure().dataSource(before.jdbcUrl(), null, null).load().migrate();
      assertThat(result.migrationsExecuted).as("V18, and V19 and V20 after it").isEqualTo(3);

      try (ServerFixture after = ServerFixture.onDatabase(before.jdbcUrl(), b -> b.log(MANUAL_ROUNDS))) {
        LogFixture v18 = new LogFixture(after);
        List<String> fresh = v18.store("after-v18", 7);
        v18.integrate();
        Checkpoint now = v18.checkpoint();

        // Requests queued before V18 became leaf rows, as V17 would have made them; new ones are batches.
        assertThat(Superuser.number(after.jdbcUrl(), "SELECT count(*) FROM log_batches WHERE NOT events_linked")).isZero();
        assertThat(Superuser.number(after.jdbcUrl(), "SELECT count(*) FROM log_leaves WHERE event_id IN ("
            + quoted(queued) + ")")).isEqualTo(5);
        assertThat(Superuser.number(after.jdbcUrl(), "SELECT count(*) FROM log_batches b, unnest(b.event_ids) AS e(id)"
            + " WHERE b.first_leaf IS NOT NULL AND e.id IN (" + quoted(fresh) + ")")).isEqualTo(7);

        LogProofs.verifyConsistency(old.size(), now.size(), v18.consistency(old.size(), now.size()), old.rootHash(),
            now.rootHash());
        for (String id : Stream.of(integrated.subList(0, 3), integrated.subList(297, 300), queued, fresh)
            .flatMap(List::stream).toList()) {
          JsonNode proof = v18.inclusion(id, now.size());
          long index = proof.get("leaf_index").asLong();
          LogProofs.verifyInclusion(LogFixture.leafOf(proof.get("event")), index, now.size(),
              LogFixture.hashes(proof.get("inclusion_path")), now.rootHash());
          assertThat(after.get("/api/v1/audit/events/" + id).json().get("log_index").asLong()).as(id).isEqualTo(index);
        }

        List<byte[]> entries = new ArrayList<>();
        JsonNode page = after.get("/api/v1/log/entries?start=0&limit=1000").json().get("entries");
        for (JsonNode e : page) {
          assertThat(e.get("leaf_index").asLong()).isEqualTo(entries.size());
          byte[] leaf = LogFixture.hash(e.get("leaf_hash"));
          if (!e.get("event").isNull()) {
            assertThat(LogFixture.leafOf(e.get("event"))).as(e.toString()).isEqualTo(leaf);
          }
          entries.add(leaf);
        }
        List<byte[]> signed = entries.subList(0, (int) now.size());
        assertThat(CompactRange.rootOf(signed)).isEqualTo(now.rootHash());
        List<byte[]> fromTiles = new ArrayList<>();
        for (long n = 0; n * 256 < now.size(); n++) {
          int width = (int) Math.min(256, now.size() - n * 256);
          byte[] tile = v18.tile(new Tile(0, n, width));
          for (int i = 0; i < width; i++) {
            fromTiles.add(Arrays.copyOfRange(tile, i * 32, i * 32 + 32));
          }
        }
        assertThat(fromTiles).usingElementComparator(Arrays::compare).containsExactlyElementsOf(signed);
        // The view for people reading the database shows the same leaves, one row each.
        List<byte[]> viewed = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(after.jdbcUrl()); Statement st = c.createStatement();
            ResultSet rs = st.executeQuery("SELECT leaf_hash FROM log_tree_leaves WHERE leaf_index < " + now.size()
                + " ORDER BY leaf_index")) {
          while (rs.next()) {
            viewed.add(rs.getBytes(1));
          }
        }
        assertThat(viewed).usingElementComparator(Arrays::compare).containsExactlyElementsOf(signed);
      }
    }
  }

  private static String quoted(List<String> ids) {
    return String.join(", ", ids.stream().map(id -> "'" + id + "'").toList());
  }
}
