package dev.auditflow.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.server.AuditServer;
import dev.auditflow.server.ServerConfig;
import dev.auditflow.server.auth.AuthSettings;
import dev.auditflow.server.auth.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A running server on a fresh database, with a small HTTP client for tests. Either started at
 * once ({@link #start}, for try-with-resources) or once per test class as a JUnit extension:
 * {@code @RegisterExtension static final ServerFixture fx = ServerFixture.perClass();}.
 */
public final class ServerFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  private final UnaryOperator<ServerConfig.Builder> customise;
  private final Clock clock;
  private AuditServer server;
  private String jdbcUrl;
  private boolean ownsDatabase = true;
  private String adminToken;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private ServerFixture(UnaryOperator<ServerConfig.Builder> customise, Clock clock) {
    this.customise = customise;
    this.clock = clock;
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
    ServerFixture fixture = new ServerFixture(customise, clock);
    fixture.open();
    return fixture;
  }

  /** A fixture JUnit starts before a test class's tests and stops after them. */
  public static ServerFixture perClass() {
    return perClass(UnaryOperator.identity(), Clock.systemUTC());
  }

  public static ServerFixture perClass(UnaryOperator<ServerConfig.Builder> customise) {
    return perClass(customise, Clock.systemUTC());
  }

  public static ServerFixture perClass(UnaryOperator<ServerConfig.Builder> customise, Clock clock) {
    return new ServerFixture(customise, clock);
  }

  /**
   * Starts on an existing database URL (e.g. one reached through a proxy); closing the fixture
   * stops the server but leaves that database alone.
   */
  public static ServerFixture onDatabase(String jdbcUrl, UnaryOperator<ServerConfig.Builder> customise) {
    ServerFixture fixture = new ServerFixture(customise, Clock.systemUTC());
    fixture.ownsDatabase = false;
    fixture.start(jdbcUrl);
    return fixture;
  }

  private void open() {
    start(TestDatabase.create());
  }

  private void start(String url) {
    jdbcUrl = url;
    Path tokenFile;
    try {
      tokenFile = Files.createTempDirectory("auditflow-fixture").resolve("admin.token");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // Authentication is on, as in production: the fixture calls with the first admin token.
    ServerConfig.Builder builder = ServerConfig.builder().host("127.0.0.1").port(0).jdbcUrl(jdbcUrl).poolSize(4)
        .auth(AuthSettings.tokens(tokenFile));
    server = AuditServer.start(customise.apply(builder).build(), clock);
    try {
      adminToken = Files.exists(tokenFile) ? Files.readString(tokenFile).trim()
          : server.apiTokens().create("fixture-admin", EnumSet.of(Role.ADMIN), null, "fixture").secret();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The admin token every request of this fixture carries (unless it says otherwise). */
  public String adminToken() {
    return adminToken;
  }

  /** A new API token with these roles. */
  public String token(Role... roles) {
    return server.apiTokens().create("test-" + UUID.randomUUID().toString().substring(0, 8),
        EnumSet.copyOf(List.of(roles)), null, "fixture").secret();
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    open();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
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

  /** Sends with the admin token. */
  public Response send(HttpRequest.Builder request) {
    return send(request, adminToken);
  }

  /** Sends with {@code token} as the bearer token, or with no credentials when it is null. */
  public Response send(HttpRequest.Builder request, String token) {
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
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
    if (ownsDatabase) {
      TestDatabase.drop(jdbcUrl);
    }
  }
}
