package dev.auditflow.server.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.auditflow.api.log.Checkpoint;
import dev.auditflow.api.log.LogProofException;
import dev.auditflow.api.log.LogProofs;
import dev.auditflow.server.LifecycleSettings;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/** Integration as a service runs it: several instances, interrupted rounds. */
class LogIntegrationTest {
  private static LifecycleSettings withKey(Path keyFile) {
    return new LifecycleSettings(keyFile, List.of(), Duration.ZERO, 100_000);
  }

  @Test
  void twoInstancesWritingAtOnceProduceOneLogWithEveryEventOnce() throws Exception {
    Path key = Files.createTempDirectory("auditflow-log-key").resolve("signing.pem");
    try (ServerFixture a = ServerFixture.start(b -> b.lifecycle(withKey(key)));
        ServerFixture b = ServerFixture.onDatabase(a.jdbcUrl(), c -> c.lifecycle(withKey(key)))) {
      LogFixture logA = new LogFixture(a);
      LogFixture logB = new LogFixture(b);
      logA.store("two-first", 1);
      logA.integrate();
      Checkpoint early = logA.checkpoint();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<List<String>>> writes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        LogFixture via = i % 2 == 0 ? logA : logB;
        String correlation = "two-" + (i % 5);
        writes.add(pool.submit(() -> via.store(correlation, 25)));
      }
      List<String> ids = new ArrayList<>();
      for (Future<List<String>> w : writes) {
        ids.addAll(w.get());
      }
      pool.shutdown();
      logA.integrate();
      logB.integrate();

      String leaves = "SELECT count(*) FROM log_tree_leaves";
      assertThat(Superuser.number(a.jdbcUrl(), "SELECT count(*) FROM log_queue")).isZero();
      assertThat(Superuser.number(a.jdbcUrl(), leaves))
          .isEqualTo(Superuser.number(a.jdbcUrl(), "SELECT count(*) FROM audit_events"))
          .isEqualTo(Superuser.number(a.jdbcUrl(), "SELECT count(DISTINCT event_id) FROM log_tree_leaves"))
          .isEqualTo(Superuser.number(a.jdbcUrl(), "SELECT max(leaf_index) + 1 FROM log_tree_leaves"));
      Checkpoint viaA = logA.checkpoint();
      Checkpoint viaB = logB.checkpoint();
      assertThat(viaA).isEqualTo(viaB);
      LogProofs.verifyConsistency(early.size(), viaA.size(), logB.consistency(early.size(), viaA.size()),
          early.rootHash(), viaA.rootHash());
      for (String id : ids.subList(0, 50)) {
        var proof = logB.inclusion(id, viaA.size());
        LogProofs.verifyInclusion(LogFixture.leafOf(proof.get("event")), proof.get("leaf_index").asLong(), viaA.size(),
            LogFixture.hashes(proof.get("inclusion_path")), viaA.rootHash());
      }
    }
  }

  @Test
  void aRoundThatFailsHalfwayLeavesNoTraceAndTheNextOneResumes() throws LogProofException {
    try (ServerFixture fx = ServerFixture.start(b -> b.log(new LogSettings(true, Duration.ofHours(1), 20_000)))) {
      LogFixture log = new LogFixture(fx);
      log.store("resume-a", 10);
      log.integrate();
      Checkpoint before = log.checkpoint();
      log.store("resume-b", 10);
      // The round dies after writing its nodes and leaves, before its checkpoint: as a crash or a
      // lost connection would leave it.
      Superuser.tamper(fx.jdbcUrl(), """
          CREATE FUNCTION fail_once() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'injected failure'; END $$""",
          "CREATE TRIGGER fail_once BEFORE UPDATE ON log_state FOR EACH ROW EXECUTE FUNCTION fail_once()");
      assertThatThrownBy(() -> fx.server().trail().log().integrate()).hasMessageContaining("injected failure");
      assertThat(log.checkpoint()).isEqualTo(before);
      assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM log_tree_leaves")).isEqualTo(before.size());
      assertThat(Superuser.number(fx.jdbcUrl(), "SELECT sum(cardinality(event_ids)) FROM log_queue")).isEqualTo(10);

      Superuser.tamper(fx.jdbcUrl(), "DROP TRIGGER fail_once ON log_state");
      log.integrate();
      Checkpoint after = log.checkpoint();
      assertThat(after.size()).isEqualTo(before.size() + 10);
      assertThat(Superuser.number(fx.jdbcUrl(), "SELECT max(leaf_index) + 1 FROM log_tree_leaves")).isEqualTo(after.size());
      LogProofs.verifyConsistency(before.size(), after.size(), log.consistency(before.size(), after.size()),
          before.rootHash(), after.rootHash());
    }
  }

  @Test
  void eventsStoredBeforeTheLogExistedEnterItFromTheirRows() throws Exception {
    try (ServerFixture fx = ServerFixture.start(b -> b.log(new LogSettings(true, Duration.ofHours(1), 20_000)))) {
      LogFixture log = new LogFixture(fx);
      List<String> ids = log.store("backfill", 5);
      // The store as it was before V8, then V8 (and V18, which reshaped its tables) applied to it,
      // as an upgrade does.
      Superuser.execute(fx.jdbcUrl(), "DROP VIEW log_queue, log_tree_leaves",
          "DROP TABLE log_batches, log_leaves, log_nodes, log_state",
          "ALTER TABLE audit_event_ids DROP COLUMN log_batch, DROP COLUMN log_position",
          "DELETE FROM flyway_schema_history WHERE version IN ('8', '18')");
      Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();
      assertThat(Superuser.number(fx.jdbcUrl(), "SELECT sum(cardinality(event_ids)) FROM log_queue")).isEqualTo(5);
      try (ServerFixture restarted = ServerFixture.onDatabase(fx.jdbcUrl(), b -> b)) {
        LogFixture fresh = new LogFixture(restarted);
        fresh.integrate();
        Checkpoint checkpoint = fresh.checkpoint();
        assertThat(checkpoint.size()).isEqualTo(5);
        for (String id : ids) {
          var proof = fresh.inclusion(id, checkpoint.size());
          LogProofs.verifyInclusion(LogFixture.leafOf(proof.get("event")), proof.get("leaf_index").asLong(),
              checkpoint.size(), LogFixture.hashes(proof.get("inclusion_path")), checkpoint.rootHash());
        }
      }
    }
  }
}
