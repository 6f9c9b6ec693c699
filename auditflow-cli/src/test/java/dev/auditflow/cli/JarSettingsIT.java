package dev.auditflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.auditflow.cli.jar.JarProcess;
import dev.auditflow.server.testing.RedisServerProcess;
import dev.auditflow.server.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** serve's settings from its three sources, through the built jar: the config file, the environment, the command line. */
class JarSettingsIT {
  private static final Duration RUN = Duration.ofSeconds(60);

  @Test
  void eachSourceReachesTheServerAndTheLogSaysWhichWon() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-settings");
    String db = TestDatabase.create();
    int port = RedisServerProcess.freePort();
    URI base = URI.create("http://127.0.0.1:" + port);
    Path config = Files.writeString(work.resolve("auditflow.yaml"), """
        server:
          host: 127.0.0.1
          port: %d
        security:
          auth-failure-limit: 2
        log:
          log-interval: 50ms
        """.formatted(port));
    Map<String, String> env = Map.of("AUDITFLOW_DATABASE_URL", db, "AUDITFLOW_RETRY_AFTER", "3s",
        "AUDITFLOW_CONNECTION_TIMEOUT", "2s", "AUDITFLOW_REDIS_TIMEOUT", "4s",
        // The environment beats the file; the command line beats both.
        "AUDITFLOW_AUTH_FAILURE_WINDOW", "2m", "AUDITFLOW_LOG_MAX_LEAVES_PER_ROUND", "100");
    try (JarProcess server = JarProcess.of(work, env, "serve", "--config", config.toString(),
        "--log-max-leaves-per-round", "500").start()) {
      server.awaitHttp200(base, "/health/ready", Duration.ofMinutes(2));
      String settings = server.output().lines().filter(l -> l.contains("settings ")).findFirst().orElseThrow();
      assertThat(settings)
          .contains("port=" + port + " (" + config + " (server.port))")
          .contains("auth-failure-limit=2 (" + config + " (security.auth-failure-limit))")
          .contains("log-interval=50ms (" + config + " (log.log-interval))")
          .contains("retry-after=3s (the environment variable AUDITFLOW_RETRY_AFTER)")
          .contains("connection-timeout=2s (the environment variable AUDITFLOW_CONNECTION_TIMEOUT)")
          .contains("redis-timeout=4s (the environment variable AUDITFLOW_REDIS_TIMEOUT)")
          .contains("auth-failure-window=2m (the environment variable AUDITFLOW_AUTH_FAILURE_WINDOW)")
          .contains("log-max-leaves-per-round=500 (command line)")
          .contains("database-url=jdbc:postgresql:")
          .doesNotContain("pool-size=");
      // The file's failure limit is the server's: the third wrong token from one address is a 429, not a 401.
      HttpClient http = HttpClient.newHttpClient();
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        statuses.add(http.send(HttpRequest.newBuilder(base.resolve("/api/v1/audit/events?limit=1"))
            .header("Authorization", "Bearer af_wrong-token-" + i).build(), HttpResponse.BodyHandlers.ofString())
            .statusCode());
      }
      assertThat(statuses).containsExactly(401, 401, 429);
      assertThat(server.terminate(RUN)).as("SIGTERM is a clean exit").isIn(0, 143);
    } finally {
      TestDatabase.drop(db);
    }
  }

  @Test
  void aSettingThatDoesNotExistStopsServeInOneLineBeforeAnythingStarts() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-settings");
    Path config = Files.writeString(work.resolve("auditflow.yaml"), "database:\n  pool-sise: 20\n");
    JarProcess serve = JarProcess.of(work, "serve", "--config", config.toString());
    assertThat(serve.run(RUN)).isEqualTo(Main.FAILED);
    assertThat(serve.output()).contains("database.pool-sise is not a setting").doesNotContain("\tat ");
    assertThat(work.resolve("auditflow-data")).as("no embedded database was started").doesNotExist();
  }

  @Test
  void aBadValueFromTheEnvironmentNamesTheVariable() throws Exception {
    Path work = Files.createTempDirectory("auditflow-jar-settings");
    JarProcess serve = JarProcess.of(work, Map.of("AUDITFLOW_POOL_SIZE", "many"), "serve");
    assertThat(serve.run(RUN)).isEqualTo(Main.FAILED);
    assertThat(serve.output()).contains("--pool-size").contains("the environment variable AUDITFLOW_POOL_SIZE")
        .doesNotContain("\tat ");

    JarProcess zero = JarProcess.of(work, Map.of("AUDITFLOW_POOL_SIZE", "0"), "serve");
    assertThat(zero.run(RUN)).isEqualTo(Main.FAILED);
    assertThat(zero.output()).contains("pool-size must be >= 1, was 0").doesNotContain("\tat ");
    assertThat(work.resolve("auditflow-data")).as("no embedded database was started").doesNotExist();
  }
}
