package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Pem;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestCertificates;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Authentication, tokens, TLS and the management port, through the built jar. */
class JarSecurityIT {
  private static final Duration START = Duration.ofMinutes(2);

  private static HttpResponse<String> call(HttpClient http, String method, URI uri, String token, String json)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (json != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String lastLine(String output) {
    return output.lines().filter(l -> l.startsWith("af_")).reduce((a, b) -> b).orElseThrow();
  }

  @Test
  void tokensAreCreatedListedAndRevokedWithTheTokenCommand() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-tokens");
    Path adminFile = work.resolve("secrets").resolve("admin.token");
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    HttpClient http = HttpClient.newHttpClient();
    String db = TestDatabase.create();
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--admin-token-file", adminFile.toString()).start()) {
      server.awaitHttp200(base, "/health/ready", START);
      JarProcess create = JarProcess.of(work, "token", "create", "--url", base.toString(), "--admin-token-file",
          adminFile.toString(), "--name", "gateway", "--role", "writer", "--expires-in-days", "30");
      assertThat(create.run(Duration.ofSeconds(60))).as(create.output()).isZero();
      String writer = lastLine(create.output());
      assertThat(writer).startsWith("af_").hasSizeGreaterThan(40);

      assertThat(call(http, "POST", base.resolve("/api/v1/audit/events"), writer, EventJson.valid("jar-tok").toString())
          .statusCode()).isEqualTo(201);
      assertThat(call(http, "GET", base.resolve("/api/v1/audit/events"), writer, null).statusCode())
          .as("a writer may not read").isEqualTo(403);

      String admin = Files.readString(adminFile).trim();
      JarProcess list = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "token", "list", "--url", base.toString());
      assertThat(list.run(Duration.ofSeconds(60))).as(list.output()).isZero();
      assertThat(list.output()).contains("\"name\" : \"gateway\"").doesNotContain(writer).doesNotContain(admin);
      JsonNode tokens = AuditEventJson.mapper().readTree(list.output().substring(list.output().indexOf('{')));
      String gatewayId = null;
      for (JsonNode t : tokens.get("data")) {
        if (t.get("name").asText().equals("gateway")) {
          gatewayId = t.get("token_id").asText();
          assertThat(t.get("expires_at").isNull()).isFalse();
        }
      }
      JarProcess revoke = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "token", "revoke", "--url",
          base.toString(), "--id", gatewayId);
      assertThat(revoke.run(Duration.ofSeconds(60))).as(revoke.output()).isZero();
      HttpResponse<String> revoked = call(http, "POST", base.resolve("/api/v1/audit/events"), writer,
          EventJson.valid("jar-tok").toString());
      assertThat(revoked.statusCode()).isEqualTo(401);
      assertThat(revoked.body()).contains("revoked");

      // Every submitted event names who submitted it; the producer cannot choose.
      JsonNode stored = AuditEventJson.mapper().readTree(call(http, "GET",
          base.resolve("/api/v1/audit/events?correlation_id=jar-tok"), admin, null).body());
      assertThat(stored.get("data").get(0).get("ingested_by").asText()).isEqualTo("token:gateway");
      assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(server.output()).doesNotContain(writer).doesNotContain(admin);
    } finally {
      TestDatabase.drop(db);
    }
  }

  @Test
  void authNoneIsAllowedAndLoud() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-noauth");
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    HttpClient http = HttpClient.newHttpClient();
    String db = TestDatabase.create();
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--auth", "none").start()) {
      server.awaitHttp200(base, "/health/ready", START);
      assertThat(server.output()).contains("WARN").contains("AUTHENTICATION IS OFF");
      JsonNode ready = AuditEventJson.mapper().readTree(call(http, "GET", base.resolve("/health/ready"), null, null).body());
      assertThat(ready.get("auth").asText()).isEqualTo("none");
      assertThat(call(http, "POST", base.resolve("/api/v1/audit/events"), null, EventJson.valid("jar-open").toString())
          .statusCode()).isEqualTo(201);
      assertThat(Files.exists(work.resolve("auditflow-data").resolve("admin.token"))).as("no token is made").isFalse();
    } finally {
      TestDatabase.drop(db);
    }
  }

  @Test
  void httpsWithACertificateMadeInTheTestAndAManagementPort() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-tls");
    TestCertificates certs = TestCertificates.create(work.resolve("tls"));
    int port = RedisServerProcess.freePort();
    int management = RedisServerProcess.freePort();
    URI base = URI.create("https://localhost:" + port);
    HttpClient https = HttpClient.newBuilder().sslContext(Pem.trusting(certs.certificate())).build();
    String db = TestDatabase.create();
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db, "--tls-cert", certs.certificate().toString(), "--tls-key", certs.privateKey().toString(),
        "--management-port", Integer.toString(management)).start()) {
      URI managementBase = URI.create("http://127.0.0.1:" + management);
      server.awaitHttp200(managementBase, "/health/ready", START);
      assertThat(call(https, "GET", base.resolve("/health/ready"), null, null).statusCode()).isEqualTo(200);
      String admin = Files.readString(work.resolve("auditflow-data").resolve("admin.token")).trim();
      assertThat(call(https, "POST", base.resolve("/api/v1/audit/events"), admin, EventJson.valid("jar-tls").toString())
          .statusCode()).isEqualTo(201);
      // The metrics are on the management port only.
      assertThat(call(HttpClient.newHttpClient(), "GET", managementBase.resolve("/metrics"), null, null).statusCode())
          .isEqualTo(200);
      assertThat(call(https, "GET", base.resolve("/metrics"), admin, null).statusCode()).isEqualTo(404);
      // Plain HTTP to the TLS port gets no answer that a client would take for an audit API.
      assertThat(plainHttpFails(port)).isTrue();

      JarProcess verify = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "verify", "--url", base.toString(),
          "--cacert", certs.certificate().toString(), "--correlation-id", "jar-tls");
      assertThat(verify.run(Duration.ofSeconds(60))).as(verify.output()).isZero();
      JarProcess load = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "load", "--url", base.toString(),
          "--cacert", certs.certificate().toString(), "--threads", "2", "--events-per-thread", "10", "--verify", "--json");
      assertThat(load.run(Duration.ofMinutes(2))).as(load.output()).isZero();
      JarProcess untrusted = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "verify", "--url", base.toString(),
          "--correlation-id", "jar-tls");
      assertThat(untrusted.run(Duration.ofSeconds(60))).as("a self-signed server is not trusted by default")
          .isEqualTo(2);
      assertThat(server.output()).contains("scheme=https");
    } finally {
      TestDatabase.drop(db);
    }
  }

  /**
   * Plain HTTP on the TLS port gets no resource: Jetty answers 400 without it, or closes the
   * connection — promptly, both ways (a timeout would be a hang, not a refusal).
   */
  private static boolean plainHttpFails(int port) throws InterruptedException {
    try {
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/health/ready")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 400 && !r.body().contains("\"status\"");
    } catch (java.net.http.HttpTimeoutException hang) {
      return false;
    } catch (java.io.IOException refused) {
      return true; // the connection closed: "EOF reached while reading", "Connection reset"
    }
  }

  /**
   * Hardening finding 15: secret files others can read refuse the start, with one line that names
   * the file and the fix — the admin token's file, the signing key and the chain key.
   */
  @Test
  void serveRefusesSecretFilesThatOthersCanRead() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-secrets");
    Path adminFile = work.resolve("admin.token");
    Path signingKey = work.resolve("signing.key");
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    String db = TestDatabase.create();
    String[] serve = {"serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--database-url", db,
        "--admin-token-file", adminFile.toString(), "--signing-key-file", signingKey.toString()};
    try (JarProcess server = JarProcess.of(work, serve).start()) {
      server.awaitHttp200(base, "/health/ready", START);
    }
    assertThat(Files.getPosixFilePermissions(adminFile)).isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));

    Files.setPosixFilePermissions(adminFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    assertRefused(work, serve, adminFile);
    Files.setPosixFilePermissions(adminFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Files.setPosixFilePermissions(signingKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
    assertRefused(work, serve, signingKey);
    Files.setPosixFilePermissions(signingKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    Path chainKey = work.resolve("chain.key");
    Files.writeString(chainKey, "0123456789abcdef0123456789abcdef-chain");
    Files.setPosixFilePermissions(chainKey, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    String[] withChainKey = java.util.stream.Stream.concat(java.util.Arrays.stream(serve),
        java.util.stream.Stream.of("--chain-key-file", chainKey.toString())).toArray(String[]::new);
    assertRefused(work, withChainKey, chainKey);
  }

  private static void assertRefused(Path work, String[] serve, Path file) throws Exception {
    JarProcess refused = JarProcess.of(work, serve);
    assertThat(refused.run(Duration.ofSeconds(90))).as(refused.output()).isEqualTo(2);
    assertThat(refused.output()).contains("auditflow serve: ").contains(file.toString()).contains("chmod 600 " + file)
        .doesNotContain("\tat ").doesNotContain("Exception");
  }
}
