package dev.auditflow.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A running server on a fresh database, with a small HTTP client for tests. */
public final class ServerFixture implements AutoCloseable {
  private final AuditServer server;
  private final String jdbcUrl;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServerFixture(AuditServer server, String jdbcUrl) {
    this.server = server;
    this.jdbcUrl = jdbcUrl;
  }

  public static ServerFixture start() {
    return start(UnaryOperator.identity());
  }

  /** Starts on port 0 with a fresh database; {@code customise} may change any other setting. */
  public static ServerFixture start(UnaryOperator<ServerConfig.Builder> customise) {
    return start(customise, Clock.systemUTC());
  }

  /** As {@link #start(UnaryOperator)}, with the clock the server validates against. */
  public static ServerFixture start(UnaryOperator<ServerConfig.Builder> customise, Clock clock) {
    String url = TestDatabase.create();
    ServerConfig.Builder builder = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(url).poolSize(4);
    return new ServerFixture(AuditServer.start(customise.apply(builder).build(), clock), url);
  }

  public AuditServer server() {
    return server;
  }

  public String jdbcUrl() {
    return jdbcUrl;
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  /** A response with its body parsed as JSON (null when not JSON). */
  public record Response(int status, String contentType, String body, HttpResponse<String> raw) {
    public JsonNode json() {
      try {
        return AuditEventJson.mapper().readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }
  }

  public Response get(String pathAndQuery) {
    return send(HttpRequest.newBuilder(baseUri().resolve(pathAndQuery)).GET());
  }

  public Response postJson(String path, String body) {
    return post(path, "application/json", body);
  }

  public Response post(String path, String contentType, String body) {
    return send(HttpRequest.newBuilder(baseUri().resolve(path))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  public Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> r = http.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(), r);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.close();
    TestDatabase.drop(jdbcUrl);
  }
}
