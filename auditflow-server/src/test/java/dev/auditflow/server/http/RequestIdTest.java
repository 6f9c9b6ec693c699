package dev.auditflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.Timestamps;
import dev.auditflow.server.testing.ServerFixture;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Kubernaut's X-Request-ID and /healthz. */
class RequestIdTest {
  @RegisterExtension
  static final ServerFixture fx = ServerFixture.perClass();

  private static ServerFixture.Response get(String path, String requestId) {
    HttpRequest.Builder request = HttpRequest.newBuilder(fx.baseUri().resolve(path)).GET();
    if (requestId != null) {
      request.header("X-Request-ID", requestId);
    }
    return fx.send(request);
  }

  @Test
  void aSentIdIsEchoedOnAnswersAndProblemsAndLoggedWithTheRequest() {
    Logger requests = (Logger) LoggerFactory.getLogger("dev.auditflow.server.requests");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    Level quiet = requests.getLevel();
    requests.setLevel(Level.INFO);
    requests.addAppender(lines);
    try {
      assertThat(get("/api/v1/audit/events?limit=1", "kubernaut-req-1").header("X-Request-ID")).isEqualTo("kubernaut-req-1");
      ServerFixture.Response problem = get("/api/v1/audit/events?limit=0", "kubernaut-req-2");
      assertThat(problem.status()).isEqualTo(400);
      assertThat(problem.header("X-Request-ID")).isEqualTo("kubernaut-req-2");
      assertThat(get("/no/such/route", "kubernaut-req-3").header("X-Request-ID")).isEqualTo("kubernaut-req-3");
      Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(lines.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(l -> assertThat(l).contains("status=400").endsWith("request_id=kubernaut-req-2")));
    } finally {
      requests.detachAppender(lines);
      requests.setLevel(quiet);
    }
  }

  @Test
  void withoutOneOrWithAnUnusableOneAnIdIsMadeUp() {
    String made = get("/health/live", null).header("X-Request-ID");
    assertThat(made).matches("[0-9a-f-]{36}");
    assertThat(get("/health/live", null).header("X-Request-ID")).isNotEqualTo(made);
    // A space (or a line break, or 129 characters) could forge a log field: replaced, not echoed.
    assertThat(get("/health/live", "a b").header("X-Request-ID")).matches("[0-9a-f-]{36}");
    assertThat(get("/health/live", "x".repeat(129)).header("X-Request-ID")).matches("[0-9a-f-]{36}");
    assertThat(get("/health/live", "x".repeat(128)).header("X-Request-ID")).isEqualTo("x".repeat(128));
  }

  @Test
  void healthzIsKubernautsLivenessProbe() {
    ServerFixture.Response r = get("/healthz", null);
    assertThat(r.status()).isEqualTo(200);
    JsonNode body = r.json();
    assertThat(body.get("status").asText()).isEqualTo("healthy");
    Instant stamped = Timestamps.parse(body.get("timestamp").asText());
    assertThat(Duration.between(stamped, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
  }
}
