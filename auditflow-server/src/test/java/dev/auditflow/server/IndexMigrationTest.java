package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.server.trail.EventFilter;
import dev.auditflow.server.trail.Page;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Migration V7 (index decisions) on a store that already holds events, as an upgrade meets it. */
class IndexMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v7AppliesToAStoreWrittenBeforeIt() throws Exception {
    for (int i = 0; i < 5; i++) {
      assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("before-v7").toString()).status()).isEqualTo(201);
    }
    // Rows of a rare severity among many common ones, for the planner to weigh.
    Superuser.execute(fx.jdbcUrl(), """
        INSERT INTO audit_events (event_id, event_date, event_timestamp, version, event_type, event_category,
            event_action, event_outcome, correlation_id, severity, event_data, retention_days)
        SELECT gen_random_uuid(), current_date, now() - n * interval '1 second', '1.0', 'test.bulk', 'test', 'load',
            'success', 'bulk-' || n, CASE WHEN n % 1000 = 0 THEN 'critical' ELSE 'info' END, '{}', 30
        FROM generate_series(1, 20000) AS n
        """);
    // The store as V6 left it.
    Superuser.execute(fx.jdbcUrl(), "DROP INDEX audit_events_severity_idx",
        "CREATE INDEX audit_events_chain_idx ON audit_events (correlation_id, chain_position)",
        "DELETE FROM flyway_schema_history WHERE version = '7'");

    // The later migrations are already applied on this store: V7 runs out of order, alone.
    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();

    assertThat(result.migrationsExecuted).isEqualTo(1);
    assertThat(Superuser.number(fx.jdbcUrl(), "SELECT count(*) FROM pg_class WHERE relname = 'audit_events_chain_idx'"))
        .isZero();
    // Every partition got its copy of the new index, valid.
    assertThat(Superuser.number(fx.jdbcUrl(), """
        SELECT count(*) FROM pg_inherits i JOIN pg_index x ON x.indexrelid = i.inhrelid
        WHERE i.inhparent = 'audit_events_severity_idx'::regclass AND x.indisvalid
        """)).isEqualTo(Superuser.number(fx.jdbcUrl(),
        "SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_events'::regclass"));
    Superuser.execute(fx.jdbcUrl(), "ANALYZE audit_events");
    String plan = String.join("\n", fx.server().trail().explain(
        new EventFilter(Map.of("severity", "critical"), null, null), new Page(100, true, null)));
    // The partition holding the rows is read through its copy of the severity index, newest first.
    String partitionIndex = Superuser.text(fx.jdbcUrl(), """
        SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_index x ON x.indexrelid = c.oid
        WHERE i.inhparent = 'audit_events_severity_idx'::regclass AND x.indrelid = (
            SELECT tableoid FROM audit_events WHERE correlation_id = 'bulk-1000')
        """);
    assertThat(plan).contains("Index Scan Backward using " + partitionIndex + " on ");
    // Whole-chain readers still work without their old index.
    var verified = fx.postJson("/api/v1/audit/verify", "{\"correlation_id\":\"before-v7\"}").json();
    assertThat(verified.get("verified").asBoolean()).as(verified.toString()).isTrue();
    assertThat(verified.get("events_checked").asInt()).as(verified.toString()).isEqualTo(5);
  }
}
