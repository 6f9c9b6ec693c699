package dev.auditflow.client.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.LogCapture;
import dev.auditflow.client.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The HTTP transport against a real (JDK) HTTP server answering as the auditflow server would. */
class HttpBatchTransportTest {
  private HttpServer server;
  private final AtomicReference<Answer> answer = new AtomicReference<>();
  private final AtomicReference<String> received = new AtomicReference<>();
  private final AtomicReference<String> contentType = new AtomicReference<>();
  private final AtomicReference<String> authorization = new AtomicReference<>();
  private final AtomicReference<Integer> batchClientPort = new AtomicReference<>();
  private final AtomicReference<Integer> readinessClientPort = new AtomicReference<>();

  private record Answer(int status, String contentType, String body, String retryAfter) {}

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/api/v1/audit/events/batch", exchange -> {
      received.set(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      contentType.set(exchange.getRequestHeaders().getFirst("Content-Type"));
      authorization.set(exchange.getRequestHeaders().getFirst("Authorization"));
      batchClientPort.set(exchange.getRemoteAddress().getPort());
      Answer a = answer.get();
      byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", a.contentType());
      if (a.retryAfter() != null) {
        exchange.getResponseHeaders().set("Retry-After", a.retryAfter());
      }
      exchange.sendResponseHeaders(a.status(), body.length == 0 ? -1 : body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/readyz", exchange -> {
      readinessClientPort.set(exchange.getRemoteAddress().getPort());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private HttpBatchTransport transport() {
    return new HttpBatchTransport(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/"));
  }

  private static AuditEvent event() {
    return AuditEvent.builder().eventType("t.e").eventTimestamp(Instant.now()).eventCategory("c").eventAction("a")
        .eventOutcome(EventOutcome.SUCCESS).correlationId("x").eventData(Map.of("a", 1)).build();
  }

  @Test
  void postsAJsonArrayAndReadsTheCounts() throws Exception {
    answer.set(new Answer(201, "application/json", "{\"event_ids\":[],\"created\":1,\"duplicates\":1}", null));
    AuditEvent a = event();
    AuditEvent b = event();
    BatchAck ack = transport().send(List.of(a, b), Duration.ofSeconds(5));
    assertThat(ack).isEqualTo(new BatchAck(1, 1, false));
    JsonNode sent = AuditEventJson.mapper().readTree(received.get());
    assertThat(sent.isArray()).isTrue();
    assertThat(sent.get(0).get("event_id").asText()).isEqualTo(a.eventId().toString());
    assertThat(sent.get(1).get("event_id").asText()).isEqualTo(b.eventId().toString());
    assertThat(contentType.get()).isEqualTo("application/json");
  }

  @Test
  void acceptedIntoTheDeadLetterQueueIsAnAcknowledgement() throws Exception {
    answer.set(new Answer(202, "application/json", "{\"status\":\"queued\",\"queued\":1}", null));
    assertThat(transport().send(List.of(event()), Duration.ofSeconds(5)).queued()).isTrue();
  }

  @Test
  void acceptedIntoKafkaIsAnAcknowledgementOfEventsHeldForLater() throws Exception {
    answer.set(new Answer(201, "application/json", "{\"event_ids\":[],\"status\":\"accepted\",\"accepted\":1}", null));
    assertThat(transport().send(List.of(event()), Duration.ofSeconds(5))).isEqualTo(new BatchAck(0, 0, true));
  }

  @ParameterizedTest(name = "HTTP {0} {1}: retryable={2} may_have_been_stored={3}")
  @CsvSource({"400,x,false,false", "404,x,false,false", "409,x,false,false", "413,x,false,false",
      "422,x,false,false", "401,x,true,false", "403,x,true,false", "408,x,true,false", "429,x,true,false",
      "500,internal-error,true,true", "502,x,true,true", "503,service-unavailable,true,false",
      "503,outcome-unknown,true,true", "503,x,true,true", "504,x,true,true"})
  void errorStatusesAreClassified(int status, String slug, boolean retryable, boolean mayHaveBeenStored) {
    answer.set(new Answer(status, "application/problem+json",
        "{\"type\":\"https://auditflow.dev/problems/" + slug + "\",\"title\":\"X\",\"status\":" + status
            + ",\"detail\":\"why\"}", null));
    assertThatThrownBy(() -> transport().send(List.of(event()), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(TransportException.class, e -> {
          assertThat(e.status()).isEqualTo(status);
          assertThat(e.retryable()).isEqualTo(retryable);
          assertThat(e.mayHaveBeenStored()).as("may have been stored").isEqualTo(mayHaveBeenStored);
          assertThat(e.problem()).get().satisfies(p -> assertThat(p.detail()).isEqualTo("why"));
        });
  }

  @Test
  void theCurrentTokenOfARotatingFileIsSentWithEveryBatch(@TempDir Path dir) throws Exception {
    answer.set(new Answer(201, "application/json", "{\"created\":1,\"duplicates\":0}", null));
    Path file = dir.resolve("token");
    Files.writeString(file, "token-one\n");
    HttpBatchTransport t = new HttpBatchTransport(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        BearerToken.fromFile(file), null);
    t.send(List.of(event()), Duration.ofSeconds(5));
    assertThat(authorization.get()).isEqualTo("Bearer token-one");

    Files.writeString(file, "token-two\n");
    Files.setLastModifiedTime(file, FileTime.from(Files.getLastModifiedTime(file).toInstant().plusSeconds(60)));
    t.send(List.of(event()), Duration.ofSeconds(5));
    assertThat(authorization.get()).isEqualTo("Bearer token-two");
  }

  @Test
  void refusedCredentialsAreLoggedOnceAndNeverPrinted() {
    answer.set(new Answer(401, "application/problem+json",
        "{\"type\":\"https://auditflow.dev/problems/unauthorized\",\"status\":401,\"detail\":\"unknown token\"}", null));
    HttpBatchTransport t = new HttpBatchTransport(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
        BearerToken.of("af_s3cret"), null);
    try (LogCapture logs = new LogCapture()) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(() -> t.send(List.of(event()), Duration.ofSeconds(5))).isInstanceOf(TransportException.class);
      }
      assertThat(logs.messages(Level.WARN)).hasSize(1).allSatisfy(m -> assertThat(m).contains("401")
          .contains("unknown token").doesNotContain("af_s3cret"));
    }
    assertThat(authorization.get()).isEqualTo("Bearer af_s3cret");
  }

  @Test
  void retryAfterIsRead() {
    answer.set(new Answer(503, "application/problem+json", "{\"type\":\"t\",\"status\":503}", "7"));
    assertThatThrownBy(() -> transport().send(List.of(event()), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(7)));
  }

  @Test
  void nonProblemErrorBodyStillClassifies() {
    answer.set(new Answer(503, "text/html", "<html>no upstream</html>", null));
    assertThatThrownBy(() -> transport().send(List.of(event()), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(TransportException.class, e -> {
          assertThat(e.retryable()).isTrue();
          assertThat(e.problem()).isEmpty();
          // Not auditflow's promise that nothing was written: a proxy may have forwarded it.
          assertThat(e.mayHaveBeenStored()).isTrue();
        });
  }

  @Test
  void connectionRefusedIsRetryableAndCertainlyNotStored() {
    int port = server.getAddress().getPort();
    server.stop(0);
    HttpBatchTransport t = new HttpBatchTransport(URI.create("http://127.0.0.1:" + port));
    assertThatThrownBy(() -> t.send(List.of(event()), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(TransportException.class, e -> {
          assertThat(e.retryable()).isTrue();
          assertThat(e.status()).isZero();
          assertThat(e.mayHaveBeenStored()).isFalse();
        });
  }

  @Test
  void aConnectionClosedAfterTheRequestWasReadLeavesTheOutcomeUnknown() throws Exception {
    // A server that reads the whole request, then closes without answering: it may have stored it.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread reader = new Thread(() -> {
        try (Socket s = silent.accept()) {
          readRequest(s.getInputStream());
        } catch (IOException ignored) {
          // the test fails on the client side if this goes wrong
        }
      });
      reader.start();
      HttpBatchTransport t = new HttpBatchTransport(URI.create("http://127.0.0.1:" + silent.getLocalPort()));
      assertThatThrownBy(() -> t.send(List.of(event()), Duration.ofSeconds(5)))
          .isInstanceOfSatisfying(TransportException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.status()).isZero();
            assertThat(e.mayHaveBeenStored()).isTrue();
          });
      reader.join();
    }
  }

  @Test
  void aTimeoutAfterSendingLeavesTheOutcomeUnknown() throws Exception {
    try (ServerSocket slow = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread reader = new Thread(() -> {
        try (Socket s = slow.accept()) {
          readRequest(s.getInputStream());
          Thread.sleep(2_000); // never answers within the request timeout
        } catch (IOException | InterruptedException ignored) {
          // the client has given up by now
        }
      });
      reader.start();
      HttpBatchTransport t = new HttpBatchTransport(URI.create("http://127.0.0.1:" + slow.getLocalPort()));
      assertThatThrownBy(() -> t.send(List.of(event()), Duration.ofMillis(300)))
          .isInstanceOfSatisfying(TransportException.class, e -> assertThat(e.mayHaveBeenStored()).isTrue());
      reader.join();
    }
  }

  /** Reads one HTTP/1.1 request with a Content-Length body. */
  private static void readRequest(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("request ended early");
      }
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    in.readNBytes(length);
  }

  @Test
  void warmUpOpensTheConnectionTheFirstBatchThenUses() throws Exception {
    answer.set(new Answer(201, "application/json", "{\"event_ids\":[],\"created\":1,\"duplicates\":0}", null));
    HttpBatchTransport transport = transport();

    transport.warmUp();
    transport.send(List.of(event()), Duration.ofSeconds(5));

    assertThat(readinessClientPort.get()).as("the warm-up asked /readyz").isNotNull();
    assertThat(batchClientPort.get()).as("the batch came over the warm-up's kept-alive connection")
        .isEqualTo(readinessClientPort.get());
  }

  @Test
  void warmUpWithoutAServerReturnsQuietly() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    HttpBatchTransport transport = new HttpBatchTransport(URI.create("http://127.0.0.1:" + closedPort));

    long start = System.nanoTime();
    // Neither throws nor waits for a timeout (a refused connection is an immediate answer); the
    // first batch is what reports the outage.
    assertThatCode(transport::warmUp).doesNotThrowAnyException();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aRefusedConnectionIsNotSentAndSaysSoWithTheUrl() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    HttpBatchTransport transport = new HttpBatchTransport(URI.create("http://127.0.0.1:" + closedPort));

    assertThatThrownBy(() -> transport.send(List.of(event()), Duration.ofSeconds(5)))
        .isInstanceOfSatisfying(TransportException.class, e -> {
          assertThat(e.mayHaveBeenStored()).as("a refused connection cannot have stored anything").isFalse();
          assertThat(e.getMessage()).containsIgnoringCase("connection refused")
              .contains("http://127.0.0.1:" + closedPort + "/api/v1/audit/events/batch")
              .doesNotContain("null");
        });
  }
}
