package dev.auditflow.cli.faults;

import dev.auditflow.cli.jar.JarProcess;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** {@code java -jar auditflow.jar serve} as a real child process, to be killed and restarted. */
final class ServerProcess implements AutoCloseable {
  private final List<String> args;
  private final Map<String, String> env;
  private final int port;
  private final Path workDir;
  private final Path tokenFile;
  private final StringBuilder previousOutput = new StringBuilder();
  private JarProcess process;

  ServerProcess(int port, String databaseUrl, String redisUrl, String dlqKey) throws Exception {
    this.port = port;
    this.workDir = Files.createTempDirectory("auditflow-faults");
    this.tokenFile = workDir.resolve("admin.token");
    args = new ArrayList<>(List.of("serve", "--host", "127.0.0.1", "--port", Integer.toString(port),
        "--database-url", databaseUrl, "--pool-size", "4", "--drain-timeout", "10s",
        "--admin-token-file", tokenFile.toString()));
    // The Redis URL from the environment (AUDITFLOW_REDIS_URL), as a deployment would pass it;
    // JarCommandsIT covers --redis-url.
    env = redisUrl == null ? Map.of() : Map.of("AUDITFLOW_REDIS_URL", redisUrl);
    if (redisUrl != null) {
      args.addAll(List.of("--dlq-key", dlqKey));
    }
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + port);
  }

  /** The first admin token, which the server wrote at its first start (authentication is on). */
  String adminToken() throws java.io.IOException {
    return Files.readString(tokenFile).trim();
  }

  void start() throws Exception {
    if (process != null) {
      previousOutput.append(process.output());
    }
    process = JarProcess.of(workDir, env, args.toArray(String[]::new)).start();
    process.awaitHttp200(uri(), "/health/live", Duration.ofSeconds(90));
  }

  /** SIGKILL: no shutdown hook, no draining — a crash. */
  void kill() throws InterruptedException {
    process.kill();
  }

  /** SIGTERM: the graceful stop. Waits for the process to exit. */
  int terminate() throws InterruptedException {
    return process.terminate(Duration.ofSeconds(60));
  }

  /** Everything every run of the server printed. */
  String output() {
    return previousOutput + (process == null ? "" : process.output());
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }
}
