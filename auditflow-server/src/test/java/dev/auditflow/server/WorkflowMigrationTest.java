package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.Superuser;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Migration V12 (Kubernaut's catalog contract: environments as a list, custom and detected labels,
 * the image digest) on a catalog as version 11 left it: one environment per workflow, as text.
 */
class WorkflowMigrationTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  @Test
  void v12TurnsEachStoredEnvironmentIntoAListOfOne() throws Exception {
    ObjectNode w = AuditEventJson.mapper().createObjectNode();
    w.put("workflow_name", "before-v12").put("version", "1").put("name", "Restart").put("description", "Restarts.")
        .put("content", "steps: [restart]").put("content_hash", "a".repeat(64)).put("execution_engine", "tekton");
    w.putObject("labels").put("signal_type", "crashloop").put("severity", "high").put("component", "k8s")
        .put("environment", "staging").put("priority", "P1");
    String id = fx.postJson("/api/v1/workflows", w.toString()).json().get("workflow_id").asText();

    // The catalog as V11 left it.
    Superuser.execute(fx.jdbcUrl(),
        "ALTER TABLE workflows DROP COLUMN custom_labels, DROP COLUMN detected_labels, DROP COLUMN container_digest",
        "ALTER TABLE workflows ALTER COLUMN environment TYPE text USING environment[1]",
        "UPDATE workflows SET labels = jsonb_set(labels, '{environment}', labels -> 'environment' -> 0)",
        "DELETE FROM flyway_schema_history WHERE version = '12'");
    assertThat(Superuser.number(fx.jdbcUrl(),
        "SELECT count(*) FROM workflows WHERE jsonb_typeof(labels -> 'environment') = 'string'")).isEqualTo(1);

    // Later migrations (V13 on) touch other tables and stay applied: V12 runs out of order, alone.
    var result = Flyway.configure().dataSource(fx.jdbcUrl(), null, null).outOfOrder(true).load().migrate();

    assertThat(result.migrationsExecuted).isEqualTo(1);
    JsonNode read = fx.get("/api/v1/workflows/" + id).json();
    assertThat(read.get("labels").get("environment").isArray()).isTrue();
    assertThat(read.get("labels").get("environment").get(0).asText()).isEqualTo("staging");
    assertThat(fx.get("/api/v1/workflows?environment=staging&workflow_name=before-v12").json().get("total").asLong())
        .isEqualTo(1);
    assertThat(fx.get("/api/v1/workflows?environment=production&workflow_name=before-v12").json().get("total").asLong())
        .isZero();
  }
}
