package dev.auditflow.server.testing;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real {@code redis-server} process of the test's own: the one on the PATH, or else the Linux
 * x86-64 binary that the {@code embedded-redis} test dependency ships, so the tests run on a
 * machine with nothing but a JDK and Maven. Tests crash it (SIGKILL) and start it again on the
 * same port and directory.
 */
public final class RedisServerProcess implements AutoCloseable {
  /** The binary inside the embedded-redis jar (version pinned in the parent POM). */
  private static final String BUNDLED = "/redis-server-6.2.6-v5-linux-amd64";
  private static Path binary;

  private final int port;
  private final Path dir;
  private final List<String> persistence;
  private Process process;

  private RedisServerProcess(int port, Path dir, List<String> persistence) {
    this.port = port;
    this.dir = dir;
    this.persistence = persistence;
  }

  /** Keeps nothing on disk, as the machine's CI Redis. */
  public static RedisServerProcess ephemeral() throws IOException {
    return new RedisServerProcess(freePort(), Files.createTempDirectory("auditflow-redis"),
        List.of("--save", "", "--appendonly", "no"));
  }

  /**
   * Append-only persistence with {@code appendfsync always}, the setting docs/RELIABILITY.md
   * recommends for the dead-letter queue: every acknowledged write is on disk before the reply.
   */
  public static RedisServerProcess durable() throws IOException {
    return new RedisServerProcess(freePort(), Files.createTempDirectory("auditflow-redis"),
        List.of("--save", "", "--appendonly", "yes", "--appendfsync", "always"));
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Starts the server and waits until it answers PING (after loading its append-only file). */
  public RedisServerProcess start() throws IOException {
    List<String> command = new ArrayList<>(List.of(binary().toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--dir", dir.toString()));
    command.addAll(persistence);
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.log").toFile())).start();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited with " + process.exitValue() + "; see " + dir.resolve("redis.log"));
      }
      try (RedisClient client = RedisClient.create(url()); var c = client.connect()) {
        return "PONG".equals(c.sync().ping());
      }
    });
    return this;
  }

  /** SIGKILL: a crash; no chance to flush anything that was not written already. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  @Override
  public void close() {
    if (isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** redis-server from the PATH, else the bundled binary extracted once per JVM. */
  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, "redis-server");
      if (Files.isExecutable(candidate)) {
        return binary = candidate;
      }
    }
    try (InputStream in = RedisServerProcess.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("no redis-server on the PATH and " + BUNDLED + " is not on the test classpath");
      }
      Path extracted = Files.createTempFile("auditflow-redis-server", "");
      Files.copy(in, extracted, StandardCopyOption.REPLACE_EXISTING);
      if (!extracted.toFile().setExecutable(true)) {
        throw new IOException("cannot make " + extracted + " executable");
      }
      extracted.toFile().deleteOnExit();
      return binary = extracted;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
