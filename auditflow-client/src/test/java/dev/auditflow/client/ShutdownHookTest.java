package dev.auditflow.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.completeness.Declaration;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@code closeOnShutdown}: a JVM that exits with events still buffered delivers them first. */
class ShutdownHookTest {

  @Test
  void theShutdownHookDrainsTheBufferBeforeTheJvmExits() throws Exception {
    AtomicInteger received = new AtomicInteger();
    AtomicInteger closedMarkers = new AtomicInteger();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/audit/events/batch", exchange -> {
      // The producer's events, apart from its epoch-closed marker (docs/COMPLETENESS.md), sent at close.
      for (var event : AuditEventJson.mapper().readTree(exchange.getRequestBody())) {
        (Declaration.TYPE_CLOSED.equals(event.path("event_type").asText()) ? closedMarkers : received).incrementAndGet();
      }
      byte[] body = "{\"event_ids\":[],\"created\":0,\"duplicates\":0}".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(201, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      String java = ProcessHandle.current().info().command().orElse("java");
      Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
          ShutdownHookMain.class.getName(), "http://127.0.0.1:" + server.getAddress().getPort(), "137")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).isZero();
      assertThat(received.get()).isEqualTo(137);
    assertThat(closedMarkers.get()).as("the store closed its epoch").isEqualTo(1);
    } finally {
      server.stop(0);
    }
  }
}
