package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.UuidV7;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code auditflow completeness} from the built jar against a served jar (docs/COMPLETENESS.md):
 * exit 1 naming a gap, exit 0 once the gap is declared, {@code --json}, and exit 2 with one line
 * and a hint when it cannot check.
 */
class JarCompletenessIT {
  @Test
  void completenessNamesAGapThenAccountsForItOnceDeclared() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-completeness");
    String db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--completeness-grace", "10m").start()) {
      server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
      String admin = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
      JarApi api = new JarApi(base, admin);
      Map<String, String> env = Map.of("AUDITFLOW_TOKEN", admin);
      UUID epoch = UuidV7.generate();
      List<ObjectNode> numbered = List.of(numbered(epoch, 1), numbered(epoch, 2), numbered(epoch, 4));
      assertThat(api.call("POST", "/api/v1/audit/events/batch", EventJson.array(numbered.toArray(ObjectNode[]::new))
          .toString()).statusCode()).isEqualTo(201);

      JarProcess gap = JarProcess.of(work, env, "completeness", "--url", base.toString(), "--producer", "shop@jar-it");
      assertThat(gap.run(Duration.ofSeconds(60))).as(gap.output()).isEqualTo(1);
      assertThat(gap.output()).contains("GAP: producer shop@jar-it epoch " + epoch + " numbers 3..3 (1)")
          .contains("NOT ACCOUNTED FOR: 1 of 1 epochs have gaps").containsPattern("open +4 +3 +0 +1");

      ObjectNode declared = (ObjectNode) AuditEventJson.toTree(Declaration.declared("shop@jar-it", epoch, "buffer_full",
          List.of(new Declaration.SeqRange(3, 3)), Instant.now()));
      ObjectNode closed = (ObjectNode) AuditEventJson.toTree(Declaration.closed("shop@jar-it", epoch, 4, Instant.now()));
      assertThat(api.call("POST", "/api/v1/audit/events/batch", EventJson.array(declared, closed).toString())
          .statusCode()).isEqualTo(201);

      JarProcess accounted = JarProcess.of(work, env, "completeness", "--url", base.toString(), "--producer",
          "shop@jar-it", "--since", "1h", "--json");
      assertThat(accounted.run(Duration.ofSeconds(60))).as(accounted.output()).isZero();
      JsonNode answer = AuditEventJson.mapper().readTree(accounted.output().substring(accounted.output().indexOf('{'),
          accounted.output().lastIndexOf('}') + 1));
      JsonNode only = answer.get("epochs").get(0);
      assertThat(only.get("state").asText()).isEqualTo("closed");
      assertThat(only.get("stored").asLong()).isEqualTo(3);
      assertThat(only.get("declared").get("buffer_full").asLong()).isEqualTo(1);
      assertThat(accounted.output()).contains("accounted for: 1 epochs since 1h of shop@jar-it");
    } finally {
      TestDatabase.drop(db);
    }
  }

  @Test
  void completenessThatCannotCheckSaysSoInOneLineAndExits2() throws Exception {
    int port = RedisServerProcess.freePort();
    JarProcess unreachable = JarProcess.of(Files.createTempDirectory("auditflow-jar-completeness"), "completeness",
        "--url", "http://127.0.0.1:" + port);
    assertThat(unreachable.run(Duration.ofSeconds(60))).as(unreachable.output()).isEqualTo(2);
    // One line saying what failed, one hint; no stack trace.
    assertThat(unreachable.output().strip().lines()).as(unreachable.output()).hasSize(2)
        .first().asString().startsWith("auditflow completeness: cannot reach http://127.0.0.1:" + port);
    assertThat(unreachable.output()).doesNotContain("Exception").contains("is `auditflow serve` running there?");
  }

  private static ObjectNode numbered(UUID epoch, long seq) {
    ObjectNode event = EventJson.valid("jar-completeness");
    event.put("producer_id", "shop@jar-it").put("producer_epoch", epoch.toString()).put("producer_seq", seq);
    return event;
  }
}
