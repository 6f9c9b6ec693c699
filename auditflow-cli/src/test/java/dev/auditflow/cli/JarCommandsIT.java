package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.api.Timestamps;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestRedis;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/**
 * Every command and option of the built {@code auditflow.jar}, run as a child process the way the
 * README runs it, and observed only through its exit code, its output and the network.
 */
class JarCommandsIT {
  private static final Duration START = Duration.ofMinutes(2);
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The bearer token of the current test's requests (authentication is on, as by default). */
  private String token;

  private HttpRequest.Builder request(URI base, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
    return token == null ? b : b.header("Authorization", "Bearer " + token);
  }

  private HttpResponse<String> get(URI base, String path) throws Exception {
    return http.send(request(base, path).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(URI base, String path, String json) throws Exception {
    return http.send(request(base, path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The first admin token a server wrote into its data directory at first start. */
  private static String adminToken(Path dataDir) throws Exception {
    return Files.readString(dataDir.resolve("admin.token")).trim();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return AuditEventJson.mapper().readTree(r.body());
  }

  private static Path workDir() throws Exception {
    return Files.createTempDirectory("auditflow-jar-it");
  }

  @Test
  void everyCommandPrintsHelpListingEveryOption() throws Exception {
    Map<String, CommandLine> commands = new java.util.LinkedHashMap<>();
    collect("", Main.commandLine(), commands);
    assertThat(commands).containsKeys("", "serve", "verify", "load", "token", "token create", "token list", "token revoke",
        "purge", "export", "verify-export", "log", "log verify", "log prove");
    for (var entry : commands.entrySet()) {
      String name = entry.getKey();
      List<String> args = new ArrayList<>(name.isEmpty() ? List.of() : List.of(name.split(" ")));
      args.add("--help");
      JarProcess help = JarProcess.of(workDir(), args.toArray(String[]::new));
      assertThat(help.run(Duration.ofSeconds(60))).as(help.output()).isZero();
      assertThat(help.output()).contains("Usage: auditflow" + (name.isEmpty() ? "" : " " + name));
      for (OptionSpec option : entry.getValue().getCommandSpec().options()) {
        assertThat(help.output()).as("auditflow %s --help lists %s", name, option.longestName())
            .contains(option.longestName());
      }
    }
    JarProcess version = JarProcess.of(workDir(), "--version");
    assertThat(version.run(Duration.ofSeconds(60))).isZero();
    assertThat(version.output()).startsWith("auditflow ");
  }

  private static void collect(String prefix, CommandLine command, Map<String, CommandLine> into) {
    into.put(prefix, command);
    command.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help")) {
        collect(prefix.isEmpty() ? name : prefix + " " + name, sub, into);
      }
    });
  }

  @Test
  void theReadmeFlowOnTheEmbeddedDatabase() throws Exception {
    Path dir = workDir();
    int port = RedisServerProcess.freePort();
    int pgPort = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    String[] serve = {"serve", "--port", Integer.toString(port), "--embedded-port", Integer.toString(pgPort)};
    ObjectNode event = EventJson.valid("order-4711");
    try (JarProcess server = JarProcess.of(dir, serve).start()) {
      server.awaitHttp200(base, "/health/ready", START);
      assertThat(dir.resolve("auditflow-data")).as("the default data directory, under the working directory").isDirectory();
      // Authentication is on by default: the first admin token is in the data directory, readable by its owner only.
      Path tokenFile = dir.resolve("auditflow-data").resolve("admin.token");
      assertThat(Files.getPosixFilePermissions(tokenFile))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      token = null;
      HttpResponse<String> anonymous = post(base, "/api/v1/audit/events", event.toString());
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      String admin = adminToken(dir.resolve("auditflow-data"));
      token = admin;
      Map<String, String> env = Map.of("AUDITFLOW_TOKEN", admin);

      HttpResponse<String> created = post(base, "/api/v1/audit/events", event.toString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      assertThat(json(get(base, "/api/v1/audit/events/count?correlation_id=order-4711")).get("count").asLong())
          .isEqualTo(1);

      JarProcess verify = JarProcess.of(dir, env, "verify", "--url", base.toString(), "--correlation-id", "order-4711");
      assertThat(verify.run(Duration.ofSeconds(60))).as(verify.output()).isZero();
      assertThat(verify.output()).contains("verified: 1 events in 1 chains");
      Instant now = Instant.now();
      JarProcess range = JarProcess.of(dir, env, "verify", "--url", base.toString(),
          "--since", Timestamps.format(now.minusSeconds(3600)), "--until", Timestamps.format(now.plusSeconds(60)));
      assertThat(range.run(Duration.ofSeconds(60))).as(range.output()).isZero();

      JarProcess load = JarProcess.of(dir, env, "load", "--url", base.toString(), "--threads", "10", "--events-per-thread",
          "20", "--rate", "0", "--buffer-size", "100", "--batch-size", "10", "--flush-interval", "200ms",
          "--overflow", "block", "--overflow-timeout", "30s", "--payload-bytes", "200", "--request-timeout", "5s",
          "--delivery-timeout", "1m", "--verify", "--json", "--histogram", dir.resolve("latency.png").toString());
      assertThat(load.run(Duration.ofMinutes(2))).as(load.output()).isZero();
      JsonNode report = AuditEventJson.mapper().readTree(load.output().lines()
          .filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
      assertThat(report.get("attempted").asLong()).isEqualTo(200);
      assertThat(report.get("stored").asLong()).isEqualTo(200);
      assertThat(report.get("unknown").asLong()).isZero();
      assertThat(report.get("lost_unreported").asLong()).isZero();
      assertThat(report.get("reported_lost_but_stored").asLong()).isZero();
      assertThat(Files.size(dir.resolve("latency.png"))).isPositive();

      // The embedded database takes no one without a password (hardening finding 1); its superuser's is
      // in the data directory, where only the service's user can read it. Tamper as that user could;
      // the jar's verify names the break and exits 1.
      String superuser = "jdbc:postgresql://127.0.0.1:" + pgPort + "/auditflow?user=postgres";
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> DriverManager.getConnection(superuser).close())
          .hasMessageContaining("password");
      String password = Files.readString(dir.resolve("auditflow-data").resolve("postgres-superuser.password")).strip();
      try (Connection c = DriverManager.getConnection(superuser + "&password=" + password);
          Statement s = c.createStatement()) {
        s.execute("SET session_replication_role = replica");
        s.execute("UPDATE audit_events SET event_type = 'forged' WHERE event_id = '" + event.get("event_id").asText() + "'");
      }
      JarProcess broken = JarProcess.of(dir, env, "verify", "--url", base.toString(), "--correlation-id", "order-4711");
      assertThat(broken.run(Duration.ofSeconds(60))).as(broken.output()).isEqualTo(1);
      assertThat(broken.output()).contains("NOT VERIFIED: modified_content in chain order-4711 at position 1");

      assertThat(server.terminate(Duration.ofSeconds(60))).as("SIGTERM is a clean exit").isIn(0, 143);
      String log = server.output();
      assertThat(log).containsSubsequence("shutdown requested", "auditflow server stopped", "embedded PostgreSQL stopped");
      assertThat(log).contains("first admin token created").contains(tokenFile.toString()).doesNotContain(admin);
    }
    // The data survives a restart on the same directory.
    try (JarProcess again = JarProcess.of(dir, serve).start()) {
      again.awaitHttp200(base, "/health/ready", START);
      assertThat(json(get(base, "/api/v1/audit/events/count?correlation_id=order-4711")).get("count").asLong())
          .isEqualTo(1);
      assertThat(again.terminate(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(again.output()).as("a restart names the schema it found, not null")
          .containsPattern("database ready migrations_applied=0 schema_version=\\d+");
    }
    JarProcess unreachable = JarProcess.of(dir, Map.of("AUDITFLOW_TOKEN", token), "verify", "--url", base.toString(),
        "--correlation-id", "order-4711");
    assertThat(unreachable.run(Duration.ofSeconds(60))).as("no server: an error, not a verdict").isEqualTo(2);
  }

  @Test
  void serveWithItsOwnDataDirectoryAndAChainKeyAndALoadOfFixedDuration() throws Exception {
    Path dir = workDir();
    Path key = dir.resolve("chain.key");
    Files.write(key, "0123456789abcdef0123456789abcdef-a-chain-key".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    try (JarProcess server = JarProcess.of(dir, "serve", "--port", Integer.toString(port), "--data-dir",
        dir.resolve("elsewhere").toString(), "--chain-key-file", key.toString()).start()) {
      server.awaitHttp200(base, "/health/ready", START);
      assertThat(dir.resolve("elsewhere").resolve("pgdata")).isDirectory();
      assertThat(dir.resolve("auditflow-data")).doesNotExist();
      token = adminToken(dir.resolve("elsewhere"));
      JarProcess load = JarProcess.of(dir, "load", "--url", base.toString(), "--token", token, "--threads", "2",
          "--duration", "2s", "--rate", "20", "--verify", "--json");
      assertThat(load.run(Duration.ofMinutes(2))).as(load.output()).isZero();
      JsonNode report = AuditEventJson.mapper().readTree(load.output().lines()
          .filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow());
      // About 20 events/s for 2 s: a rate and a duration, not a fixed count.
      assertThat(report.get("attempted").asLong()).isBetween(30L, 50L);
      assertThat(report.get("stored").asLong()).isEqualTo(report.get("attempted").asLong());
      JsonNode page = json(get(base, "/api/v1/audit/events?limit=1"));
      assertThat(page.get("data").get(0).get("hash_algorithm").asText()).as("keyed with the chain key").isEqualTo("hmac-sha256");
      Instant now = Instant.now();
      JarProcess verify = JarProcess.of(dir, Map.of("AUDITFLOW_TOKEN", token), "verify", "--url", base.toString(),
          "--since", Timestamps.format(now.minusSeconds(600)), "--until", Timestamps.format(now.plusSeconds(60)));
      assertThat(verify.run(Duration.ofSeconds(60))).as(verify.output()).isZero();
      assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(server.output()).as("the key never reaches the log").doesNotContain("a-chain-key");
    }
  }

  @Test
  void serveWithAnExternalDatabaseAndTheDeadLetterQueueRidesOutAnOutage() throws Exception {
    Path pgDir = Files.createTempDirectory("auditflow-jar-pg");
    int pgPort = RedisServerProcess.freePort();
    EmbeddedPostgres pg = postgres(pgDir, pgPort);
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    String secret = "s3cret-" + Long.toHexString(System.nanoTime());
    String databaseUrl = "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres?user=postgres&password=" + secret;
    String key = TestRedis.uniqueKey("jar-it");
    List<ObjectNode> events = new ArrayList<>();
    // The database URL from the environment, as a deployment passes secrets; the rest as options.
    Path work = workDir();
    try (JarProcess server = JarProcess.of(work, Map.of("AUDITFLOW_LOG_LEVEL", "DEBUG",
        "AUDITFLOW_DATABASE_URL", databaseUrl), "serve", "--host",
        "127.0.0.1", "--port", Integer.toString(port), "--redis-url", TestRedis.url(),
        "--dlq-key", key, "--dlq-max-attempts", "3", "--pool-size", "2", "--statement-timeout", "5s",
        "--drain-timeout", "5s", "--max-body-bytes", "1048576", "--max-batch-size", "100", "--max-future-skew", "10m",
        "--max-event-age", "7d").start()) {
      server.awaitHttp200(base, "/health/ready", START);
      await().atMost(START).pollInterval(Duration.ofMillis(100))
          .until(() -> "up".equals(json(get(base, "/health/ready")).path("dlq").asText()));
      token = adminToken(work.resolve("auditflow-data"));

      pg.close();
      for (int i = 0; i < 5; i++) {
        ObjectNode batch = EventJson.valid("jar-dlq");
        events.add(batch);
        HttpResponse<String> r = post(base, "/api/v1/audit/events/batch", EventJson.array(batch).toString());
        assertThat(r.statusCode()).as("queued while PostgreSQL is down: " + r.body()).isEqualTo(201);
        assertThat(json(r).get("status").asText()).isEqualTo("queued");
      }
      // The same events again, as a client that never saw the answer would: stored once all the same.
      assertThat(post(base, "/api/v1/audit/events/batch", EventJson.array(events.get(0)).toString()).statusCode())
          .isEqualTo(201);
      assertThat(json(get(base, "/health/ready")).get("status").asText()).isEqualTo("DEGRADED");
      assertThat(json(get(base, "/api/v1/admin/dlq")).get("depth").asLong()).isEqualTo(6);

      pg = postgres(pgDir, pgPort);
      await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200))
          .until(() -> json(get(base, "/api/v1/admin/dlq")).get("depth").asLong() == 0);
      assertThat(json(get(base, "/api/v1/audit/events/count?correlation_id=jar-dlq")).get("count").asLong())
          .isEqualTo(5);
      assertThat(server.terminate(Duration.ofSeconds(60))).isIn(0, 143);
      assertThat(server.output()).as("the database password never reaches the log").doesNotContain(secret)
          .as("nor a token").doesNotContain(token).contains("dlq connected");
    } finally {
      pg.close();
    }
  }

  private static EmbeddedPostgres postgres(Path dir, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(dir).setCleanDataDirectory(false).setPort(port).start();
  }
}
