package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.api.AuditEventJson;
import dev.auditflow.cli.jar.JarApi;
import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The example project under {@code examples/plain-java} — built by the same {@code mvn verify},
 * against the client it just built — run as a user runs it, against the built server: its events
 * arrive, and its diagnostics have an SLF4J backend to go to.
 */
class JarExampleIT {
  @Test
  void thePlainJavaExampleStoresItsEvents() throws Exception {
    Path example = Path.of("../examples/plain-java/target/auditflow-example.jar").toAbsolutePath().normalize();
    assertThat(example).as("mvn verify builds examples/plain-java before these suites").isRegularFile();
    Path work = Files.createTempDirectory("auditflow-jar-example");
    String db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    try (JarProcess server = JarProcess.of(work, "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", db).start()) {
      server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
      String admin = Files.readString(work.resolve("auditflow-data/admin.token")).trim();
      ProcessBuilder run = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
          example.toString(), "order-example").redirectErrorStream(true);
      run.environment().put("AUDITFLOW_URL", base.toString());
      run.environment().put("AUDITFLOW_TOKEN", admin);
      Process process = run.start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.exitValue()).as(output).isZero();
      assertThat(output).contains("stored 4 events of order-example").contains("closed:")
          .doesNotContain("No SLF4J providers").contains("dev.auditflow.client.AuditStore");
      assertThat(AuditEventJson.mapper().readTree(new JarApi(base, admin)
          .call("GET", "/api/v1/audit/events/count?correlation_id=order-example", null).body()).get("count").asLong())
          .isEqualTo(4);
      // The example's store numbered its events and closed its epoch at close: all accounted for.
      JarProcess completeness = JarProcess.of(work, Map.of("AUDITFLOW_TOKEN", admin), "completeness", "--url",
          base.toString(), "--since", "1h");
      assertThat(completeness.run(Duration.ofSeconds(60))).as(completeness.output()).isZero();
      assertThat(completeness.output()).containsPattern("closed +4 +4 +0 +0")
          .contains("accounted for: 1 epochs since 1h");
    } finally {
      TestDatabase.drop(db);
    }
  }
}
