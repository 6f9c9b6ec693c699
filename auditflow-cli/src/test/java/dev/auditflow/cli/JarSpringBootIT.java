package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Spring Boot example under {@code examples/spring-boot} — built by the same {@code mvn
 * verify} with the starter just built — run as a child process against the built jar: the
 * starter's properties bind from the command line, a request's audit event reaches the server,
 * actuator health shows the {@code auditflow} indicator, and SIGTERM drains what is still buffered
 * (a 30 s flush interval: only the shutdown can have sent it).
 */
class JarSpringBootIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void theExampleServiceAuditsThroughTheStarterAndDrainsOnSigterm() throws Exception {
    Path example = Path.of("../examples/spring-boot/target/auditflow-spring-boot-example.jar").toAbsolutePath()
        .normalize();
    assertThat(example).as("mvn verify builds examples/spring-boot before these suites").isRegularFile();
    Path work = Files.createTempDirectory("auditflow-jar-spring-boot");
    String db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db).start()) {
      server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
      String admin = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
      JarApi api = new JarApi(base, admin);

      int appPort = RedisServerProcess.freePort();
      URI app = URI.create("http://127.0.0.1:" + appPort);
      Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-jar", example.toString(), "--server.port=" + appPort, "--auditflow.client.endpoint=" + base,
          "--auditflow.client.token=" + admin, "--auditflow.client.flush-interval=30s")
          .redirectErrorStream(true).redirectOutput(work.resolve("service.log").toFile()).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        JsonNode health = null;
        while (System.nanoTime() < deadline && health == null) {
          try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(app.resolve("/actuator/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            health = r.statusCode() == 200 ? AuditEventJson.mapper().readTree(r.body()) : null;
          } catch (java.io.IOException notYet) {
            Thread.sleep(200);
          }
        }
        assertThat(health).as(Files.readString(work.resolve("service.log"))).isNotNull();
        assertThat(health.at("/components/auditflow/status").asText()).isEqualTo("UP");

        for (int i = 0; i < 7; i++) {
          HttpResponse<String> refund = HTTP.send(HttpRequest.newBuilder(app.resolve(
              "/orders/order-spring/refunds?amount_cents=" + (100 + i))).POST(HttpRequest.BodyPublishers.noBody())
              .build(), HttpResponse.BodyHandlers.ofString());
          assertThat(refund.statusCode()).as(refund.body()).isEqualTo(202);
        }
        String metrics = HTTP.send(HttpRequest.newBuilder(app.resolve("/actuator/prometheus")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("auditflow_client_events_total{outcome=\"enqueued\"").contains(
            "auditflow_client_queue_size");
        assertThat(count(api)).as("buffered, the 30 s flush interval not yet over").isZero();

        service.destroy(); // SIGTERM: Spring's shutdown closes the store, which drains it
        assertThat(service.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String log = Files.readString(work.resolve("service.log"));
        assertThat(log).contains("auditflow client closed, every event delivered");
        assertThat(count(api)).as(log).isEqualTo(7);
      } finally {
        service.destroyForcibly();
      }
    } finally {
      TestDatabase.drop(db);
    }
  }

  private static long count(JarApi api) throws Exception {
    return AuditEventJson.mapper().readTree(api.call("GET", "/api/v1/audit/events/count?correlation_id=order-spring",
        null).body()).get("count").asLong();
  }
}
