package dev.auditflow.cli.faults;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code auditflow serve} as a real child process, to be killed and restarted. */
final class ServerProcess implements AutoCloseable {
  private final List<String> command;
  private final Path log;
  private final int port;
  private Process process;

  ServerProcess(int port, String databaseUrl, String redisUrl, String dlqKey, Path log) {
    this.port = port;
    this.log = log;
    String java = ProcessHandle.current().info().command().orElse("java");
    command = new ArrayList<>(List.of(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "dev.auditflow.cli.Main", "serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", databaseUrl, "--pool-size", "4", "--drain-timeout", "10s"));
    if (redisUrl != null) {
      command.addAll(List.of("--redis-url", redisUrl, "--dlq-key", dlqKey));
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  void start() throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().remove("AUDITFLOW_DATABASE_URL");
    builder.environment().remove("AUDITFLOW_REDIS_URL");
    process = builder.start();
    HttpClient http = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("server exited with " + process.exitValue() + "; see " + log);
      }
      return http.send(HttpRequest.newBuilder(uri().resolve("/health/live")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
    });
  }

  /** SIGKILL: no shutdown hook, no draining — a crash. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the graceful stop. Waits for the process to exit. */
  int terminate() throws InterruptedException {
    process.destroy();
    return process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      terminate();
    }
  }

  static File logFile(String name) throws java.io.IOException {
    return java.nio.file.Files.createTempFile("auditflow-" + name, ".log").toFile();
  }
}
