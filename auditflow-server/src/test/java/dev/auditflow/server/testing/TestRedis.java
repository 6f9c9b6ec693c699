package dev.auditflow.server.testing;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The Redis that tests use: the server at {@code AUDITFLOW_TEST_REDIS_URL} when it is set
 * ({@code .ci/run} points it at the machine's), else a {@link RedisServerProcess} started once per
 * test JVM. Either way a real Redis; each test uses its own stream key, so tests and runs never
 * see each other's entries.
 */
public final class TestRedis {
  public static final String ENV = "AUDITFLOW_TEST_REDIS_URL";

  private static RedisServerProcess shared;

  private TestRedis() {}

  public static synchronized String url() {
    String url = System.getenv(ENV);
    if (url != null && !url.isBlank()) {
      return url;
    }
    if (shared == null) {
      try {
        shared = RedisServerProcess.ephemeral().start();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start a redis-server for the tests", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
    }
    return shared.url();
  }

  public static String uniqueKey(String prefix) {
    return "auditflow-test:" + prefix + ":" + java.util.UUID.randomUUID();
  }
}
