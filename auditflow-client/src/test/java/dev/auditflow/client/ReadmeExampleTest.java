package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.api.EventOutcome;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's client example compiling and true: the block between the markers below is
 * copied verbatim into README.md, and the test checks that it still is.
 */
class ReadmeExampleTest {

  @Test
  void readmeExampleRunsAndIsInTheReadme() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger closedMarkers = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    String token = "af_a-writer-token-made-with-auditflow-token-create";
    server.createContext("/api/v1/audit/events/batch", exchange -> {
      if (!("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
        exchange.sendResponseHeaders(401, -1);
        exchange.close();
        return;
      }
      // The producer's events, apart from its epoch-closed marker (docs/COMPLETENESS.md), sent at close.
      for (var event : AuditEventJson.mapper().readTree(exchange.getRequestBody())) {
        (Declaration.TYPE_CLOSED.equals(event.path("event_type").asText()) ? closedMarkers : received).incrementAndGet();
      }
      byte[] body = "{\"event_ids\":[],\"created\":1,\"duplicates\":0}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(201, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    String serverUrl = "http://127.0.0.1:" + server.getAddress().getPort();
    // README-EXAMPLE-START
    try (AuditStore audit = AuditStore.builder()
        .endpoint(URI.create(serverUrl))                // e.g. http://localhost:8080
        .bearerToken(token)                             // or .tokenFile(path), re-read when rotated
        .bufferSize(10_000)
        .batchSize(1_000)
        .flushInterval(Duration.ofSeconds(1))
        .overflowPolicy(OverflowPolicy.BLOCK)
        .build()) {
      AuditEvent event = AuditEvent.builder()
          .eventType("gateway.signal.received")
          .eventTimestamp(Instant.now())
          .eventCategory("gateway")
          .eventAction("receive")
          .eventOutcome(EventOutcome.SUCCESS)
          .correlationId("order-4711")
          .eventData(Map.of("signal", "cpu-high", "value", 97))
          .build();
      DeliveryHandle handle = audit.store(event);      // returns at once
      handle.completion().whenComplete((ok, error) -> {
        if (error != null) {
          System.err.println("audit event lost: " + error.getMessage());
        }
      });
      audit.flush(Duration.ofSeconds(5));             // throws if anything was not stored
    }
    // README-EXAMPLE-END
    server.stop(0);
    assertThat(received.get()).isEqualTo(1);
    assertThat(closedMarkers.get()).as("the store closed its epoch").isEqualTo(1);

    String source = Files.readString(Path.of("src/test/java/dev/auditflow/client/ReadmeExampleTest.java"));
    String example = source.substring(
        source.indexOf('\n', source.indexOf("// README-EXAMPLE-" + "START")) + 1,
        source.indexOf("    // README-EXAMPLE-" + "END"));
    String readme = Files.readString(Path.of("../README.md"));
    assertThat(readme).as("README.md must contain the example exactly as tested").contains(example.stripTrailing().stripIndent());
  }
}
