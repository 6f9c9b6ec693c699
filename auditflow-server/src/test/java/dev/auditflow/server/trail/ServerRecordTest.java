package dev.auditflow.server.trail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.ServerFixture;
import dev.auditflow.server.testing.WorkflowJson;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's own records speak one vocabulary, whichever feature made them: the caller as actor,
 * typed by how it authenticated, and the server's category (the workflow catalog keeps
 * Kubernaut's, as it keeps its type names).
 */
class ServerRecordTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static JsonNode chain(String correlationId) {
    return fx.get("/api/v1/audit/events?order=asc&correlation_id=" + correlationId).json().get("data");
  }

  @Test
  void accessHoldAndCatalogRecordsNameTheCallerAlike() {
    assertThat(fx.postJson("/api/v1/audit/events", EventJson.valid("records-case").toString()).status()).isEqualTo(201);
    assertThat(fx.postJson("/api/v1/audit/legal-hold", "{\"correlation_id\":\"records-case\",\"reason\":\"review\"}")
        .status()).isEqualTo(200);
    var unowned = WorkflowJson.valid("records", "1");
    unowned.remove("owner"); // a named owner is the record's actor, as Kubernaut's own records have it
    JsonNode workflow = fx.postJson("/api/v1/workflows", unowned.toString()).json();

    List<JsonNode> records = new ArrayList<>();
    chain("legal-hold:records-case").forEach(records::add);
    chain("workflow-" + workflow.get("workflow_id").asText()).forEach(records::add);
    chain("access:token:admin").forEach(records::add);
    assertThat(records).hasSizeGreaterThanOrEqualTo(3);
    assertThat(records).allSatisfy(r -> {
      assertThat(r.get("actor_type").asText()).as(r.toString()).isEqualTo("token");
      assertThat(r.get("actor_id").asText()).as(r.toString()).isEqualTo("token:admin");
      assertThat(r.get("event_category").asText()).isEqualTo(
          ServerVocabulary.categoryOf(r.get("event_type").asText()));
      assertThat(r.get("event_outcome").asText()).isEqualTo("success");
    });
    assertThat(records).extracting(r -> r.get("event_category").asText()).contains("auditflow", "datastorage");
  }

  @Test
  void actorsTheServerKnows() {
    assertThat(ServerRecord.Actor.SERVER).isEqualTo(new ServerRecord.Actor("service", "auditflow", null));
    assertThat(ServerRecord.Actor.named("bob")).isEqualTo(new ServerRecord.Actor("user", "bob", null));
    assertThat(ServerVocabulary.categoryOf("auditflow.purge")).isEqualTo(ServerVocabulary.CATEGORY);
    assertThat(ServerVocabulary.categoryOf("datastorage.workflow.created")).isEqualTo("datastorage");
  }
}
