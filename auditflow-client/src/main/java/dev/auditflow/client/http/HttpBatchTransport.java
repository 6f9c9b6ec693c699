package dev.auditflow.client.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.auditflow.api.AuditEvent;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Problem;
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
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Delivers batches with {@code POST /api/v1/audit/events/batch}: a JSON array in, {@code 201
 * {event_ids, created, duplicates, status}} out ({@code status} {@code "queued"} when the server
 * parked the batch in its dead-letter queue; older servers answered that with 202), an RFC 7807
 * problem on errors. One {@link HttpClient} (HTTP/1.1, keep-alive) is shared by all sender threads.
 */
public final class HttpBatchTransport implements BatchTransport {
  static final String BATCH_PATH = "/api/v1/audit/events/batch";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);

  private final URI batchUri;
  private final HttpClient client;
  private final ObjectMapper mapper = AuditEventJson.mapper();

  /** @param baseUrl the server's base URL, e.g. {@code http://localhost:8080} */
  public HttpBatchTransport(URI baseUrl) {
    String base = baseUrl.toString().replaceAll("/+$", "");
    this.batchUri = URI.create(base + BATCH_PATH);
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
  }

  @Override
  public BatchAck send(List<AuditEvent> batch, Duration timeout) throws TransportException, InterruptedException {
    HttpResponse<byte[]> response;
    try {
      HttpRequest request =
          HttpRequest.newBuilder(batchUri)
              .timeout(timeout)
              .header("Content-Type", "application/json")
              .header("Accept", "application/json, application/problem+json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(batch)))
              .build();
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      String message = e.getClass().getSimpleName() + ": " + e.getMessage() + " (" + batchUri + ")";
      throw neverSent(e) ? TransportException.notSent(message, e) : TransportException.noAnswer(message, e);
    }
    int status = response.statusCode();
    if (status == 201 || status == 200) {
      JsonNode body = readJson(response.body());
      return new BatchAck(body.path("created").asInt(), body.path("duplicates").asInt(),
          "queued".equals(body.path("status").asText()));
    }
    if (status == 202) {
      return new BatchAck(0, 0, true);
    }
    throw TransportException.http(status, problem(response).orElse(null), retryAfter(response).orElse(null));
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
