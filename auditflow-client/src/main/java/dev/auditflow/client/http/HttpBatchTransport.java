package dev.auditflow.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.EventOutcome;
import dev.auditflow.api.Problem;
import dev.auditflow.api.completeness.Declaration;
import dev.auditflow.client.BatchAck;
import dev.auditflow.client.BatchTransport;
import dev.auditflow.client.TransportException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers batches with {@code POST /api/v1/audit/events/batch}: a JSON array in, {@code 201
 * {event_ids, created, duplicates, status}} out ({@code status} {@code "queued"} when the server
 * parked the batch in its dead-letter queue — older servers answered that with 202 — and {@code
 * "accepted"} when Kafka holds it, docs/SCALE.md: both held durably, stored later), an RFC 7807
 * problem on errors. One {@link HttpClient} (HTTP/1.1, keep-alive) is shared by all sender threads.
 */
public final class HttpBatchTransport implements BatchTransport {
  static final String BATCH_PATH = "/api/v1/audit/events/batch";
  /** Open without credentials on auditflow and on Kubernaut's Data Storage alike. */
  static final String READINESS_PATH = "/readyz";
  private static final Duration WARM_UP_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private static final Logger log = LoggerFactory.getLogger("dev.auditflow.client.AuditStore");

  private final URI batchUri;
  private final URI readinessUri;
  private final HttpClient client;
  private final BearerToken credentials;
  private final ObjectMapper mapper = AuditEventJson.mapper();
  /** The refusal last reported, so that a refused credential is logged once, not per batch. */
  private final AtomicReference<String> reportedRefusal = new AtomicReference<>();

  /** @param baseUrl the server's base URL, e.g. {@code http://localhost:8080} */
  public HttpBatchTransport(URI baseUrl) {
    this(baseUrl, BearerToken.none(), null);
  }

  /**
   * @param credentials sent with every request
   * @param tls the TLS context for {@code https} URLs, or null for the JVM's default trust
   */
  public HttpBatchTransport(URI baseUrl, BearerToken credentials, SSLContext tls) {
    String base = baseUrl.toString().replaceAll("/+$", "");
    this.batchUri = URI.create(base + BATCH_PATH);
    this.readinessUri = URI.create(base + READINESS_PATH);
    this.credentials = credentials;
    HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT);
    if (tls != null) {
      builder.sslContext(tls);
    }
    this.client = builder.build();
  }

  @Override
  public BatchAck send(List<AuditEvent> batch, Duration timeout) throws TransportException, InterruptedException {
    return send(batch, 0, timeout);
  }

  @Override
  public BatchAck send(List<AuditEvent> batch, long issued, Duration timeout)
      throws TransportException, InterruptedException {
    HttpResponse<byte[]> response;
    try {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(batchUri)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, application/problem+json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(batch)));
      credentials.current().ifPresent(token -> request.header("Authorization", "Bearer " + token));
      if (issued > 0) {
        request.header(Declaration.ISSUED_HEADER, Long.toString(issued));
      }
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      String message = describe(e) + " (" + batchUri + ")";
      throw neverSent(e) ? TransportException.notSent(message, e) : TransportException.noAnswer(message, e);
    }
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      Problem problem = problem(response).orElse(null);
      String refusal = status + " " + (problem == null ? "" : problem.detail());
      if (!refusal.equals(reportedRefusal.getAndSet(refusal))) {
        log.warn("the server refused the credentials status={} detail=\"{}\" credentials={}; retrying (they may be"
            + " rotating)", status, problem == null ? "" : problem.detail(), credentials);
      }
      throw TransportException.http(status, problem, retryAfter(response).orElse(null));
    }
    reportedRefusal.set(null);
    if (status == 201 || status == 200) {
      JsonNode body = readJson(response.body());
      String answered = body.path("status").asText();
      return new BatchAck(body.path("created").asInt(), body.path("duplicates").asInt(),
          "queued".equals(answered) || "accepted".equals(answered));
    }
    if (status == 202) {
      return new BatchAck(0, 0, true);
    }
    throw TransportException.http(status, problem(response).orElse(null), retryAfter(response).orElse(null));
  }

  /**
   * Serialises a sample batch and reads a sample answer (Jackson builds its serialisers on first
   * use), then asks the server's readiness endpoint, which loads the HTTP client's code and leaves
   * a kept-alive connection for the first batch. Failures only mean the first send does this work.
   */
  @Override
  public void warmUp() {
    try {
      AuditEvent sample = AuditEvent.builder().eventType("auditflow.client.warm_up").eventTimestamp(Instant.now())
          .eventCategory("auditflow").eventAction("warm_up").eventOutcome(EventOutcome.SUCCESS)
          .correlationId("warm-up").eventData(Map.of("n", 1)).build();
      mapper.writeValueAsBytes(List.of(sample));
      readJson("{\"event_ids\":[],\"created\":0,\"duplicates\":0}".getBytes(StandardCharsets.UTF_8));
      HttpRequest request = HttpRequest.newBuilder(readinessUri).timeout(WARM_UP_TIMEOUT).GET().build();
      client.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException | RuntimeException e) {
      log.debug("warm-up request failed ({}); the first batch will open the connection", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * True when the failure happened while connecting, so the request cannot have reached the
   * server. Any other I/O failure (a timeout or reset after the request was written) leaves the
   * outcome unknown.
   */
  static boolean neverSent(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException
          || t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
        return true;
      }
    }
    return false;
  }

  /**
   * What went wrong, in the words of the first cause that has any. The JDK's client reports a
   * refused connection as a {@code ConnectException} with no message anywhere in its chain (a
   * connect timeout is its own type), so that one is named here.
   */
  static String describe(IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        return t.getClass().getSimpleName() + ": " + t.getMessage();
      }
    }
    return e instanceof ConnectException ? "ConnectException: connection refused" : e.getClass().getSimpleName();
  }

  private JsonNode readJson(byte[] body) {
    try {
      return mapper.readTree(body);
    } catch (IOException e) {
      // The batch was committed (2xx); an unreadable body only costs us the counts.
      return mapper.createObjectNode();
    }
  }

  private Optional<Problem> problem(HttpResponse<byte[]> response) {
    try {
      return Optional.of(mapper.readValue(response.body(), Problem.class));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(value -> {
      try {
        return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
      } catch (NumberFormatException e) {
        return Optional.empty(); // an HTTP-date; our server never sends one
      }
    });
  }

  @Override
  public String toString() {
    return "http(" + batchUri + ")";
  }
}
