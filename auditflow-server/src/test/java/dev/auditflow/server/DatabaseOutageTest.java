package dev.auditflow.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.auditflow.server.auth.Role;
import dev.auditflow.server.testing.EventJson;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL really stops and really comes back (an embedded server of this test's own, so the
 * shared one is untouched): the service answers 503 with Retry-After quickly — never hangs —
 * and recovers by itself.
 */
class DatabaseOutageTest {

  private static EmbeddedPostgres postgres(Path dir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
  }

  @Test
  void databaseDownAnswers503ThenRecovers() throws Exception {
    Path dir = Files.createTempDirectory("auditflow-outage");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = postgres(dir, port);
    ServerConfig config = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(pg.getJdbcUrl("postgres", "postgres"))
        .poolSize(2).connectionTimeout(Duration.ofSeconds(1)).retryAfter(Duration.ofSeconds(3)).build();
    HttpClient http = HttpClient.newHttpClient();
    try (AuditServer server = AuditServer.start(config)) {
      token = server.apiTokens().create("outage", EnumSet.of(Role.ADMIN), null, "test").secret();
      URI events = URI.create("http://127.0.0.1:" + server.port() + "/api/v1/audit/events");
      URI ready = URI.create("http://127.0.0.1:" + server.port() + "/health/ready");
      assertThat(post(http, events, "outage").statusCode()).isEqualTo(201);

      pg.close();
      long start = System.nanoTime();
      HttpResponse<String> down = post(http, events, "outage");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.headers().firstValue("Retry-After")).contains("3");
      assertThat(down.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
      assertThat(down.body()).contains("service-unavailable").doesNotContain("Exception").doesNotContain("at org.");
      // The 1 s connection timeout, plus slack for a loaded machine: not the 15 s statement timeout.
      assertThat(took).as("answered promptly, not hung").isLessThan(Duration.ofSeconds(4));
      HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(events + "?correlation_id=outage"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(read.statusCode()).as("a read while the database is down").isEqualTo(503);
      assertThat(read.body()).contains("service-unavailable", "the database is unavailable").doesNotContain("expensive");
      assertThat(http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);

      pg = postgres(dir, port);
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> post(http, events, "outage").statusCode() == 201);
      assertThat(http.send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
      String count = http.send(HttpRequest.newBuilder(URI.create(events + "/count?correlation_id=outage"))
              .header("Authorization", "Bearer " + token).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      // The first event and the one after recovery; the refused one was never half-written.
      assertThat(count).isEqualTo("{\"count\":2}");
    } finally {
      pg.close();
    }
  }

  private String token;

  private HttpResponse<String> post(HttpClient http, URI uri, String correlationId) throws Exception {
    return http.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .header("Authorization", "Bearer " + token)
        .timeout(Duration.ofSeconds(60))
        .POST(HttpRequest.BodyPublishers.ofString(EventJson.valid(correlationId).toString())).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
