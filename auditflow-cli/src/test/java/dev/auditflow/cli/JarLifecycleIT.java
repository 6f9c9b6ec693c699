package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The compliance lifecycle through the built jar: {@code export} and {@code verify-export} of
 * 100 000 events in JVMs whose heaps are smaller than the export, and {@code purge} with a
 * legal hold, followed by {@code verify} and an offline verification of what remains.
 */
class JarLifecycleIT {
  private static final Duration START = Duration.ofMinutes(2);

  private record Server(JarProcess process, URI base, String token, Path work) {}

  private Server serve(Path work, String db, String maxHeap) throws Exception {
    int port = RedisServerProcess.freePort();
    JarProcess process = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--max-event-age", "400d", "--purge-interval", "0",
        "--signing-key-file", work.resolve("keys/signing.key").toString()).withMaxHeap(maxHeap).start();
    URI base = URI.create("http://127.0.0.1:" + port);
    process.awaitHttp200(base, "/health/ready", START);
    String token = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
    return new Server(process, base, token, work);
  }

  private HttpResponse<String> call(Server s, String method, String path, String json) throws Exception {
    return new JarApi(s.base(), s.token()).call(method, path, json);
  }

  private JarProcess cli(Server s, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--url");
    all.add(2, s.base().toString());
    return JarProcess.of(s.work(), Map.of("AUDITFLOW_TOKEN", s.token()), all.toArray(String[]::new));
  }

  private Path publicKey(Server s) throws Exception {
    HttpResponse<String> pem = call(s, "GET", "/api/v1/audit/signing-key?format=pem", null);
    assertThat(pem.statusCode()).isEqualTo(200);
    return Files.writeString(s.work().resolve("auditflow.pub.pem"), pem.body());
  }

  @Test
  void fiftyThousandEventsExportAndVerifyInLessHeapThanTheirSize() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-export");
    String db = TestDatabase.create();
    Server s = serve(work, db, "128m");
    try (JarProcess server = s.process()) {
      // Bytes, not the count, are what the heaps are measured against: fewer, larger events keep the
      // export above both heaps at half the test's time.
      String payload = "p".repeat(2_600);
      for (int batch = 0; batch < 50; batch++) {
        ArrayNode events = AuditEventJson.mapper().createArrayNode();
        for (int i = 0; i < 1_000; i++) {
          ObjectNode event = EventJson.valid("bulk-" + (i % 1_000));
          ((ObjectNode) event.get("event_data")).put("payload", payload);
          events.add(event);
        }
        HttpResponse<String> stored = call(s, "POST", "/api/v1/audit/events/batch", events.toString());
        assertThat(stored.statusCode()).as(stored.body()).isEqualTo(201);
      }

      Path file = work.resolve("export.ndjson");
      // (the category leaves out the access record the export itself writes first)
      JarProcess export = cli(s, "export", "--out", file.toString(), "--event-category", "test").withMaxHeap("64m");
      assertThat(export.run(Duration.ofMinutes(5))).as(export.output()).isZero();
      assertThat(export.output()).contains("exported 50000 events in 1000 chains");
      assertThat(Files.size(file)).as("bigger than either JVM's heap").isGreaterThan(128L * 1024 * 1024);

      Path key = publicKey(s);
      JarProcess verify = JarProcess.of(work, "verify-export", file.toString(), "--public-key", key.toString())
          .withMaxHeap("64m");
      assertThat(verify.run(Duration.ofMinutes(5))).as(verify.output()).isZero();
      assertThat(verify.output()).contains("VALID: 50000 events in 1000 chains: 50000 recomputed");

      Path tampered = work.resolve("tampered.ndjson");
      changeOneEvent(file, tampered, 25_000);
      JarProcess caught = JarProcess.of(work, "verify-export", tampered.toString(), "--public-key", key.toString())
          .withMaxHeap("64m");
      assertThat(caught.run(Duration.ofMinutes(5))).as(caught.output()).isEqualTo(1);
      assertThat(caught.output()).contains("modified_event at line").contains("content_hash_mismatch")
          .contains("NOT VALID");
      assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(server.output()).doesNotContain("OutOfMemoryError");
    } finally {
      TestDatabase.drop(db);
    }
  }

  /** Copies the export, changing the action of its {@code n}th event line — streaming, as the file is large. */
  private static void changeOneEvent(Path from, Path to, int n) throws Exception {
    try (BufferedReader in = Files.newBufferedReader(from, StandardCharsets.UTF_8);
        BufferedWriter out = Files.newBufferedWriter(to, StandardCharsets.UTF_8)) {
      int events = 0;
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("{\"event\"") && ++events == n) {
          line = line.replace("\"event_action\":\"store\"", "\"event_action\":\"erase\"");
        }
        out.write(line);
        out.write('\n');
      }
    }
  }

  @Test
  void purgeKeepsHeldEventsAndLeavesChainsThatVerifyOnlineAndOffline() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-purge");
    String db = TestDatabase.create();
    Server s = serve(work, db, "256m");
    try (JarProcess server = s.process()) {
      // Below the default policy's floor of 30 days, on purpose, as an administrator may.
      assertThat(call(s, "PUT", "/api/v1/admin/retention-policies", "{\"retention_days\":2555,\"minimum_days\":1}")
          .statusCode()).isEqualTo(200);
      Instant old = Instant.now().minus(40, ChronoUnit.DAYS);
      for (String chain : List.of("old-a", "old-b", "old-held")) {
        ArrayNode events = AuditEventJson.mapper().createArrayNode();
        for (int i = 0; i < 5; i++) {
          events.add(EventJson.valid(chain, old.plusSeconds(i)).put("retention_days", 1));
        }
        assertThat(call(s, "POST", "/api/v1/audit/events/batch", events.toString()).statusCode()).isEqualTo(201);
      }
      assertThat(call(s, "POST", "/api/v1/audit/events", EventJson.valid("old-a").toString()).statusCode())
          .isEqualTo(201);
      assertThat(call(s, "POST", "/api/v1/audit/legal-hold", "{\"correlation_id\":\"old-held\",\"reason\":\"case 9\"}")
          .statusCode()).isEqualTo(200);

      JarProcess dry = cli(s, "purge", "--dry-run");
      assertThat(dry.run(Duration.ofMinutes(2))).as(dry.output()).isZero();
      assertThat(dry.output()).contains("would purge 10 events of 2 chains").contains("5 expired events kept by legal holds");
      JarProcess purge = cli(s, "purge");
      assertThat(purge.run(Duration.ofMinutes(2))).as(purge.output()).isZero();
      assertThat(purge.output()).contains("purged 10 events of 2 chains");

      for (String chain : List.of("old-a", "old-b", "old-held")) {
        JarProcess verify = cli(s, "verify", "--correlation-id", chain);
        assertThat(verify.run(Duration.ofMinutes(2))).as(verify.output()).isZero();
      }
      Path file = work.resolve("after-purge.ndjson");
      JarProcess export = cli(s, "export", "--out", file.toString(), "--correlation-id", "old-a");
      assertThat(export.run(Duration.ofMinutes(2))).as(export.output()).isZero();
      JarProcess offline = JarProcess.of(work, "verify-export", file.toString(), "--public-key", publicKey(s).toString());
      assertThat(offline.run(Duration.ofMinutes(2))).as(offline.output()).isZero();
      assertThat(offline.output()).contains("VALID: 1 events in 1 chains");
      assertThat(Files.readString(file)).contains("\"purged_through\":5");
      assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
    } finally {
      TestDatabase.drop(db);
    }
  }
}
