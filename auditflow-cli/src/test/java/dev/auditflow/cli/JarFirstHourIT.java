package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.EventJson;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first hour, as a new user met it, by the exact commands of the issue that reported it: every
 * failure one line (and a hint), the token found where serve left it, {@code load} that fails
 * fast and always prints its summary, misspelt event fields refused.
 */
class JarFirstHourIT {
  private static final Duration RUN = Duration.ofSeconds(60);
  private static Path work;
  private static String db;
  private static JarProcess server;
  private static URI base;
  private static String admin;

  @BeforeAll
  static void serve() throws Exception {
    work = Files.createTempDirectory("auditflow-jar-first-hour");
    db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    base = URI.create("http://localhost:" + port);
    server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db).start();
    server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
    admin = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
  }

  @AfterAll
  static void stop() throws Exception {
    server.terminate(RUN);
    TestDatabase.drop(db);
  }

  /** A command in {@code dir} with no AUDITFLOW_TOKEN, as in a fresh shell. */
  private static JarProcess fresh(Path dir, String... args) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("AUDITFLOW_TOKEN", null);
    return JarProcess.of(dir, env, args);
  }

  /** One line of what went wrong, at most one more of what to do, and no stack trace. */
  private static void assertOneLine(JarProcess p, String... contains) {
    String out = p.output().strip();
    assertThat(out.lines().count()).as(out).isBetween(1L, 2L);
    assertThat(out).contains(contains).doesNotContain("\tat ").doesNotContain("Exception");
  }

  @Test
  void aTokenCommandInAFreshShellSaysWhatItNeedsOrUsesTheAdminTokenServeWrote() throws Exception {
    Path elsewhere = Files.createTempDirectory("auditflow-fresh-shell");
    JarProcess noToken = fresh(elsewhere, "token", "list", "--url", base.toString());
    assertThat(noToken.run(RUN)).isEqualTo(2);
    assertOneLine(noToken, "auditflow token list: an admin token is needed", "AUDITFLOW_TOKEN", "admin.token");

    JarProcess here = fresh(work, "token", "list", "--url", base.toString());
    assertThat(here.run(RUN)).as(here.output()).isZero();
    assertThat(here.output()).contains("using the admin token in ./auditflow-data/admin.token").contains("\"name\" : \"admin\"");
    JarProcess verify = fresh(work, "verify", "--url", base.toString(), "--since", "1h");
    assertThat(verify.run(RUN)).as("the API's time forms: " + verify.output()).isZero();
    assertThat(verify.output()).contains("verified:");
  }

  @Test
  void refusalsAreOneLineWithTheStatusAndWhatToDo() throws Exception {
    Map<String, String> badToken = Map.of("AUDITFLOW_TOKEN", "af_not-a-token");
    for (String[] command : new String[][] {{"verify", "--correlation-id", "x"}, {"purge", "--dry-run"},
        {"export", "--out", work.resolve("x.ndjson").toString()}}) {
      String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command),
          java.util.stream.Stream.of("--url", base.toString())).toArray(String[]::new);
      JarProcess p = JarProcess.of(work, badToken, args);
      assertThat(p.run(RUN)).as(p.output()).isEqualTo(2);
      assertOneLine(p, "auditflow " + command[0] + ":", "401: no or unknown token", "set AUDITFLOW_TOKEN");
    }
    int closed = freePort();
    JarProcess down = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "export", "--url",
        "http://127.0.0.1:" + closed, "--out", work.resolve("y.ndjson").toString());
    assertThat(down.run(RUN)).isEqualTo(2);
    assertOneLine(down, "cannot reach http://127.0.0.1:" + closed + ": connection refused", "auditflow serve");
    assertThat(work.resolve("y.ndjson")).doesNotExist();
  }

  @Test
  void aBadOptionValueIsOneLineAndWhereTheHelpIs() throws Exception {
    JarProcess p = JarProcess.of(work, "load", "--threads", "many");
    assertThat(p.run(RUN)).isEqualTo(2);
    assertThat(p.output().strip().lines().count()).as(p.output()).isEqualTo(2);
    assertThat(p.output()).contains("--threads").contains("see 'auditflow load --help'");
  }

  @Test
  void serveNamesWhatStopsItInOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      long started = System.nanoTime();
      JarProcess p = JarProcess.of(work, "serve", "--port", Integer.toString(taken.getLocalPort()),
          "--data-dir", work.resolve("never-made").toString());
      assertThat(p.run(RUN)).isEqualTo(2);
      assertOneLine(p, "--port " + taken.getLocalPort(), "is in use");
      assertThat(Duration.ofNanos(System.nanoTime() - started)).as("before any database is started")
          .isLessThan(Duration.ofSeconds(10));
      assertThat(work.resolve("never-made")).doesNotExist();
    }
    Path file = Files.writeString(work.resolve("a-file"), "not a directory");
    JarProcess onAFile = JarProcess.of(work, "serve", "--port", Integer.toString(freePort()), "--data-dir",
        file.toString());
    assertThat(onAFile.run(RUN)).isEqualTo(2);
    assertOneLine(onAFile, "--data-dir " + file, "is a file, not a directory");
    JarProcess badCompat = JarProcess.of(work, "serve", "--port", Integer.toString(freePort()), "--compat", "kubenaut",
        "--data-dir", work.resolve("never-made").toString());
    assertThat(badCompat.run(RUN)).isEqualTo(2);
    assertOneLine(badCompat, "--compat must be kubernaut or auditflow, was \"kubenaut\"");
    assertThat(work.resolve("never-made")).doesNotExist();
  }

  @Test
  void loadFailsFastWithoutATokenAndAlwaysPrintsItsSummary() throws Exception {
    long started = System.nanoTime();
    JarProcess noToken = fresh(Files.createTempDirectory("auditflow-no-token"), "load", "--url", base.toString(),
        "--threads", "2", "--events-per-thread", "5");
    assertThat(noToken.run(RUN)).isEqualTo(2);
    assertOneLine(noToken, "pre-flight check", "401: no or unknown token");
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));

    // A server of its own, stopped mid-run: the summary is printed all the same, and says what is unknown.
    int port = RedisServerProcess.freePort();
    URI own = URI.create("http://127.0.0.1:" + port);
    Path dir = Files.createTempDirectory("auditflow-load-stop");
    String ownDb = TestDatabase.create();
    JarProcess target = JarProcess.of(dir, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", ownDb).start();
    try {
      target.awaitHttp200(own, "/health/ready", Duration.ofMinutes(2));
      String token = Files.readString(dir.resolve("auditflow-data/admin.token")).trim();
      JarProcess load = JarProcess.of(dir, Map.of("AUDITFLOW_TOKEN", token), "load", "--url", own.toString(),
          "--threads", "2", "--rate", "100", "--duration", "6s", "--delivery-timeout", "3s", "--request-timeout", "1s",
          "--verify", "--json").start();
      // Stopped once the run is under way (past its pre-flight check, events stored), not after a
      // guessed time: a loaded machine can take longer than that to start the load's JVM.
      JarApi api = new JarApi(own, token);
      Awaitility.await("the load stored events").atMost(Duration.ofMinutes(1)).until(() -> AuditEventJson.mapper()
          .readTree(api.call("GET", "/api/v1/audit/events/count?exclude_category=auditflow", null).body())
          .get("count").asLong() > 0);
      target.terminate(RUN);
      assertThat(load.finish(Duration.ofMinutes(2))).as(load.output()).isEqualTo(2);
      JsonNode report = AuditEventJson.mapper().readTree(load.output().lines().filter(l -> l.startsWith("{"))
          .reduce((a, b) -> b).orElseThrow(() -> new AssertionError("no JSON summary in:\n" + load.output())));
      assertThat(report.get("verification_error").asText()).contains("cannot reach");
      assertThat(report.get("stored").isNull()).isTrue();
      assertThat(report.get("failed").asLong() + report.get("unknown").asLong()).as("reported, not silent").isPositive();
      assertThat(report.get("lost_unreported").asLong()).isZero();
    } finally {
      target.close();
      TestDatabase.drop(ownDb);
    }
  }

  /** "severty":"critical","actor":"alice" was stored as severity info, the fields dropped. */
  @Test
  void misspeltEventFieldsAreRefusedNamingTheIntendedOne() throws Exception {
    var event = EventJson.valid("first-hour-typo");
    event.put("severty", "critical").put("actor", "alice");
    HttpResponse<String> r = new JarApi(base, admin).call("POST", "/api/v1/audit/events", event.toString());
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode problem = AuditEventJson.mapper().readTree(r.body());
    assertThat(problem.get("field_errors").get("severty").asText()).contains("did you mean severity?");
    assertThat(problem.get("field_errors").has("actor")).isTrue();
  }

  @Test
  void theLogCommandsTakeTheKeyFromTheServerOnTrustAndSayWhenNothingGrew() throws Exception {
    Path checkpoint = work.resolve("witness.checkpoint");
    Map<String, String> env = Map.of("AUDITFLOW_TOKEN", admin);
    JarProcess first = JarProcess.of(work, env, "log", "verify", "--url", base.toString(), "--checkpoint",
        checkpoint.toString(), "--key-from-server");
    assertThat(first.run(RUN)).as(first.output()).isZero();
    assertThat(first.output()).contains("TRUST ON FIRST USE").contains("--key 'auditflow.log/");
    String key = first.output().lines().filter(l -> l.contains("--key '")).findFirst().orElseThrow()
        .replaceAll(".*--key '([^']+)'.*", "$1");
    JarProcess again = JarProcess.of(work, env, "log", "verify", "--url", base.toString(), "--checkpoint",
        checkpoint.toString(), "--key", key);
    assertThat(again.run(RUN)).as(again.output()).isZero();
    assertThat(again.output()).containsPattern("CONSISTENT: .*( unchanged at | grew from )");
    // Reading the log appends nothing to it, so once the earlier tests' events are integrated and
    // signed, a run against the checkpoint the last one stored says the log did not move.
    Awaitility.await("log verify says the log is unchanged").atMost(Duration.ofSeconds(60)).until(() -> {
      JarProcess still = JarProcess.of(work, env, "log", "verify", "--url", base.toString(), "--checkpoint",
          checkpoint.toString(), "--key", key);
      assertThat(still.run(RUN)).as(still.output()).isZero();
      return still.output().matches("(?s).*CONSISTENT: .* unchanged at \\d+ leaves.*");
    });
    JarProcess badKey = JarProcess.of(work, env, "log", "verify", "--url", base.toString(), "--checkpoint",
        checkpoint.toString(), "--key", "not-a-key");
    assertThat(badKey.run(RUN)).isEqualTo(2);
    assertOneLine(badKey, "--key is not a verifier key");
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
