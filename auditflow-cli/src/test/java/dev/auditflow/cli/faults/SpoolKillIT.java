package dev.auditflow.cli.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A producer JVM SIGKILLed mid-burst on its spool, then started again on the same spool
 * (docs/COMPLETENESS.md): every event whose {@code store()} returned is stored (once: an id is), and
 * {@code auditflow completeness} finds the epoch fully accounted for — under both fsync policies.
 */
class SpoolKillIT {
  private static final int BURST = 20_000;
  private static Path work;
  private static String db;
  private static JarProcess server;
  private static URI base;
  private static String admin;

  @BeforeAll
  static void serve() throws Exception {
    work = Files.createTempDirectory("auditflow-spool-kill");
    db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    base = URI.create("http://127.0.0.1:" + port);
    server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port), "--database-url", db)
        .start();
    server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
    admin = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    TestDatabase.drop(db);
  }

  @Test
  void killedWithFsyncAlwaysNothingAcceptedIsLost() throws Exception {
    killAndResume("always", "kill-always");
  }

  @Test
  void killedWithFsyncEvery200msNothingAcceptedIsLostEither() throws Exception {
    killAndResume("interval:200", "kill-interval");
  }

  private void killAndResume(String fsync, String producer) throws Exception {
    Path spool = work.resolve("spool-" + producer);
    Path firstOut = work.resolve(producer + "-first.out");
    Process first = producer(spool, BURST, fsync, producer, firstOut);
    // Mid-burst: once a few thousand were accepted, and well before all were.
    await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(20))
        .until(() -> accepted(firstOut).size() >= 3_000);
    first.destroyForcibly(); // SIGKILL: no shutdown hook, no close
    assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
    Set<String> accepted = accepted(firstOut);
    assertThat(accepted).as("killed mid-burst").hasSizeLessThan(BURST);

    Path secondOut = work.resolve(producer + "-second.out");
    Process second = producer(spool, 0, fsync, producer, secondOut);
    assertThat(second.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(second.exitValue()).as(Files.readString(secondOut)).isZero();

    // An event_id is stored once (the server keeps ids for ever), so "stored" is "stored exactly once".
    Set<String> stored = storedIds("spool-kill-" + producer);
    assertThat(stored).as("every event whose store() returned is stored").containsAll(accepted);

    JarProcess completeness = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "completeness", "--url",
        base.toString(), "--producer", producer, "--json");
    assertThat(completeness.run(Duration.ofSeconds(60))).as(completeness.output()).isZero();
    String out = completeness.output();
    JsonNode epoch = AuditEventJson.mapper().readTree(out.substring(out.indexOf('{'), out.lastIndexOf('}') + 1))
        .get("epochs").get(0);
    assertThat(epoch.get("state").asText()).isEqualTo("closed");
    assertThat(epoch.get("stored").asLong()).isEqualTo(stored.size());
    assertThat(epoch.get("declared").path("unissued").asLong())
        .as("the numbers reserved past the last accepted one, and nothing else").isPositive();
    assertThat(epoch.get("missing").asLong()).isZero();
    System.out.printf("spool kill, fsync %s: %d accepted before SIGKILL, %d stored after the restart; epoch %s%n",
        fsync, accepted.size(), stored.size(), epoch);
  }

  private static Process producer(Path spool, int count, String fsync, String producer, Path out) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), SpoolProducerMain.class.getName(),
        base.toString(), admin, spool.toString(), Integer.toString(count), fsync, producer)
        .redirectErrorStream(true).redirectOutput(out.toFile()).start();
  }

  /** The ids a producer printed as accepted; a line cut by the kill is not one. */
  private static Set<String> accepted(Path out) throws IOException {
    Set<String> ids = new HashSet<>();
    if (!Files.exists(out)) {
      return ids;
    }
    for (String line : Files.readString(out, StandardCharsets.UTF_8).split("\n")) {
      if (line.matches("accepted [0-9a-f-]{36}")) {
        ids.add(line.substring("accepted ".length()));
      }
    }
    return ids;
  }

  private static Set<String> storedIds(String correlationId) throws Exception {
    Set<String> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(db); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT event_id::text FROM audit_events WHERE correlation_id = '"
            + correlationId + "'")) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
