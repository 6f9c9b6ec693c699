package dev.auditflow.cli.faults;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A redis-server of the test's own, with append-only persistence (fsync always), to restart. */
final class RedisProcess implements AutoCloseable {
  private final int port;
  private final Path dir;
  private Process process;

  RedisProcess(int port) throws Exception {
    this.port = port;
    this.dir = Files.createTempDirectory("auditflow-redis");
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  void start() throws Exception {
    process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "")
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> {
      try (RedisClient client = RedisClient.create(url()); var c = client.connect()) {
        return "PONG".equals(c.sync().ping());
      }
    });
  }

  /** SIGTERM: Redis flushes its append-only file and exits. */
  void stop() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      stop();
    }
  }
}
